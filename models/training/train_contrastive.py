"""Contrastive fine-tuning of atlas-mini-encoder from the MLM checkpoint.

Pairs per step (alternating): title <-> abstract, and abstract first half <-> second half.
Symmetric InfoNCE with in-batch negatives, temperature 0.05, mean pooling over attention_mask.
  python3 train_contrastive.py --init cache/mlm_a.pt --minutes 10 --out cache/enc_a.pt
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import CACHE, pad_rows, set_threads
from corpus import Corpus, CLS, SEP
from model import Bert, Cfg


def pad(seqs):
    ids, att = pad_rows(seqs)
    return torch.from_numpy(ids), torch.from_numpy(att)


def wrap(x, max_len):
    return np.concatenate([[CLS], x[: max_len - 2], [SEP]])


def mean_pool(h, att):
    m = att.unsqueeze(-1).to(h.dtype)
    return (h * m).sum(1) / m.sum(1).clamp(min=1.0)


def encode(model, ids, att):
    return F.normalize(mean_pool(model(ids, att, torch.zeros_like(ids)), att), dim=-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--init", required=True)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--max-steps", type=int, default=10**9)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--title-len", type=int, default=32)
    ap.add_argument("--abs-len", type=int, default=160)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--temp", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--out", default=os.path.join(CACHE, "enc.pt"))
    a = ap.parse_args()
    set_threads()
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    corpus = Corpus()
    blob = torch.load(a.init, map_location="cpu")
    cfg = Cfg(**blob["cfg"])
    model = Bert(cfg)
    sd = blob["model"]
    if any(k.startswith("bert.") for k in sd):
        sd = {k[5:]: v for k, v in sd.items() if k.startswith("bert.")}
    model.load_state_dict(sd)
    train = np.array([i for i in corpus.train_idx if corpus.docs[i]["a"][1] >= 40 and corpus.docs[i]["t"][1] >= 2])
    print(json.dumps({"pairs_pool": len(train), **corpus.summary()}), flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    budget = a.minutes * 60
    t0 = time.time()
    step, ema, n_pairs = 0, None, 0
    perm, pos, epochs = rng.permutation(train), 0, 0
    last_save = t0

    def save():
        torch.save({"cfg": cfg.__dict__, "model": model.state_dict(), "step": step, "pairs": n_pairs,
                    "seconds": time.time() - t0, "args": vars(a), "init": a.init}, a.out)

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
        kind = "title" if step % 2 == 0 else "halves"
        left, right = [], []
        for i in idx:
            ab = corpus.abstract(i)
            if kind == "title":
                left.append(wrap(corpus.title(i), a.title_len))
                right.append(wrap(ab, a.abs_len))
            else:
                cut = len(ab) // 2 + int(rng.integers(-len(ab) // 8, len(ab) // 8 + 1))
                left.append(wrap(ab[:cut][: a.abs_len - 2], a.abs_len))
                right.append(wrap(ab[cut:][: a.abs_len - 2], a.abs_len))
        q = encode(model, *pad(left))
        d = encode(model, *pad(right))
        sim = q @ d.t() / a.temp
        tgt = torch.arange(len(idx))
        loss = (F.cross_entropy(sim, tgt) + F.cross_entropy(sim.t(), tgt)) / 2
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        n_pairs += len(idx)
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        if step % 10 == 0:
            acc = (sim.argmax(1) == tgt).float().mean().item()
            print(f"step {step} t {el:.0f}s lr {lr:.2e} loss {ema:.3f} ({kind} acc {acc:.3f}) pairs {n_pairs}"
                  f" epoch {epochs + pos / len(train):.3f}", flush=True)
        if time.time() - last_save > 120:
            save()
            last_save = time.time()
    save()
    print(f"done steps {step} pairs {n_pairs} seconds {time.time() - t0:.0f}", flush=True)


if __name__ == "__main__":
    main()
