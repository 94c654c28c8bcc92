"""Append masked mean pooling and L2 normalisation to an encoder graph, in the graph.

  /usr/bin/python3 add_mean_pooling.py IN.onnx OUT.onnx

The output becomes `sentence_embedding` [batch, hidden] instead of `last_hidden_state`
[batch, seq, hidden]: onnxruntime no longer copies every token's state out to JavaScript
(8 MB per 64-abstract batch for the bundled encoder) and the pooling loop runs in native code.
TextEncoder accepts either output shape, so the same model folder can ship either file.
"""
import sys

import onnx
from onnx import TensorProto, helper, numpy_helper
import numpy as np


def main(src, dst):
    m = onnx.load(src)
    g = m.graph
    hidden = next(o for o in g.output if o.name == "last_hidden_state")
    width = hidden.type.tensor_type.shape.dim[2].dim_value
    g.initializer.extend([
        numpy_helper.from_array(np.array([1], dtype=np.int64), "pool_axis1"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "pool_axis2"),
        numpy_helper.from_array(np.array(1e-9, dtype=np.float32), "pool_eps"),
    ])
    g.node.extend([
        helper.make_node("Cast", ["attention_mask"], ["pool_mask"], to=TensorProto.FLOAT, name="pool_cast"),
        helper.make_node("Unsqueeze", ["pool_mask", "pool_axis2"], ["pool_mask3"], name="pool_unsqueeze"),
        helper.make_node("Mul", ["last_hidden_state", "pool_mask3"], ["pool_masked"], name="pool_mul"),
        helper.make_node("ReduceSum", ["pool_masked", "pool_axis1"], ["pool_sum"], keepdims=0, name="pool_sum"),
        helper.make_node("ReduceSum", ["pool_mask", "pool_axis1"], ["pool_count"], keepdims=1, name="pool_count"),
        helper.make_node("Max", ["pool_count", "pool_eps"], ["pool_count_safe"], name="pool_max"),
        helper.make_node("Div", ["pool_sum", "pool_count_safe"], ["pool_mean"], name="pool_div"),
        helper.make_node("LpNormalization", ["pool_mean"], ["sentence_embedding"], axis=1, p=2, name="pool_l2"),
    ])
    g.output.remove(hidden)
    g.output.append(helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", width]))
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    print(f"mean pooling + L2 added -> {dst} (output sentence_embedding [batch, {width}])")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
