"""Token-id corpus produced by tokenize_corpus.mjs (run that first)."""
import json
import os

import numpy as np

from common import CACHE
import split as splitmod

CLS, SEP, PAD, MASK, UNK = 101, 102, 0, 103, 100


class Corpus:
    def __init__(self):
        self.tokens = np.fromfile(os.path.join(CACHE, "tokens.u16"), dtype=np.uint16)
        self.docs = [json.loads(l) for l in open(os.path.join(CACHE, "docs.jsonl"), encoding="utf-8")]
        self.train_idx, self.held_idx = splitmod.split(self.docs)

    def title(self, i):
        s, n = self.docs[i]["t"]
        return self.tokens[s:s + n].astype(np.int64)

    def abstract(self, i):
        s, n = self.docs[i]["a"]
        return self.tokens[s:s + n].astype(np.int64)

    def summary(self):
        tr = self.train_idx
        return {
            "records": len(self.docs), "train": len(tr), "heldout": len(self.held_idx),
            "train_arxiv": sum(self.docs[i]["src"] == "arxiv" for i in tr),
            "train_acl": sum(self.docs[i]["src"] == "acl" for i in tr),
            "heldout_arxiv": sum(self.docs[i]["src"] == "arxiv" for i in self.held_idx),
            "heldout_acl": sum(self.docs[i]["src"] == "acl" for i in self.held_idx),
            "train_abstract_tokens": int(sum(self.docs[i]["a"][1] for i in tr)),
        }


def continuation_mask(vocab_path):
    """Boolean array over the vocab: True for '##' continuation pieces (for whole-word masking)."""
    vocab = open(vocab_path, encoding="utf-8").read().split("\n")[:30522]
    return np.array([t.startswith("##") for t in vocab])


if __name__ == "__main__":
    print(Corpus().summary())
