"""One ONNX graph that returns a transformer encoder's vector and the static encoder's vector side by side.

  python3 combine_onnx.py --transformer ../atlas-mini-encoder/onnx/model_fp32.onnx --static $C/static.pt \
      --static-share 0.5 --out-dir ~/.cache/paper-atlas/models/atlas-combo-encoder [--int8]
  python3 combine_onnx.py --cut COMBINED.onnx OUT.onnx     (the transformer half alone, for benchmarks)

Each half is mean-pooled and L2-normalised, then scaled by sqrt(1 - share) and sqrt(share) and concatenated,
so the cosine of two combined vectors is (1 - share) x the transformer's cosine + share x the static one's:
an ensemble that costs one extra table look-up. The transformer reads the first --transformer-tokens
tokens (its attention is what costs), the static half the whole input (config max_tokens). The folder
gets the bundled encoder's tokenizer files and a config.json; TextEncoder opens it like any model.
"""
import argparse
import json
import os
import shutil

import numpy as np
import onnx
import onnx.utils
import torch
from onnx import TensorProto, helper, numpy_helper

import quantize_int8
from common import ENC_DIR

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def pooled(nodes, hidden, mask_f, prefix, out):
    """Masked mean over axis 1 of hidden [b, s, h] with mask_f [b, s, 1], then L2 normalisation."""
    nodes += [
        helper.make_node("Mul", [hidden, mask_f], [prefix + "_masked"]),
        helper.make_node("ReduceSum", [prefix + "_masked", "axis1"], [prefix + "_sum"], keepdims=0),
        helper.make_node("ReduceSum", [mask_f, "axis1"], [prefix + "_count0"], keepdims=0),
        helper.make_node("Max", [prefix + "_count0", "one_f"], [prefix + "_count"]),
        helper.make_node("Div", [prefix + "_sum", prefix + "_count"], [prefix + "_mean"]),
        helper.make_node("LpNormalization", [prefix + "_mean"], [out], axis=1, p=2),
    ]


def combine(transformer_onnx, table, static_share, transformer_tokens):
    """The combined graph (fp32), from an export_onnx.py encoder file and a static table [vocab, dims]."""
    m = onnx.load(transformer_onnx)
    g = m.graph
    # The transformer's nodes read sliced inputs; the graph's inputs stay the three int64 tensors.
    for node in g.node:
        node.input[:] = ["t_" + i if i in INPUTS else i for i in node.input]
    for o in list(g.output):
        g.output.remove(o)
    t_hidden = None
    g.initializer.extend([
        numpy_helper.from_array(np.array([0], dtype=np.int64), "start0"),
        numpy_helper.from_array(np.array([transformer_tokens], dtype=np.int64), "t_end"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "minus1"),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one_f"),
        numpy_helper.from_array(np.array(np.sqrt(1 - static_share), dtype=np.float32), "t_scale"),
        numpy_helper.from_array(np.array(np.sqrt(static_share), dtype=np.float32), "s_scale"),
        numpy_helper.from_array(np.ascontiguousarray(table, dtype=np.float32), "static_table"),
    ])
    for init in g.initializer:
        if "word_embeddings.weight" in init.name and len(init.dims) == 2:
            t_hidden = max(t_hidden or 0, init.dims[1])
    pre = [helper.make_node("Slice", [i, "start0", "t_end", "axis1"], ["t_" + i]) for i in INPUTS]
    post = [
        helper.make_node("Cast", ["t_attention_mask"], ["t_mask_f0"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["t_mask_f0", "minus1"], ["t_mask_f"]),
        helper.make_node("Cast", ["attention_mask"], ["s_mask_f0"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["s_mask_f0", "minus1"], ["s_mask_f"]),
        helper.make_node("Gather", ["static_table", "input_ids"], ["s_hidden"]),
    ]
    pooled(post, "last_hidden_state", "t_mask_f", "t", "t_vec")
    pooled(post, "s_hidden", "s_mask_f", "s", "s_vec")
    post += [
        helper.make_node("Mul", ["t_vec", "t_scale"], ["t_part"]),
        helper.make_node("Mul", ["s_vec", "s_scale"], ["s_part"]),
        helper.make_node("Concat", ["t_part", "s_part"], ["sentence_embedding"], axis=1),
    ]
    nodes = pre + list(g.node) + post
    del g.node[:]
    g.node.extend(nodes)
    dims = (t_hidden or 0) + table.shape[1]
    g.output.append(helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", dims]))
    del g.value_info[:]
    onnx.checker.check_model(m)
    return m, dims


def transformer_part(src, dst):
    """The transformer half of a combined file, returning last_hidden_state (for the encoding benchmark)."""
    m = onnx.load(src)
    sub = onnx.utils.Extractor(m).extract_model(list(INPUTS), ["last_hidden_state"])
    # the table may be stored as ..._fp16 or ..._q (with a ..._rowscale [vocab, 1] beside it): the widest is it
    hidden = max(i.dims[1] for i in sub.graph.initializer if "word_embeddings.weight" in i.name and len(i.dims) == 2)
    del sub.graph.output[:]
    sub.graph.output.append(helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden]))
    onnx.checker.check_model(sub)
    onnx.save(sub, dst)


def static_table(ckpt):
    return torch.load(ckpt, map_location="cpu")["emb"].float().numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cut", nargs=2, metavar=("COMBINED", "OUT"), help="only write the transformer half of a combined file")
    ap.add_argument("--transformer", help="fp32 ONNX with last_hidden_state (export_onnx.py)")
    ap.add_argument("--transformer-config", default=os.path.join(ENC_DIR, "config.json"))
    ap.add_argument("--static", help="train_static.py checkpoint")
    ap.add_argument("--static-share", type=float, default=0.5)
    ap.add_argument("--transformer-tokens", type=int, default=128)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--out-dir")
    ap.add_argument("--int8", action="store_true")
    a = ap.parse_args()
    if a.cut:
        return transformer_part(*a.cut)
    if not a.transformer or not a.static or not a.out_dir:
        ap.error("--transformer, --static and --out-dir are required")
    m, dims = combine(a.transformer, static_table(a.static), a.static_share, a.transformer_tokens)
    os.makedirs(os.path.join(a.out_dir, "onnx"), exist_ok=True)
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copyfile(os.path.join(ENC_DIR, f), os.path.join(a.out_dir, f))
    out = os.path.join(a.out_dir, "onnx", "model.onnx")
    if a.int8:
        tmp = out + ".fp32.tmp"
        onnx.save(m, tmp)
        quantize_int8.main(tmp, out)
        os.remove(tmp)
    else:
        onnx.save(m, out)
    cfg = json.load(open(a.transformer_config))
    cfg.update({"sentence_embedding_dims": dims, "static_share": a.static_share,
                "transformer_tokens": a.transformer_tokens, "max_tokens": a.max_tokens, "onnx_file": "onnx/model.onnx",
                "onnx_precision": "int8" if a.int8 else "fp32", "onnx_files": {"default": "onnx/model.onnx"},
                "onnx_outputs": ["sentence_embedding"]})
    with open(os.path.join(a.out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    print("wrote", out, os.path.getsize(out) / 1e6, "MB, dims", dims)


if __name__ == "__main__":
    main()
