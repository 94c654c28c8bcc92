"""Masked-LM pre-training of atlas-mini on arXiv + ACL abstracts (training split only, rule in split.py).

  python3 train_mlm.py --out /work/cache/training/mlm.pt --minutes 60            # first sitting
  python3 train_mlm.py --out /work/cache/training/mlm.pt --minutes 60 --resume   # every later sitting

Why it is fast (issue 14; the first version processed ~5x fewer tokens/s on the same cores):
* The corpus is pre-tokenised (tokenize_corpus.mjs) and held in memory as one array. Each epoch the
  training texts (`[CLS] abstract [SEP]`) are shuffled and concatenated into a stream that is cut into
  rows of --seq tokens: no padding. Attention is block-diagonal (a token only sees its own text) and
  position ids restart at every text, so a row holds several texts as if they were separate inputs.
* Batches are slices of that stream; masking is vectorised tensor code (no Python loop per batch):
  whole-word + n-gram (span) masking -- spans of 1..n whole words (--ngram-probs), 80 % [MASK] /
  10 % random / 10 % kept per word, ~15 % of tokens.
* The 30,522-way vocabulary projection runs only at the masked positions, fused with the cross-entropy and
  its gradient in chunks of rows (VocabCE), so the full logits matrix is never materialised.
* Matmuls run in bfloat16 (autocast; weights, optimizer and loss stay fp32) when the CPU has
  AVX512-BF16/AMX (oneDNN kernels, ~5-10x the fp32 OpenBLAS rate on this EPYC) or on CUDA.
* 2 intra-op threads (common.set_threads); OpenBLAS via setup_blas.sh for the remaining fp32 matmuls.

Resumable: the checkpoint (--out, rewritten atomically every --save-minutes, on SIGTERM/SIGINT and at the
end) holds model, optimizer, step, epoch, position in the epoch, tokens seen and RNG state. The data order
of epoch e is a function of (seed, e) and the masking of step s a function of (seed, s), so a resumed run
continues exactly where it stopped. The LR schedule is in steps (--epochs sets the total), so sittings
of any length add up to the same run. Checkpoints live outside the repository (common.CACHE).

--device cuda trains on a GPU (falls back to CPU with a message when CUDA is not available).
"""
import argparse
import json
import math
import os
import signal
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import CACHE, ENC_DIR, set_threads
from corpus import Corpus, CLS, SEP, MASK, continuation_mask
from model import BertMLM, Cfg

NEG = -10000.0


def glove_init(model):
    init = np.load(os.path.join(CACHE, "glove_vocab_init.npy"))
    found = np.load(os.path.join(CACHE, "glove_vocab_found.npy"))
    std = init[found].std()
    scale = model.bert.cfg.initializer_range / std
    W = model.bert.embeddings.word_embeddings.weight
    with torch.no_grad():
        W[torch.from_numpy(found), :init.shape[1]] = torch.from_numpy(init[found] * scale).to(W.device)
        W[0].zero_()
    return int(found.sum()), float(scale)


def pick_device(name):
    if name in ("cuda", "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        if name == "cuda":
            print("WARNING: --device cuda requested but CUDA is not available "
                  f"(torch {torch.__version__}, built with CUDA: {torch.version.cuda}); training on the CPU instead",
                  flush=True)
    return torch.device("cpu")


def cpu_has_bf16():
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


def pick_precision(name, device):
    if name != "auto":
        return name
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "bf16" if cpu_has_bf16() else "fp32"


def autocast(device, precision):
    if precision == "fp32":
        return torch.autocast(device_type=device.type, enabled=False)
    dt = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=device.type, dtype=dt)


class TextSet:
    """Texts `[CLS] ids [SEP]` (each at most max_text tokens) in one flat array, for packing into rows."""

    def __init__(self, corpus, idx, max_text):
        parts, lens = [], []
        for i in idx:  # once at start-up, not per batch
            a = corpus.abstract(i)
            if len(a) == 0:
                a = corpus.title(i)
            if len(a) == 0:
                continue
            a = a[: max_text - 2]
            parts.append(np.concatenate([[CLS], a, [SEP]]).astype(np.int32))
            lens.append(len(a) + 2)
        self.flat = np.concatenate(parts)
        self.lens = np.asarray(lens, dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.lens)[:-1]])
        self.n_tokens = int(self.lens.sum())

    def packed(self, order, seq):
        """Concatenate texts in `order`, cut into rows of `seq`. Returns ids, text id, position (each [rows, seq])."""
        lens, starts = self.lens[order], self.starts[order]
        total = int(lens.sum())
        out_starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
        gather = np.repeat(starts - out_starts, lens) + np.arange(total)
        ids = self.flat[gather]
        text = np.repeat(np.arange(len(order), dtype=np.int32), lens)
        pos = (np.arange(total) - np.repeat(out_starts, lens)).astype(np.int16)
        rows = total // seq
        cut = rows * seq
        return (ids[:cut].reshape(rows, seq), text[:cut].reshape(rows, seq), pos[:cut].reshape(rows, seq))


def span_start_prob(rate, probs):
    """P(word starts a span) so that the expected share of masked words is `rate` with overlapping spans:
    P(word not covered) = prod_j (1 - p * P(len > j))."""
    tail = [sum(probs[j:]) for j in range(len(probs))]
    lo, hi = 0.0, 1.0
    for _ in range(60):
        p = (lo + hi) / 2
        cov = 1 - np.prod([1 - p * t for t in tail])
        lo, hi = (p, hi) if cov < rate else (lo, p)
    return (lo + hi) / 2


class Masker:
    """Whole-word n-gram masking on a [b, s] id tensor, all in tensor ops (CPU or CUDA)."""

    def __init__(self, cont, device, rate=0.15, ngram_probs=(0.5, 0.3, 0.2), vocab=30522, piece_rate=0.0):
        self.cont = torch.from_numpy(cont).to(device)
        self.piece_rate = piece_rate
        self.probs = torch.tensor(ngram_probs, dtype=torch.float32, device=device)
        self.p_start = span_start_prob(rate, list(ngram_probs))
        self.vocab = vocab
        self.device = device

    def __call__(self, ids, gen):
        special = (ids == CLS) | (ids == SEP)
        start = ~self.cont[ids] & ~special
        start[:, 0] |= ~special[:, 0]  # a row may begin inside a word: count it as a word start
        start[:, 1:] |= ~special[:, 1:] & special[:, :-1]  # so may a text ('##' piece right after [CLS])
        ws = start.reshape(-1)
        wid = (torch.cumsum(ws.to(torch.int64), 0) - 1).clamp(min=0)
        n_words = int(ws.sum())
        # spans of 1..n whole words: mark starts, add +1 at start and -1 after the span, prefix-sum
        is_start = torch.rand(n_words, generator=gen, device=self.device) < self.p_start
        first = is_start.nonzero().squeeze(1)
        length = torch.multinomial(self.probs, len(first), replacement=True, generator=gen) + 1 if len(first) else first
        diff = torch.zeros(n_words + len(self.probs) + 1, dtype=torch.int32, device=self.device)
        diff.index_add_(0, first, torch.ones_like(first, dtype=torch.int32))
        diff.index_add_(0, first + length, -torch.ones_like(first, dtype=torch.int32))
        covered = torch.cumsum(diff, 0)[:n_words] > 0
        u = torch.rand(n_words, generator=gen, device=self.device)[wid]
        masked = covered[wid] & ~special.reshape(-1)
        if self.piece_rate > 0:
            # single WordPieces of multi-piece words, the rest of the word left visible (see --piece-rate)
            cont = self.cont[ids] & ~special
            in_multi = cont.clone()
            in_multi[:, :-1] |= cont[:, 1:]
            piece = (in_multi & ~special).reshape(-1) & ~masked
            piece &= torch.rand(piece.shape, generator=gen, device=self.device) < self.piece_rate
            u = torch.where(piece, torch.rand(piece.shape, generator=gen, device=self.device), u)
            masked |= piece
        flat = ids.reshape(-1)
        inp = torch.where(masked & (u < 0.8), torch.full_like(flat, MASK), flat)
        rnd = torch.randint(1000, self.vocab, flat.shape, generator=gen, device=self.device)
        inp = torch.where(masked & (u >= 0.8) & (u < 0.9), rnd, inp)
        sel = masked.nonzero().squeeze(1)
        return inp.view_as(ids), sel, flat[sel]


def attn_bias(text):
    """[b, s] text ids -> [b, 1, s, s] additive bias: 0 within a text, -10000 across texts."""
    return torch.where(text[:, :, None] == text[:, None, :], 0.0, NEG).unsqueeze(1)


class VocabCE(torch.autograd.Function):
    """Mean cross-entropy of softmax(h @ W.T + b) against tgt, in chunks of rows, with the gradient computed in
    the same pass: the [masked tokens x 30,522] logits (~75 MB per step) are never held whole, and nothing
    of that size is written and read back for the backward pass (profiling: these memory-bound passes, not
    the FLOPs, dominated a step). Matmuls in `dtype` (bf16 on AVX512-BF16 / CUDA), softmax in fp32.
    Returns (loss, number of correct argmax predictions)."""

    @staticmethod
    def forward(ctx, h, W, b, tgt, chunk, dtype):
        n = h.shape[0]
        acc = torch.promote_types(h.dtype, torch.float32)  # softmax / accumulation precision
        hm, Wm = h.to(dtype), W.to(dtype)
        gh = torch.empty_like(h)
        gW = torch.zeros(W.shape, dtype=acc, device=W.device)
        gb = torch.zeros(b.shape, dtype=acc, device=b.device)
        total = torch.zeros((), dtype=acc, device=h.device)
        correct = torch.zeros((), dtype=torch.int64, device=h.device)
        for s in range(0, n, chunk):
            x, t = hm[s:s + chunk], tgt[s:s + chunk]
            rows = torch.arange(len(t), device=h.device)
            z = torch.mm(x, Wm.t()).to(acc).add_(b)
            correct += (z.argmax(1) == t).sum()
            lse = torch.logsumexp(z, 1)
            total += (lse - z[rows, t]).sum()
            p = z.sub_(lse[:, None]).exp_()  # softmax in place
            p[rows, t] -= 1.0
            pm = p.div_(n).to(dtype)
            gh[s:s + chunk] = torch.mm(pm, Wm).to(h.dtype)
            gW += torch.mm(pm.t(), x).to(acc)
            gb += p.sum(0)
        ctx.save_for_backward(gh, gW.to(W.dtype), gb.to(b.dtype))
        ctx.mark_non_differentiable(correct)
        return total / n, correct

    @staticmethod
    def backward(ctx, g, _g_correct):
        gh, gW, gb = ctx.saved_tensors
        return gh * g, gW * g, gb * g, None, None, None


def mlm_loss(model, ids, text, pos, masker, gen, device, precision, chunk=512):
    """Returns (mean loss over masked tokens, correct predictions, masked tokens)."""
    inp, sel, tgt = masker(ids, gen)
    with autocast(device, precision):
        h = model.bert(inp, None, torch.zeros_like(inp), position_ids=pos, attn_bias=attn_bias(text))
        hm = model.head.transform(h.reshape(-1, h.shape[-1]).index_select(0, sel))  # masked positions only
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision, torch.float32)
    head = model.head
    loss, correct = VocabCE.apply(hm.float(), head.word_embeddings.weight, head.bias, tgt, chunk, dtype)
    return loss, int(correct), len(tgt)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(CACHE, "mlm.pt"), help="checkpoint (written atomically)")
    ap.add_argument("--resume", action="store_true", help="continue from --out (or --resume-from) if it exists")
    ap.add_argument("--resume-from", help="checkpoint to continue from (default --out)")
    ap.add_argument("--init", help="start from these weights (new optimizer/schedule), e.g. an older run")
    ap.add_argument("--minutes", type=float, default=60, help="wall-time budget of this sitting")
    ap.add_argument("--max-steps", type=int, default=0, help="stop this sitting after this many steps (0 = no limit)")
    ap.add_argument("--epochs", type=float, default=6, help="length of the whole run (sets the LR schedule)")
    ap.add_argument("--batch", type=int, default=64, help="rows per step")
    ap.add_argument("--seq", type=int, default=256, help="tokens per packed row")
    ap.add_argument("--max-text", type=int, default=512, help="texts are truncated to this many tokens")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr-ratio", type=float, default=0.02)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--wd", type=float, default=0.01)
    ap.add_argument("--mask-rate", type=float, default=0.15)
    ap.add_argument("--ngram-probs", default="0.5,0.3,0.2", help="P(span of 1, 2, 3.. whole words)")
    ap.add_argument("--piece-rate", type=float, default=0.0,
                    help="also mask each WordPiece of a multi-piece word alone, rest of the word visible, with this "
                         "probability. Whole-word masking alone never shows the model a word with one piece hidden; "
                         "pseudo-perplexity scores exactly that (0.0 = whole words only, the runs before session 9)")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    ap.add_argument("--precision", default="auto", choices=["auto", "bf16", "fp16", "fp32"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=512, help="masked rows per vocabulary-projection chunk")
    ap.add_argument("--save-minutes", type=float, default=5)
    ap.add_argument("--log-every", type=int, default=20)
    ap.add_argument("--eval-rows", type=int, default=32, help="held-out rows scored at every checkpoint")
    ap.add_argument("--fit-minutes", type=float, default=0,
                    help="new runs only: after 20 steps, shorten the schedule (total steps) so that the whole run "
                         "fits in this many minutes at the measured speed (for one-shot GPU runs)")
    ap.add_argument("--total-steps", type=int, default=0,
                    help="set the run's schedule length (steps), also when resuming: a sitting that turns out "
                         "shorter than planned still ends with the learning rate decayed (linear decay, so the "
                         "LR moves only by (step/old - step/new) at the switch)")
    ap.add_argument("--weights-out", help="also write cfg + fp16 weights only (no optimizer) here at the end")
    a = ap.parse_args()

    device = pick_device(a.device)
    if device.type == "cpu":
        set_threads(a.threads)
    precision = pick_precision(a.precision, device)
    if precision == "fp16":
        print("fp16 autocast is not supported here (no loss scaling); using bf16", flush=True)
        precision = "bf16"
    blas = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower()}) \
        if os.path.exists("/proc/self/maps") else []
    print(json.dumps({"device": str(device), "precision": precision, "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "blas": blas,
                      "omp": os.environ.get("OMP_NUM_THREADS"), "omp_wait": os.environ.get("OMP_WAIT_POLICY")}),
          flush=True)

    resume_path = a.resume_from or a.out
    blob = torch.load(resume_path, map_location="cpu") if a.resume and os.path.exists(resume_path) else None
    if a.resume and blob is None:
        print(f"no checkpoint at {resume_path}: starting a new run", flush=True)
    if blob is not None:  # the run's shape, data and schedule come from the checkpoint
        run = blob["run"]
        for k in ("batch", "seq", "max_text", "lr", "min_lr_ratio", "warmup", "wd", "mask_rate", "ngram_probs",
                  "seed", "epochs", "layers", "hidden", "heads", "ffn", "dropout"):
            setattr(a, k, run[k])
        a.piece_rate = run.get("piece_rate", 0.0)
    probs = [float(x) for x in str(a.ngram_probs).split(",")]
    probs = [p / sum(probs) for p in probs]

    t_load = time.time()
    corpus = Corpus()
    train = TextSet(corpus, corpus.train_idx, a.max_text)
    held = [i for i in corpus.held_idx if corpus.docs[i]["src"] == "arxiv"]
    held_set = TextSet(corpus, held, a.max_text)
    cont = continuation_mask(os.path.join(ENC_DIR, "vocab.txt"))
    masker = Masker(cont, device, a.mask_rate, probs, piece_rate=a.piece_rate)
    rows_per_epoch = train.n_tokens // a.seq
    steps_per_epoch = rows_per_epoch // a.batch
    total_steps = a.total_steps or max(1, int(a.epochs * steps_per_epoch))
    print(json.dumps({"train_texts": len(train.lens), "train_tokens": train.n_tokens, "heldout_texts": len(held_set.lens),
                      "rows_per_epoch": rows_per_epoch, "steps_per_epoch": steps_per_epoch,
                      "total_steps": total_steps, "span_start_p": round(masker.p_start, 4),
                      "load_seconds": round(time.time() - t_load, 1)}), flush=True)

    cfg = Cfg(hidden_size=a.hidden, num_hidden_layers=a.layers, num_attention_heads=a.heads, intermediate_size=a.ffn,
              hidden_dropout_prob=a.dropout, attention_probs_dropout_prob=a.dropout)
    torch.manual_seed(a.seed)  # initial weights (a resumed run overwrites them and restores the RNG below)
    model = BertMLM(cfg)
    if blob is not None:
        model.load_state_dict(blob["model"])
    elif a.init:
        model.load_state_dict(torch.load(a.init, map_location="cpu")["model"])
        print("weights from", a.init, flush=True)
    else:
        nf, sc = glove_init(model)
        print(f"GloVe-initialised {nf} token rows (scale {sc:.4f})", flush=True)
    model.to(device)
    print("params", sum(p.numel() for p in model.parameters()), flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98), eps=1e-6, foreach=True)
    state = {"step": 0, "epoch": 0, "row": 0, "tokens": 0, "masked": 0, "seconds": 0.0, "sittings": 0,
             "total_steps": total_steps}
    if blob is not None:
        opt.load_state_dict(blob["opt"])
        state.update(blob["state"])
        total_steps = state["total_steps"]
        torch.set_rng_state(blob["torch_rng"])
        if a.total_steps and a.total_steps != total_steps:
            print(f"--total-steps: schedule {total_steps} -> {a.total_steps} steps", flush=True)
            total_steps = state["total_steps"] = max(a.total_steps, state["step"] + 1)
        print(f"resumed from {resume_path}: step {state['step']} epoch {state['epoch']} row {state['row']} "
              f"tokens {state['tokens']}", flush=True)
    state["sittings"] += 1

    # fixed held-out rows and masking: a cheap running estimate (eval_mlm.py is the real held-out eval)
    ev = [torch.from_numpy(x[: a.eval_rows].astype(np.int64)).to(device)
          for x in held_set.packed(np.random.default_rng(7).permutation(len(held_set.lens)), a.seq)]

    def heldout_acc():
        model.eval()
        g = torch.Generator(device=device)
        g.manual_seed(7)
        with torch.no_grad():
            loss, correct, n = mlm_loss(model, ev[0], ev[1], ev[2], masker, g, device, precision, a.chunk)
        model.train()
        return correct / max(n, 1), float(loss)

    def save(reason):
        ha, hl = heldout_acc()
        blob_out = {"cfg": cfg.__dict__, "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
                    "opt": opt.state_dict(), "state": dict(state), "torch_rng": torch.get_rng_state(),
                    "run": {k: getattr(a, k) for k in ("batch", "seq", "max_text", "lr", "min_lr_ratio", "warmup",
                                                       "wd", "mask_rate", "ngram_probs", "piece_rate", "seed", "epochs",
                                                       "layers", "hidden", "heads", "ffn", "dropout")},
                    "total_steps": state["total_steps"], "heldout_acc": ha, "heldout_loss": hl,
                    # fields read by eval_mlm.py / export scripts
                    "step": state["step"], "tokens": state["tokens"], "seconds": state["seconds"],
                    "epochs": state["epoch"] + state["row"] / rows_per_epoch, "args": vars(a)}
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        tmp = a.out + ".tmp"
        torch.save(blob_out, tmp)
        os.replace(tmp, a.out)
        print(f"saved {a.out} ({reason}) step {state['step']} heldout masked acc {ha:.3f} loss {hl:.3f}", flush=True)

    stop = {"flag": False}

    def on_signal(signum, _frame):
        print(f"signal {signum}: saving and stopping", flush=True)
        stop["flag"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def epoch_rows(e):
        order = np.random.default_rng([a.seed, e]).permutation(len(train.lens))
        return [torch.from_numpy(x.astype(np.int64)).to(device) for x in train.packed(order, a.seq)]

    ids_all, text_all, pos_all = epoch_rows(state["epoch"])
    gen = torch.Generator(device=device)
    model.train()
    t0 = time.time()
    last_save, last_log = t0, t0
    tok0, steps0 = state["tokens"], state["step"]
    ema_loss = ema_acc = None
    budget = a.minutes * 60
    while state["step"] < total_steps and not stop["flag"]:
        if time.time() - t0 >= budget or (a.max_steps and state["step"] - steps0 >= a.max_steps):
            break
        if state["row"] + a.batch > len(ids_all):
            state["epoch"] += 1
            state["row"] = 0
            ids_all, text_all, pos_all = epoch_rows(state["epoch"])
        r = state["row"]
        step = state["step"]
        lr = a.lr * min(1.0, (step + 1) / a.warmup) * max(a.min_lr_ratio, 1 - step / total_steps)
        for g in opt.param_groups:
            g["lr"] = lr
        gen.manual_seed(a.seed * 1_000_003 + step)
        loss, correct, n_masked = mlm_loss(model, ids_all[r:r + a.batch], text_all[r:r + a.batch],
                                           pos_all[r:r + a.batch], masker, gen, device, precision, a.chunk)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        now = time.time()
        if a.fit_minutes and blob is None and state["step"] == 20:
            fit = int(20 + (a.fit_minutes * 60 - (now - t0)) / ((now - t0) / 20))
            if fit < total_steps:
                total_steps = state["total_steps"] = max(fit, a.warmup + 1)
                print(f"--fit-minutes {a.fit_minutes}: schedule shortened to {total_steps} steps", flush=True)
        state["step"] += 1
        state["row"] += a.batch
        state["tokens"] += a.batch * a.seq
        state["masked"] += n_masked
        lv = float(loss)
        ema_loss = lv if ema_loss is None else 0.95 * ema_loss + 0.05 * lv
        if state["step"] % a.log_every == 0 or state["step"] == total_steps:
            acc = correct / max(n_masked, 1)
            el = now - t0
            print(f"step {state['step']}/{total_steps} epoch {state['epoch'] + state['row'] / rows_per_epoch:.3f} "
                  f"lr {lr:.2e} loss {ema_loss:.3f} acc {acc:.3f} masked/step {n_masked} "
                  f"tok/s {(state['tokens'] - tok0) / max(el, 1e-9):.0f} t {el:.0f}s "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        if now - last_save > a.save_minutes * 60:
            state["seconds"] += now - last_save
            last_save = now
            save("periodic")
    state["seconds"] += time.time() - last_save
    el = time.time() - t0
    save("end" if state["step"] >= total_steps else "stop")
    if a.weights_out:
        os.makedirs(os.path.dirname(os.path.abspath(a.weights_out)), exist_ok=True)
        torch.save({"cfg": cfg.__dict__, "model": {k: v.detach().cpu().half() for k, v in model.state_dict().items()},
                    "state": dict(state), "step": state["step"], "tokens": state["tokens"],
                    "seconds": state["seconds"]}, a.weights_out)
        print("weights written to", a.weights_out, flush=True)
    print(f"sitting done: steps {state['step'] - steps0} tokens {state['tokens'] - tok0} seconds {el:.1f} "
          f"tok/s {(state['tokens'] - tok0) / max(el, 1e-9):.0f} | run: step {state['step']}/{total_steps} "
          f"tokens {state['tokens']} epochs {state['epoch'] + state['row'] / rows_per_epoch:.3f}", flush=True)


if __name__ == "__main__":
    main()
