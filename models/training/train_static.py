"""A static embedding encoder (issue 14 item 3's third candidate): one vector per WordPiece token,
initialised from GloVe 6B 100-d (glove_init.py; pieces GloVe lacks start small and random), mean-pooled over
the attention mask and L2-normalised -- no attention, no layers, so embedding costs a table look-up.

  python3 train_static.py --out /work/cache/training/static.pt --epochs 8
  python3 train_static.py --out /work/cache/training/static.pt --package ~/.cache/paper-atlas/models/atlas-static-encoder

Trained exactly like train_encoder.py (same pairs -- inverse cloze, title <-> abstract, abstract halves --,
same BM25-mined hard negatives, same symmetric InfoNCE), so the comparison in models/README.md is about the
architecture only. Documents are embedded with up to 256 tokens (the whole of most abstracts: a look-up is
cheap), queries with 64, titles with 32. --package writes a model folder that TextEncoder opens like any
other (`npm run eval -- --model <folder>`): the ONNX graph does the look-up and the pooling and returns
`sentence_embedding` [batch, dim].
"""
import argparse
import json
import os
import shutil
import signal
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import CACHE, ENC_DIR, set_threads
from corpus import Corpus
from train_encoder import make_batch, pad, pair_pool


class StaticEncoder(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=0)

    def forward(self, input_ids, attention_mask):
        m = attention_mask.unsqueeze(-1).to(self.emb.weight.dtype)
        pooled = (self.emb(input_ids) * m).sum(1) / m.sum(1).clamp(min=1.0)
        return F.normalize(pooled, dim=-1)


def glove_table(seed, dim=None):
    """[vocab, dim]: GloVe's 100 dims for the tokens it knows; other tokens, and dims past 100, small noise."""
    vecs = np.load(os.path.join(CACHE, "glove_vocab_init.npy")).astype(np.float32)
    found = np.load(os.path.join(CACHE, "glove_vocab_found.npy"))
    rng = np.random.default_rng(seed)
    scale = float(vecs[found].std())
    vecs[~found] = rng.normal(0, 0.1 * scale, size=(int((~found).sum()), vecs.shape[1]))
    if dim and dim > vecs.shape[1]:
        extra = rng.normal(0, 0.1 * scale, size=(vecs.shape[0], dim - vecs.shape[1])).astype(np.float32)
        vecs = np.concatenate([vecs, extra], axis=1)
    vecs[0] = 0.0  # [PAD]
    return torch.from_numpy(vecs), int(found.sum())


def package(ckpt, out_dir):
    """Model folder: tokenizer files of the bundled encoder, config.json, onnx/model.onnx."""
    blob = torch.load(ckpt, map_location="cpu")
    net = StaticEncoder(*blob["emb"].shape)
    net.emb.weight.data.copy_(blob["emb"])
    net.eval()
    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copyfile(os.path.join(ENC_DIR, f), os.path.join(out_dir, f))
    ids = torch.tensor([[101, 2023, 2003, 102], [101, 2023, 102, 0]])
    att = (ids != 0).long()
    onnx_path = os.path.join(out_dir, "onnx", "model.onnx")
    torch.onnx.export(net, (ids, att), onnx_path, input_names=["input_ids", "attention_mask"],
                      output_names=["sentence_embedding"], opset_version=14,
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                    "sentence_embedding": {0: "batch"}})
    cfg = {"architectures": ["StaticEmbedding"], "model_type": "static", "vocab_size": net.emb.weight.shape[0],
           "hidden_size": net.emb.weight.shape[1], "num_hidden_layers": 0, "pooling": "mean", "normalize": True,
           "max_tokens": blob["run"]["doc_len"], "query_prefix": "", "document_prefix": "",
           "onnx_file": "onnx/model.onnx", "onnx_precision": "fp32", "onnx_files": {"default": "onnx/model.onnx"},
           "onnx_inputs": ["input_ids", "attention_mask"], "onnx_outputs": ["sentence_embedding"]}
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    print("packaged", out_dir, os.path.getsize(onnx_path) / 1e6, "MB", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(CACHE, "static.pt"))
    ap.add_argument("--package", help="write a model folder from --out (no training)")
    ap.add_argument("--epochs", type=float, default=8)
    ap.add_argument("--dim", type=int, default=100, help="table width; GloVe fills the first 100")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--kinds", default="ict,title,halves")
    ap.add_argument("--query-len", type=int, default=64)
    ap.add_argument("--title-len", type=int, default=32)
    ap.add_argument("--doc-len", type=int, default=256)
    ap.add_argument("--hard-k", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--temp", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--log-every", type=int, default=20)
    a = ap.parse_args()
    set_threads(a.threads)
    if a.package:
        package(a.out, a.package)
        return
    kinds = a.kinds.split(",")
    corpus = Corpus()
    train, hard = pair_pool(corpus, a.hard_k)
    steps_per_epoch = len(train) // a.batch
    total = max(1, int(a.epochs * steps_per_epoch))
    table, found = glove_table(a.seed, a.dim)
    net = StaticEncoder(*table.shape)
    net.emb.weight.data.copy_(table)
    print(json.dumps({"pairs_pool": len(train), "steps_per_epoch": steps_per_epoch, "total_steps": total,
                      "dim": table.shape[1], "glove_rows": found, "kinds": kinds}), flush=True)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    stop = {"flag": False}
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, f: stop.update(flag=True))
    device = torch.device("cpu")
    t0 = time.time()
    ema, step, epoch, pos = {}, 0, 0, 0
    perm = np.random.default_rng([a.seed, 0]).permutation(len(train))
    while step < total and not stop["flag"] and time.time() - t0 < a.minutes * 60:
        if pos + a.batch > len(perm):
            epoch, pos = epoch + 1, 0
            perm = np.random.default_rng([a.seed, epoch]).permutation(len(train))
        kind = kinds[step % len(kinds)]
        rng = np.random.default_rng([a.seed, 1, step])
        q, d, neg = make_batch(corpus, train, perm[pos:pos + a.batch], kind, rng, hard, a)
        lr = a.lr * min(1.0, (step + 1) / a.warmup) * max(0.02, 1 - step / total)
        for g in opt.param_groups:
            g["lr"] = lr
        qv = net(*pad(q, device))
        dv = net(*pad(d + neg, device))
        tgt = torch.arange(len(q))
        sim = qv @ dv.t() / a.temp
        loss = (F.cross_entropy(sim, tgt) + F.cross_entropy(sim[:, :len(q)].t(), tgt)) / 2
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            net.emb.weight[0].zero_()
        step, pos = step + 1, pos + a.batch
        ema[kind] = float(loss) if kind not in ema else 0.9 * ema[kind] + 0.1 * float(loss)
        if step % a.log_every == 0:
            el = time.time() - t0
            print(f"step {step}/{total} epoch {epoch + pos / len(train):.2f} lr {lr:.2e} "
                  + " ".join(f"{k} {v:.3f}" for k, v in ema.items())
                  + f" | pairs/s {step * a.batch / el:.0f} t {el:.0f}s", flush=True)
    tmp = a.out + ".tmp"
    torch.save({"emb": net.emb.weight.detach().clone(), "run": vars(a), "step": step, "total_steps": total,
                "seconds": time.time() - t0}, tmp)
    os.replace(tmp, a.out)
    print(f"saved {a.out}: step {step}/{total}, {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
