"""Contrastive training of the sentence encoder (issue 14 item 3), from an MLM checkpoint (train_mlm.py).

  python3 train_encoder.py --init /work/cache/training/mlm.pt --out /work/cache/training/enc2.pt --minutes 60
  python3 train_encoder.py --out /work/cache/training/enc2.pt --resume --minutes 60     # later sittings

Pairs that look like what users ask, rotating per step (--kinds):
* ict    -- inverse cloze: one sentence of an abstract <-> the rest of that abstract (the sentence removed
            with probability 0.9, kept otherwise, as in Lee et al. 2019), the "sentence -> paper" task;
* title  -- title <-> abstract;
* halves -- first part <-> second part of an abstract (split point +-1/8 jitter).
Loss: symmetric InfoNCE (temperature --temp), in-batch negatives, plus for ict/title one BM25-mined hard
negative abstract per pair: among the top --hard-k abstracts BM25 ranks for the paper's title (itself and
exact-title duplicates excluded) -- papers that share words with it, mostly not its topic. Mean pooling over
attention_mask + L2 normalisation, the same as the shipped encoder at inference.

Training split only (split.py); the BM25 index covers training abstracts only. Same machinery as
train_mlm.py: bf16 matmuls on AVX512-BF16/CUDA, --device cuda with CPU fallback, resumable checkpoint
(model, optimizer, step, epoch position, RNG; step-based LR schedule over --epochs), caches outside the repo.
"""
import argparse
import json
import os
import signal
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import CACHE, pad_rows, set_threads
from corpus import Corpus, CLS, SEP
from model import Bert, Cfg
from split import norm_title
from train_mlm import autocast, pick_device, pick_precision

SENT_END = np.array([1012, 1029, 999])  # '.', '?', '!' in the bert-base-uncased vocabulary


def bm25_hard_negatives(corpus, train, k, k1=1.2, b=0.75, max_df=0.05, chunk=400, log=print):
    """For each training paper, the top-k other training abstracts by BM25(title -> abstract) over WordPiece
    ids; ids in more than max_df of abstracts are skipped as query terms (they barely move the ranking).
    Returns int32 [len(train), k] of positions in `train` (-1 where fewer matched). Cached in CACHE."""
    path = os.path.join(CACHE, f"bm25_hardneg_k{k}_{len(train)}.npy")
    if os.path.exists(path):
        return np.load(path)
    t0 = time.time()
    n = len(train)
    abss = [corpus.abstract(i) for i in train]
    dl = np.array([len(a) for a in abss], dtype=np.float64)
    doc = np.repeat(np.arange(n, dtype=np.int64), dl.astype(np.int64))
    term = np.concatenate(abss).astype(np.int64)
    key, tf = np.unique(term * n + doc, return_counts=True)  # sorted by term, then doc
    p_term, p_doc = key // n, key % n
    df = np.bincount(p_term, minlength=30522)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    w = idf[p_term] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl[p_doc] / dl.mean()))
    start = np.searchsorted(p_term, np.arange(30523))
    usable = (df > 0) & (df <= max_df * n)
    titles = [np.unique(corpus.title(i)) for i in train]
    tkey = np.array([norm_title(corpus.docs[i]["title"]) for i in train])
    out = np.full((n, k), -1, dtype=np.int32)
    for c0 in range(0, n, chunk):  # chunks of queries: postings gathered and summed with one bincount
        qs = range(c0, min(n, c0 + chunk))
        qi, pi = [], []
        for r, q in enumerate(qs):
            for t in titles[q]:
                if usable[t]:
                    pi.append(np.arange(start[t], start[t + 1]))
                    qi.append(np.full(start[t + 1] - start[t], r, dtype=np.int64))
        if not pi:
            continue
        pi, qi = np.concatenate(pi), np.concatenate(qi)
        scores = np.bincount(qi * n + p_doc[pi], weights=w[pi], minlength=len(qs) * n).reshape(len(qs), n)
        scores[np.arange(len(qs)), np.arange(c0, c0 + len(qs))] = 0  # not itself
        top = np.argpartition(-scores, k + 2, axis=1)[:, :k + 2]
        for r, q in enumerate(qs):
            cand = top[r][np.argsort(-scores[r, top[r]])]
            cand = [c for c in cand if scores[r, c] > 0 and tkey[c] != tkey[q]][:k]
            out[q, :len(cand)] = cand
        if (c0 // chunk) % 25 == 0:
            log(f"bm25 hard negatives {c0 + len(qs)}/{n} ({time.time() - t0:.0f}s)")
    np.save(path, out)
    log(f"bm25 hard negatives done in {time.time() - t0:.0f}s -> {path}")
    return out


def wrap(x, max_len):
    return np.concatenate([[CLS], x[: max_len - 2], [SEP]])


def pad(seqs, device):
    ids, att = pad_rows(seqs)
    return torch.from_numpy(ids).to(device), torch.from_numpy(att).to(device)


def encode(model, ids, att, device, precision):
    with autocast(device, precision):
        h = model(ids, att, torch.zeros_like(ids))
    h = h.float()
    m = att.unsqueeze(-1).to(h.dtype)
    return F.normalize((h * m).sum(1) / m.sum(1).clamp(min=1.0), dim=-1)


def ict_pair(ab, rng, q_len, d_len, keep_prob=0.1):
    """(sentence, rest of abstract) or None when the abstract has fewer than 2 usable sentences."""
    ends = np.flatnonzero(np.isin(ab[:-1], SENT_END)) + 1
    bounds = np.concatenate([[0], ends, [len(ab)]])
    spans = [(s, e) for s, e in zip(bounds[:-1], bounds[1:]) if e - s >= 5]
    if len(spans) < 2:
        return None
    s, e = spans[int(rng.integers(len(spans)))]
    rest = ab if rng.random() < keep_prob else np.concatenate([ab[:s], ab[e:]])
    return wrap(ab[s:e], q_len), wrap(rest, d_len)


def make_batch(corpus, train, idx, kind, rng, hard, a):
    """Python over the batch's 64-256 papers (cheap next to the forward pass of 2-3 x batch sequences)."""
    q, d, neg = [], [], []
    for j in idx:
        i = train[j]
        ab = corpus.abstract(i)
        if kind == "ict":
            p = ict_pair(ab, rng, a.query_len, a.doc_len)
            if p is None:  # short abstract: fall back to its title
                p = (wrap(corpus.title(i), a.title_len), wrap(ab, a.doc_len))
            q.append(p[0])
            d.append(p[1])
        elif kind == "title":
            q.append(wrap(corpus.title(i), a.title_len))
            d.append(wrap(ab, a.doc_len))
        else:
            cut = len(ab) // 2 + int(rng.integers(-(len(ab) // 8), len(ab) // 8 + 1))
            q.append(wrap(ab[:cut], a.doc_len))
            d.append(wrap(ab[cut:], a.doc_len))
        if kind != "halves" and hard is not None:
            cands = hard[j][hard[j] >= 0]
            if len(cands):
                neg.append(wrap(corpus.abstract(train[int(cands[int(rng.integers(len(cands)))])]), a.doc_len))
    return q, d, neg


def pair_pool(corpus, hard_k):
    """Training papers with an abstract of >= 40 tokens and a title, and their BM25 hard negatives (or None).
    train_static.py uses the same pool, so the encoders it is compared with saw the same pairs."""
    train = np.array([i for i in corpus.train_idx if corpus.docs[i]["a"][1] >= 40 and corpus.docs[i]["t"][1] >= 2])
    hard = bm25_hard_negatives(corpus, train, hard_k, log=lambda m: print(m, flush=True)) if hard_k else None
    return train, hard


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", help="MLM (or encoder) checkpoint to start from")
    ap.add_argument("--out", default=os.path.join(CACHE, "enc2.pt"))
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--epochs", type=float, default=3, help="passes over the training papers (LR schedule)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--kinds", default="ict,title,halves")
    ap.add_argument("--query-len", type=int, default=64)
    ap.add_argument("--title-len", type=int, default=32)
    ap.add_argument("--doc-len", type=int, default=128, help="the shipped encoder embeds 128 tokens")
    ap.add_argument("--hard-k", type=int, default=8, help="BM25 candidates per paper (0 = no hard negatives)")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--temp", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    ap.add_argument("--precision", default="auto", choices=["auto", "bf16", "fp32"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--save-minutes", type=float, default=5)
    ap.add_argument("--log-every", type=int, default=10)
    a = ap.parse_args()
    device = pick_device(a.device)
    if device.type == "cpu":
        set_threads(a.threads)
    precision = pick_precision(a.precision, device)
    blob = torch.load(a.out, map_location="cpu") if a.resume and os.path.exists(a.out) else None
    if blob is None and not a.init:
        ap.error("--init is required for a new run")
    if blob is not None:
        for k in ("batch", "kinds", "query_len", "title_len", "doc_len", "hard_k", "lr", "warmup", "temp", "seed",
                  "epochs"):
            setattr(a, k, blob["run"][k])
    kinds = a.kinds.split(",")
    corpus = Corpus()
    train, hard = pair_pool(corpus, a.hard_k)
    steps_per_epoch = len(train) // a.batch
    total_steps = max(1, int(a.epochs * steps_per_epoch))
    print(json.dumps({"device": str(device), "precision": precision, "threads": torch.get_num_threads(),
                      "pairs_pool": len(train), "steps_per_epoch": steps_per_epoch, "total_steps": total_steps,
                      "kinds": kinds, "hard_negatives": hard is not None}), flush=True)

    src = blob if blob is not None else torch.load(a.init, map_location="cpu")
    cfg = Cfg(**src["cfg"])
    model = Bert(cfg)
    sd = src["model"]
    if any(k.startswith("bert.") for k in sd):
        sd = {k[5:]: v for k, v in sd.items() if k.startswith("bert.")}
    model.load_state_dict(sd)
    model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01, foreach=True)
    state = {"step": 0, "epoch": 0, "pos": 0, "pairs": 0, "seconds": 0.0}
    if blob is not None:
        opt.load_state_dict(blob["opt"])
        state.update(blob["state"])
        torch.set_rng_state(blob["torch_rng"])
        print(f"resumed from {a.out}: step {state['step']}", flush=True)

    def save(reason):
        tmp = a.out + ".tmp"
        torch.save({"cfg": cfg.__dict__, "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
                    "opt": opt.state_dict(), "state": dict(state), "torch_rng": torch.get_rng_state(),
                    "run": {k: getattr(a, k) for k in ("batch", "kinds", "query_len", "title_len", "doc_len",
                                                       "hard_k", "lr", "warmup", "temp", "seed", "epochs")},
                    "init": a.init if blob is None else blob.get("init"), "step": state["step"],
                    "pairs": state["pairs"], "seconds": state["seconds"], "args": vars(a)}, tmp)
        os.replace(tmp, a.out)
        print(f"saved {a.out} ({reason}) step {state['step']}", flush=True)

    stop = {"flag": False}
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, f: stop.update(flag=True))
    model.train()
    t0 = last_save = time.time()
    steps0 = state["step"]
    ema = {}
    perm = np.random.default_rng([a.seed, state["epoch"]]).permutation(len(train))
    while state["step"] < total_steps and not stop["flag"]:
        if time.time() - t0 >= a.minutes * 60 or (a.max_steps and state["step"] - steps0 >= a.max_steps):
            break
        if state["pos"] + a.batch > len(perm):
            state["epoch"] += 1
            state["pos"] = 0
            perm = np.random.default_rng([a.seed, state["epoch"]]).permutation(len(train))
        step = state["step"]
        rng = np.random.default_rng([a.seed, 1, step])
        kind = kinds[step % len(kinds)]
        q, d, neg = make_batch(corpus, train, perm[state["pos"]:state["pos"] + a.batch], kind, rng, hard, a)
        lr = a.lr * min(1.0, (step + 1) / a.warmup) * max(0.02, 1 - step / total_steps)
        for g in opt.param_groups:
            g["lr"] = lr
        qv = encode(model, *pad(q, device), device, precision)
        dv = encode(model, *pad(d + neg, device), device, precision)
        tgt = torch.arange(len(q), device=device)
        sim = qv @ dv.t() / a.temp  # [B, B + negatives]
        loss = (F.cross_entropy(sim, tgt) + F.cross_entropy(sim[:, :len(q)].t(), tgt)) / 2
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        state["step"] += 1
        state["pos"] += a.batch
        state["pairs"] += len(q)
        ema[kind] = float(loss) if kind not in ema else 0.9 * ema[kind] + 0.1 * float(loss)
        if state["step"] % a.log_every == 0:
            acc = float((sim.argmax(1) == tgt).float().mean())
            el = time.time() - t0
            print(f"step {state['step']}/{total_steps} epoch {state['epoch'] + state['pos'] / len(train):.3f} "
                  f"lr {lr:.2e} " + " ".join(f"{k} {v:.3f}" for k, v in ema.items())
                  + f" | {kind} acc {acc:.3f} negs {len(neg)} pairs/s {(state['step'] - steps0) * a.batch / el:.1f}"
                  f" t {el:.0f}s load {os.getloadavg()[0]:.1f}", flush=True)
        if time.time() - last_save > a.save_minutes * 60:
            state["seconds"] += time.time() - last_save
            last_save = time.time()
            save("periodic")
    state["seconds"] += time.time() - last_save
    save("end" if state["step"] >= total_steps else "stop")
    print(f"sitting done: steps {state['step'] - steps0} seconds {time.time() - t0:.0f} | run: step "
          f"{state['step']}/{total_steps} pairs {state['pairs']}", flush=True)


if __name__ == "__main__":
    main()
