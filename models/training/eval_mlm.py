"""MLM dev evaluation on held-out arXiv abstracts (listed >= 2026-06-01).

* masked-token accuracy: whole-word masking 15% (same procedure as training, seed 7), first 256 tokens
* pseudo-perplexity: exp(mean -log p(token | all other tokens)), masking one token at a time, first 64 tokens;
  also per kind of position: a one-piece word, the first piece of a longer word, a continuation ('##') piece
  python3 eval_mlm.py --ckpt cache/mlm_a.pt [--n 300]
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import ENC_DIR, pad_rows, set_threads
from corpus import Corpus, CLS, SEP, MASK, continuation_mask
from model import BertMLM, Cfg


# The first train_mlm.py's masking (whole words, 15 %, padded rows), kept unchanged so that held-out
# accuracy stays comparable across model versions; training now uses train_mlm.Masker (vectorised, spans).
def make_batch(corpus, idx, rng, max_len, cont, mask_prob=0.15):
    seqs = []
    for i in idx:
        a = corpus.abstract(i)
        if len(a) == 0:
            a = corpus.title(i)
        a = a[: max_len - 2]
        seqs.append(np.concatenate([[CLS], a, [SEP]]))
    ids, att = pad_rows(seqs)
    labels = np.full_like(ids, -100)
    inp = ids.copy()
    for r, s in enumerate(seqs):
        n = len(s)
        # word starts: non-continuation tokens between CLS and SEP
        starts = [p for p in range(1, n - 1) if not cont[s[p]]]
        if not starts:
            continue
        bounds = starts + [n - 1]
        n_target = max(1, int(round((n - 2) * mask_prob)))
        order = rng.permutation(len(starts))
        chosen = 0
        for w in order:
            if chosen >= n_target:
                break
            a, b = bounds[w], bounds[w + 1]
            if chosen + (b - a) > n_target + 2:
                continue
            labels[r, a:b] = ids[r, a:b]
            chosen += b - a
            u = rng.random()
            if u < 0.8:
                inp[r, a:b] = MASK
            elif u < 0.9:
                inp[r, a:b] = rng.integers(1000, 30522, size=b - a)
    return torch.from_numpy(inp), torch.from_numpy(att), torch.from_numpy(labels)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--pppl-len", type=int, default=64, help="tokens per abstract scored for pseudo-perplexity (incl. [CLS]/[SEP])")
    ap.add_argument("--json")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    set_threads(a.threads)
    t0 = time.time()
    corpus = Corpus()
    held = [i for i in corpus.held_idx if corpus.docs[i]["src"] == "arxiv" and corpus.docs[i]["a"][1] >= 20]
    rng = np.random.default_rng(7)
    sample = sorted(rng.choice(held, size=a.n, replace=False).tolist())
    blob = torch.load(a.ckpt, map_location="cpu")
    model = BertMLM(Cfg(**blob["cfg"]))
    model.load_state_dict(blob["model"])
    model.eval()
    cont = continuation_mask(os.path.join(ENC_DIR, "vocab.txt"))
    correct = total = 0
    with torch.no_grad():
        for s in range(0, len(sample), 32):
            inp, att, lab = make_batch(corpus, sample[s:s + 32], rng, 256, cont)
            logits = model(inp, att, torch.zeros_like(inp))
            sel = lab != -100
            correct += int((logits.argmax(-1)[sel] == lab[sel]).sum())
            total += int(sel.sum())
        nll, cnt = 0.0, 0
        kinds = {k: [0.0, 0] for k in ("one_piece_word", "first_piece", "continuation_piece")}
        for i in sample:
            x = np.concatenate([[CLS], corpus.abstract(i)[: a.pppl_len - 2], [SEP]])
            n = len(x)
            pos = np.arange(1, n - 1)
            ids = np.tile(x, (len(pos), 1))
            ids[np.arange(len(pos)), pos] = MASK
            ids = torch.from_numpy(ids.astype(np.int64))
            att = torch.ones_like(ids)
            h = model.bert(ids, att, torch.zeros_like(ids))[torch.arange(len(pos)), torch.from_numpy(pos)]
            lp = F.log_softmax(model.head(h), -1)[torch.arange(len(pos)), torch.from_numpy(x[pos].astype(np.int64))]
            nll -= float(lp.sum())
            cnt += len(pos)
            for p, l in zip(pos, lp.tolist()):
                k = "continuation_piece" if cont[x[p]] else "first_piece" if p + 1 < n - 1 and cont[x[p + 1]] else "one_piece_word"
                kinds[k][0] -= l
                kinds[k][1] += 1
    res = {"ckpt": os.path.basename(a.ckpt), "abstracts": a.n, "masked_tokens": total,
           "masked_acc": correct / total, f"pseudo_ppl_first{a.pppl_len}": math.exp(nll / cnt), "scored_tokens": cnt,
           "pseudo_ppl_by_position": {k: {"tokens": c, "pppl": math.exp(v / max(c, 1))} for k, (v, c) in kinds.items()},
           "train_steps": blob.get("step"), "train_tokens": blob.get("tokens"), "train_seconds": blob.get("seconds"),
           "eval_seconds": time.time() - t0}
    print(json.dumps(res))
    if a.json:
        json.dump(res, open(a.json, "w"), indent=2)


if __name__ == "__main__":
    main()
