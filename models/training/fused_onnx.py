"""Write an encoder checkpoint as an ONNX graph of onnxruntime's fused transformer ops (issue 18 item 3).

  python3 fused_onnx.py --ckpt cache/enc2.pt --out /tmp/enc_fused.onnx [--int8]
  python3 fused_onnx.py --random 6,384,12,1536 --out /tmp/minilm_fused.onnx     (speed benchmarking)

torch.onnx.export writes each layer as ~40 small ops on 3-D tensors: MatMul then a separate bias Add,
Reshape/Transpose around attention, the residual Add before LayerNorm. onnxruntime's own optimiser fuses
some of them, not the attention block or the residual LayerNorm here (profile in README: MatMul 51% of
encoder time, Add 12%, LayerNorm 8%, Transpose 6%). This writer builds the same network from the weights
with the com.microsoft ops that the CPU build of onnxruntime ships:

* Attention        -- Q, K, V projections as one GEMM with pre-packed weights, scores, softmax with the
                      padding mask, mixing, heads merged; no Transpose nodes;
* SkipLayerNormalization -- bias + residual + LayerNorm in one pass (after attention and after the FFN);
* BiasGelu         -- the FFN's first bias and the erf GELU in one pass.

The embeddings (word + position + token type, LayerNorm) stay plain ops so that --int8 can keep the
word table int8 as quantize_int8.py does; --int8 also makes the output projection and both FFN
MatMuls DynamicQuantizeMatMul (the attention projections stay fp32: onnxruntime's quantised attention
needs quantised inputs). Same inputs and output (`last_hidden_state`) as export_onnx.py, so
TextEncoder opens either file. `node models/training/compare_onnx.mjs A.onnx B.onnx` checks that two
graphs agree.
"""
import argparse
import math
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

import export_onnx
import quantize_int8
from common import set_threads


def build(sd, cfg, name="atlas-encoder-fused"):
    H, nh = cfg.hidden_size, cfg.num_attention_heads
    eps = float(cfg.layer_norm_eps)
    inits, nodes = [], []

    def const(key, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr, dtype=np.float32), key))
        return key

    def w(key):
        return sd[key].detach().float().numpy()

    # Embeddings: Gather(word) + position slice + Gather(token type), then LayerNormalization.
    const("word", w("embeddings.word_embeddings.weight"))
    const("pos", w("embeddings.position_embeddings.weight"))
    const("tt", w("embeddings.token_type_embeddings.weight"))
    inits.append(numpy_helper.from_array(np.array([0], dtype=np.int64), "zero1"))
    inits.append(numpy_helper.from_array(np.array([1], dtype=np.int64), "one1"))
    nodes += [
        helper.make_node("Gather", ["word", "input_ids"], ["e_word"], name="word_gather"),
        helper.make_node("Shape", ["input_ids"], ["ids_shape"]),
        helper.make_node("Gather", ["ids_shape", "one1"], ["seq_len"]),
        helper.make_node("Slice", ["pos", "zero1", "seq_len", "zero1"], ["e_pos"]),
        helper.make_node("Gather", ["tt", "token_type_ids"], ["e_tt"]),
        helper.make_node("Add", ["e_word", "e_pos"], ["e_sum0"]),
        helper.make_node("Add", ["e_sum0", "e_tt"], ["e_sum"]),
        helper.make_node("LayerNormalization", ["e_sum", const("emb_ln_g", w("embeddings.LayerNorm.weight")),
                                                const("emb_ln_b", w("embeddings.LayerNorm.bias"))],
                         ["x0"], axis=-1, epsilon=eps),
        helper.make_node("Cast", ["attention_mask"], ["mask_i32"], to=TensorProto.INT32),
    ]
    x = "x0"
    for i in range(cfg.num_hidden_layers):
        p = f"layers.{i}."
        qkv_w = np.concatenate([w(p + "query.weight").T, w(p + "key.weight").T, w(p + "value.weight").T], axis=1)
        qkv_b = np.concatenate([w(p + "query.bias"), w(p + "key.bias"), w(p + "value.bias")])
        nodes.append(helper.make_node("Attention", [x, const(f"l{i}_qkv_w", qkv_w), const(f"l{i}_qkv_b", qkv_b), "mask_i32"],
                                      [f"l{i}_ctx"], name=f"l{i}_attention", domain="com.microsoft", num_heads=nh,
                                      mask_filter_value=-10000.0, scale=1.0 / math.sqrt(H // nh)))
        nodes.append(helper.make_node("MatMul", [f"l{i}_ctx", const(f"l{i}_ao_w", w(p + "attn_out.weight").T)], [f"l{i}_ao"], name=f"l{i}_attn_out"))
        nodes.append(helper.make_node("SkipLayerNormalization", [f"l{i}_ao", x, const(f"l{i}_ln1_g", w(p + "ln1.weight")),
                                                                 const(f"l{i}_ln1_b", w(p + "ln1.bias")), const(f"l{i}_ao_b", w(p + "attn_out.bias"))],
                                      [f"l{i}_h"], name=f"l{i}_ln1", domain="com.microsoft", epsilon=eps))
        nodes.append(helper.make_node("MatMul", [f"l{i}_h", const(f"l{i}_in_w", w(p + "inter.weight").T)], [f"l{i}_in"], name=f"l{i}_inter"))
        nodes.append(helper.make_node("BiasGelu", [f"l{i}_in", const(f"l{i}_in_b", w(p + "inter.bias"))], [f"l{i}_gelu"],
                                      name=f"l{i}_gelu", domain="com.microsoft"))
        nodes.append(helper.make_node("MatMul", [f"l{i}_gelu", const(f"l{i}_out_w", w(p + "out.weight").T)], [f"l{i}_o"], name=f"l{i}_out"))
        out = "last_hidden_state" if i == cfg.num_hidden_layers - 1 else f"x{i + 1}"
        nodes.append(helper.make_node("SkipLayerNormalization", [f"l{i}_o", f"l{i}_h", const(f"l{i}_ln2_g", w(p + "ln2.weight")),
                                                                 const(f"l{i}_ln2_b", w(p + "ln2.bias")), const(f"l{i}_out_b", w(p + "out.bias"))],
                                      [out], name=f"l{i}_ln2", domain="com.microsoft", epsilon=eps))
        x = out
    ins = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"]) for n in ("input_ids", "attention_mask", "token_type_ids")]
    outs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", H])]
    graph = helper.make_graph(nodes, name, ins, outs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
                              producer_name="paper-atlas fused_onnx.py")
    model.ir_version = 8
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt")
    ap.add_argument("--random", help="L,H,A,F: random weights of that shape")
    ap.add_argument("--out", required=True)
    ap.add_argument("--int8", action="store_true")
    a = ap.parse_args()
    set_threads()
    torch.manual_seed(0)
    net, cfg = export_onnx.load("encoder", a.ckpt, a.random)
    sd = net.bert.state_dict()
    model = build(sd, cfg)
    onnx.checker.check_model(model)
    if a.int8:
        tmp = a.out + ".fp32.tmp"
        onnx.save(model, tmp)
        quantize_int8.main(tmp, a.out)
        os.remove(tmp)
    else:
        onnx.save(model, a.out)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
