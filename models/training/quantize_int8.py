"""Rewrite an fp32 encoder ONNX into an int8 one with python3-onnx + numpy only.

* every MatMul with a 2-D weight initializer  ->  com.microsoft.DynamicQuantizeMatMul
  (weight int8, symmetric, per-column scale, zero point 0; activations quantised dynamically by ORT)
* the word-embedding Gather  ->  Gather(int8 table) -> Cast(float) -> Mul(Gather(per-row scale))
  python3 quantize_int8.py IN.onnx OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def main(src, dst):
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    new_nodes = []
    n_mm = n_emb = 0
    for node in g.node:
        if node.op_type == "MatMul" and node.input[1] in inits and len(inits[node.input[1]].dims) == 2:
            W = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
            scale = np.maximum(np.abs(W).max(axis=0), 1e-8) / 127.0
            Wq = np.clip(np.round(W / scale), -127, 127).astype(np.int8)
            base = node.input[1]
            g.initializer.extend([
                numpy_helper.from_array(Wq, base + "_q"),
                numpy_helper.from_array(scale.astype(np.float32), base + "_scale"),
                numpy_helper.from_array(np.zeros(W.shape[1], dtype=np.int8), base + "_zp"),
            ])
            new_nodes.append(helper.make_node("DynamicQuantizeMatMul", [node.input[0], base + "_q", base + "_scale", base + "_zp"],
                                              list(node.output), name=node.name + "_dq", domain="com.microsoft"))
            n_mm += 1
        elif node.op_type == "Gather" and node.input[0] in inits and np.prod(inits[node.input[0]].dims) >= 1_000_000:
            E = numpy_helper.to_array(inits[node.input[0]]).astype(np.float32)
            rs = (np.maximum(np.abs(E).max(axis=1, keepdims=True), 1e-8) / 127.0).astype(np.float32)
            Eq = np.clip(np.round(E / rs), -127, 127).astype(np.int8)
            base = node.input[0]
            g.initializer.extend([numpy_helper.from_array(Eq, base + "_q"), numpy_helper.from_array(rs, base + "_rowscale")])
            o = node.output[0]
            new_nodes += [
                helper.make_node("Gather", [base + "_q", node.input[1]], [o + "_q"], name=node.name + "_q"),
                helper.make_node("Cast", [o + "_q"], [o + "_f"], to=TensorProto.FLOAT, name=node.name + "_cast"),
                helper.make_node("Gather", [base + "_rowscale", node.input[1]], [o + "_s"], name=node.name + "_s"),
                helper.make_node("Mul", [o + "_f", o + "_s"], [o], name=node.name + "_mul"),
            ]
            n_emb += 1
        else:
            new_nodes.append(node)
    del g.node[:]
    g.node.extend(new_nodes)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    if not any(o.domain == "com.microsoft" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(m, dst)
    print(f"quantised {n_mm} MatMuls and {n_emb} embedding tables -> {dst}")


def transposed_matmuls(m, name_prefix):
    """The MLM export (no constant folding) reads each Linear weight as Transpose([out, in] initializer) -> MatMul.
    Those MatMuls whose node name starts with `name_prefix` become DynamicQuantizeMatMul on the transposed int8
    weight (per-column scale). Used for the MLM's transformer layers only: its head must stay MatMul, where
    keywordHeadGather.ts inserts the position gather and the tied decoder shares the embedding table."""
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    transposes = {n.output[0]: n for n in g.node if n.op_type == "Transpose" and n.input[0] in inits}
    new_nodes, dropped = [], set()
    for node in g.node:
        t = transposes.get(node.input[1]) if node.op_type == "MatMul" else None
        if t is None or not node.name.startswith(name_prefix):
            new_nodes.append(node)
            continue
        W = numpy_helper.to_array(inits[t.input[0]]).astype(np.float32).T  # [in, out]
        scale = np.maximum(np.abs(W).max(axis=0), 1e-8) / 127.0
        Wq = np.clip(np.round(W / scale), -127, 127).astype(np.int8)
        base = t.input[0]
        g.initializer.extend([
            numpy_helper.from_array(Wq, base + "_qT"),
            numpy_helper.from_array(scale.astype(np.float32), base + "_qT_scale"),
            numpy_helper.from_array(np.zeros(W.shape[1], dtype=np.int8), base + "_qT_zp"),
        ])
        new_nodes.append(helper.make_node("DynamicQuantizeMatMul", [node.input[0], base + "_qT", base + "_qT_scale", base + "_qT_zp"],
                                          list(node.output), name=node.name + "_dq", domain="com.microsoft"))
        dropped.add(t.name)
    new_nodes = [n for n in new_nodes if n.name not in dropped]
    del g.node[:]
    g.node.extend(new_nodes)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    if not any(o.domain == "com.microsoft" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return len(dropped)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
