"""Export atlas-mini checkpoints to ONNX (fp32), optionally with fp16-stored initialisers.

  python3 export_onnx.py --kind encoder --ckpt cache/enc.pt --out ../atlas-mini-encoder/onnx/model_fp32.onnx
  python3 export_onnx.py --kind mlm --ckpt cache/mlm.pt --out ../atlas-mini-mlm/onnx/model.onnx --fp16-storage
  python3 export_onnx.py --kind encoder --random L,H,A,F --out /tmp/x.onnx   (speed benchmarking)

Inputs: input_ids, attention_mask, token_type_ids (int64 [batch, seq]).
Outputs: encoder -> last_hidden_state [batch, seq, hidden]; mlm -> logits [batch, seq, 30522].
"""
import argparse
import os

import numpy as np
import onnx
from onnx import numpy_helper, helper, TensorProto
import torch

from common import set_threads
from model import Bert, BertMLM, Cfg


class EncWrap(torch.nn.Module):
    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert(input_ids, attention_mask, token_type_ids)


def fp16_storage(model, min_size=1 << 16):
    """Store large float initialisers as fp16 and Cast them back to fp32 in the graph."""
    g = model.graph
    new_inits, casts = [], []
    for init in list(g.initializer):
        if init.data_type != TensorProto.FLOAT:
            continue
        arr = numpy_helper.to_array(init)
        if arr.size < min_size:
            continue
        name = init.name
        h = numpy_helper.from_array(arr.astype(np.float16), name + "_fp16")
        g.initializer.remove(init)
        new_inits.append(h)
        casts.append(helper.make_node("Cast", [name + "_fp16"], [name], to=TensorProto.FLOAT, name="cast_" + name))
    g.initializer.extend(new_inits)
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    return model


def int8_storage(model, min_size=1 << 16):
    """Store large 2-D float initialisers as int8 with one scale per output unit or table row, and rebuild them
    in the graph as Cast(int8) * scale. A weight read straight by MatMul ([in, out]) gets one scale per column;
    a table read by Gather and a weight in torch's [out, in] layout (the MLM export reads it through a
    Transpose) get one per row: per token vector, per output unit.
    ORT folds that at load, so the session runs the same fp32 graph as with fp32 or fp16 storage (same ops,
    same speed; the vocabulary-head rewrite in keywordHeadGather.ts still finds its MatMuls); only the file
    is half the size of fp16 storage. Weight-only rounding: the error is checked by the caller's eval."""
    g = model.graph
    matmul_b = {n.input[1] for n in g.node if n.op_type == "MatMul"}
    new_inits, nodes = [], []
    for init in list(g.initializer):
        if init.data_type != TensorProto.FLOAT or len(init.dims) != 2:
            continue
        arr = numpy_helper.to_array(init)
        if arr.size < min_size:
            continue
        name = init.name
        axis = 0 if name in matmul_b else 1  # the axis reduced: the input axis of a weight, the hidden axis of a table
        scale = (np.maximum(np.abs(arr).max(axis=axis, keepdims=True), 1e-12) / 127.0).astype(np.float32)
        q = np.clip(np.round(arr / scale), -127, 127).astype(np.int8)
        g.initializer.remove(init)
        new_inits += [numpy_helper.from_array(q, name + "_int8"), numpy_helper.from_array(scale, name + "_scale")]
        nodes += [helper.make_node("Cast", [name + "_int8"], [name + "_cast"], to=TensorProto.FLOAT, name="cast_" + name),
                  helper.make_node("Mul", [name + "_cast", name + "_scale"], [name], name="scale_" + name)]
    g.initializer.extend(new_inits)
    nodes += list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    return model


def dedupe_check(model):
    shapes = {}
    for init in model.graph.initializer:
        key = tuple(init.dims)
        shapes.setdefault(key, []).append(init.name)
    big = {k: v for k, v in shapes.items() if np.prod(k) >= 30522 * 64}
    for k, v in big.items():
        assert len(v) == 1, f"duplicated large initialiser {k}: {v}"


def export(net, out, kind, opset=14):
    net.eval()
    ids = torch.randint(1000, 5000, (2, 16), dtype=torch.long)
    mask = torch.ones(2, 16, dtype=torch.long)
    tt = torch.zeros(2, 16, dtype=torch.long)
    out_name = "last_hidden_state" if kind == "encoder" else "logits"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    torch.onnx.export(
        net, (ids, mask, tt), out, opset_version=opset,
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=[out_name],
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                      "token_type_ids": {0: "batch", 1: "sequence"}, out_name: {0: "batch", 1: "sequence"}},
        do_constant_folding=(kind == "encoder"),
    )


def load(kind, ckpt=None, random_spec=None):
    if random_spec:
        L, H, A, Fi = map(int, random_spec.split(","))
        cfg = Cfg(hidden_size=H, num_hidden_layers=L, num_attention_heads=A, intermediate_size=Fi)
        sd = None
    else:
        blob = torch.load(ckpt, map_location="cpu")
        cfg = Cfg(**blob["cfg"])
        sd = blob["model"]
    if kind == "mlm":
        net = BertMLM(cfg)
        if sd is not None:
            net.load_state_dict(sd)
    else:
        bert = Bert(cfg)
        if sd is not None:
            if any(k.startswith("bert.") for k in sd):
                sd = {k[5:]: v for k, v in sd.items() if k.startswith("bert.")}
            bert.load_state_dict(sd)
        net = EncWrap(bert)
    return net, cfg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["encoder", "mlm"], required=True)
    ap.add_argument("--ckpt")
    ap.add_argument("--random")
    ap.add_argument("--out", required=True)
    ap.add_argument("--fp16-storage", action="store_true")
    a = ap.parse_args()
    set_threads()
    torch.manual_seed(0)
    net, cfg = load(a.kind, a.ckpt, a.random)
    export(net, a.out, a.kind)
    m = onnx.load(a.out)
    dedupe_check(m)
    if a.fp16_storage:
        m = fp16_storage(m)
    onnx.checker.check_model(m)
    onnx.save(m, a.out)
    print("exported", a.out, os.path.getsize(a.out) / 1e6, "MB")


if __name__ == "__main__":
    main()
