"""Grow a trained MLM into a wider and deeper one that computes the same function, so that a larger model
starts from everything the small one learnt instead of from scratch (issue 14: on 2 CPU cores a 4 x 256
model from scratch sees ~65 M tokens in a sitting; the 2 x 128 one had seen 316 M).

  python3 grow_mlm.py --from cache/mlm5.pt --out cache/mlm6_grown.pt --layers 4 --hidden 256 --heads 4 --ffn 1024
  python3 train_mlm.py --init cache/mlm6_grown.pt --layers 4 --hidden 256 --heads 4 --ffn 1024 ...

Width (hidden h -> k*h, FFN f -> k*f, heads a -> k*a; head size unchanged): every vector of the residual
stream becomes k copies of itself. LayerNorm over copies has the same mean and variance, so it gives copies
(gamma, beta copied). A Linear layer that reads copies gets its weight split between the input copies by a
random share per weight that sums to 1 over the copies: the output is unchanged, but the copies of a unit
have different outgoing weights, so they get different gradients and stop being copies once training starts
(an equal split would keep them identical forever). The new heads are copies of the old ones (same head size,
same scores). Embedding tables are copied and divided by k: the embedding LayerNorm removes the scale, and
the tied decoder, which sums over k copies, gets back the old logits.

Depth (L -> L + n): new layers go on top with their two output projections (attention output, FFN output)
zero, so each adds nothing to its residual stream; the old last layer's final LayerNorm affine moves to the
top new layer, and every other LayerNorm on the way is plain (gamma 1, beta 0), which leaves a normalised
vector as it is. The grown model's logits equal the old ones up to float rounding (checked below, on
held-out rows).
"""
import argparse

import torch

from model import BertMLM, Cfg


def split_in(w, k, gen):
    """[out, in] -> [out, k*in]: input copies share each weight by random fractions that sum to 1."""
    r = torch.rand((k,) + tuple(w.shape), generator=gen) + 0.5
    r = r / r.sum(0, keepdim=True)
    return torch.cat([w * r[i] for i in range(k)], dim=1)


def widen_linear(w, b, k, gen, widen_in=True, widen_out=True):
    out_blocks = k if widen_out else 1
    rows = [split_in(w, k, gen) if widen_in else w for _ in range(out_blocks)]
    return torch.cat(rows, dim=0), (b.repeat(out_blocks) if b is not None else None)


def grow(small_sd, small_cfg, layers, hidden, heads, ffn, seed=0):
    k = hidden // small_cfg.hidden_size
    assert hidden == k * small_cfg.hidden_size and ffn == k * small_cfg.intermediate_size, "width must grow by one factor"
    assert heads == k * small_cfg.num_attention_heads, "heads grow with the width (head size unchanged)"
    assert layers >= small_cfg.num_hidden_layers
    gen = torch.Generator().manual_seed(seed)
    cfg = Cfg(**{**small_cfg.__dict__, "hidden_size": hidden, "num_hidden_layers": layers,
                 "num_attention_heads": heads, "intermediate_size": ffn})
    big = BertMLM(cfg)  # new layers' random init (Q, K, V, FFN input) comes from here
    sd = {name: t.clone() for name, t in big.state_dict().items()}
    s = small_sd
    for t in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        sd[f"bert.embeddings.{t}.weight"] = s[f"bert.embeddings.{t}.weight"].repeat(1, k) / k
    sd["head.word_embeddings.weight"] = sd["bert.embeddings.word_embeddings.weight"]
    for ln in ("bert.embeddings.LayerNorm", "head.ln"):
        sd[ln + ".weight"] = s[ln + ".weight"].repeat(k)
        sd[ln + ".bias"] = s[ln + ".bias"].repeat(k)
    sd["head.dense.weight"], sd["head.dense.bias"] = widen_linear(s["head.dense.weight"], s["head.dense.bias"], k, gen)
    sd["head.bias"] = s["head.bias"].clone()
    old = small_cfg.num_hidden_layers
    for i in range(old):
        p = f"bert.layers.{i}."
        for lin in ("query", "key", "value", "attn_out", "inter", "out"):
            sd[p + lin + ".weight"], sd[p + lin + ".bias"] = widen_linear(s[p + lin + ".weight"], s[p + lin + ".bias"], k, gen)
        for ln in ("ln1", "ln2"):
            sd[p + ln + ".weight"] = s[p + ln + ".weight"].repeat(k)
            sd[p + ln + ".bias"] = s[p + ln + ".bias"].repeat(k)
    if layers > old:
        last = f"bert.layers.{old - 1}.ln2."
        top = f"bert.layers.{layers - 1}.ln2."
        sd[top + "weight"], sd[top + "bias"] = sd[last + "weight"].clone(), sd[last + "bias"].clone()
        sd[last + "weight"], sd[last + "bias"] = torch.ones(hidden), torch.zeros(hidden)
        for i in range(old, layers):
            p = f"bert.layers.{i}."
            for lin in ("attn_out", "out"):
                sd[p + lin + ".weight"].zero_()
                sd[p + lin + ".bias"].zero_()
            for ln in ("ln1", "ln2"):
                if p + ln != top[:-1]:
                    sd[p + ln + ".weight"], sd[p + ln + ".bias"] = torch.ones(hidden), torch.zeros(hidden)
    big.load_state_dict(sd)
    return big, cfg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--from", dest="src", required=True, help="train_mlm.py checkpoint of the small model")
    ap.add_argument("--out", required=True)
    ap.add_argument("--layers", type=int, required=True)
    ap.add_argument("--hidden", type=int, required=True)
    ap.add_argument("--heads", type=int, required=True)
    ap.add_argument("--ffn", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    blob = torch.load(a.src, map_location="cpu")
    small_cfg = Cfg(**blob["cfg"])
    small = BertMLM(small_cfg)
    small.load_state_dict({k: v.float() for k, v in blob["model"].items()})
    big, cfg = grow(small.state_dict(), small_cfg, a.layers, a.hidden, a.heads, a.ffn, a.seed)
    small.eval()
    big.eval()
    gen = torch.Generator().manual_seed(1)
    ids = torch.randint(1000, 30000, (4, 96), generator=gen)
    ids[:, 0], ids[:, -1] = 101, 102
    ids[:, 10:14] = 103
    mask, tt = torch.ones_like(ids), torch.zeros_like(ids)
    with torch.no_grad():
        a_logits, b_logits = small(ids, mask, tt), big(ids, mask, tt)
    diff = (a_logits - b_logits).abs().max().item()
    same_top = (a_logits.argmax(-1) == b_logits.argmax(-1)).float().mean().item()
    print(f"grown {small_cfg.num_hidden_layers}x{small_cfg.hidden_size} -> {cfg.num_hidden_layers}x{cfg.hidden_size}: "
          f"params {sum(p.numel() for p in big.parameters()):,}; max |logit difference| {diff:.2e}, "
          f"same top-1 {same_top:.3f}", flush=True)
    assert diff < 1e-2, "the grown model does not compute the small one's function"
    torch.save({"cfg": cfg.__dict__, "model": big.state_dict(), "grown_from": a.src}, a.out)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
