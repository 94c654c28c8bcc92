"""Turn a shipped MLM (models/atlas-mini-mlm: config.json + onnx/model.onnx) back into a training checkpoint.

  python3 init_from_onnx.py --out ../../../cache/training/mlm_shipped.pt [--model-dir ../atlas-mini-mlm]
  python3 train_mlm.py --init ../../../cache/training/mlm_shipped.pt --out ... (a new schedule from those weights)

Why: checkpoints live outside the repository (intermediate weights are never committed), and a fresh machine
starts with an empty training cache. The shipped weights are the one state that survives, so a later sitting
continues from them instead of from GloVe. The export keeps PyTorch's parameter names; stored forms are undone
here: `_fp16` (cast back), `_int8` + `_scale` (int8 storage: q * scale), `_qT` + `_qT_scale` (int8 layer MatMuls:
the transposed weight, q * scale per column). The tied decoder weight is the word embeddings. Every parameter of
the model must be found with its shape, or this stops. (Rebuilt int8 weights carry their rounding; training
from them is unaffected in practice.)
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from common import MLM_DIR
from model import BertMLM, Cfg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default=MLM_DIR)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(os.path.join(a.model_dir, "config.json")) as f:
        config = json.load(f)
    cfg = Cfg(**config)
    graph = onnx.load(os.path.join(a.model_dir, config.get("onnx_file", "onnx/model.onnx"))).graph
    raw = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    arrays = {}
    for name, value in raw.items():
        if name.endswith("_fp16"):
            arrays[name[: -len("_fp16")]] = value.astype(np.float32)
        elif name.endswith("_int8"):
            base = name[: -len("_int8")]
            arrays[base] = value.astype(np.float32) * raw[base + "_scale"]
        elif name.endswith("_qT"):
            base = name[: -len("_qT")]
            arrays[base] = (value.astype(np.float32) * raw[base + "_qT_scale"][None, :]).T
        elif not name.endswith(("_scale", "_zp")):
            arrays[name] = value.astype(np.float32)
    net = BertMLM(cfg)
    state = {}
    for key, param in net.state_dict().items():
        array = arrays.get(key)
        if array is None and key == "head.word_embeddings.weight":  # tied: stored once, as the word embeddings
            array = arrays.get("bert.embeddings.word_embeddings.weight")
        if array is None:
            raise SystemExit(f"{key} is not in the ONNX graph: cannot rebuild the checkpoint")
        if tuple(array.shape) != tuple(param.shape):
            raise SystemExit(f"{key}: ONNX shape {array.shape} != model shape {tuple(param.shape)}")
        state[key] = torch.from_numpy(array)
    net.load_state_dict(state, strict=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.save({"cfg": cfg.__dict__, "model": net.state_dict(), "source": os.path.abspath(a.model_dir)}, a.out)
    print(f"wrote {a.out}: {len(state)} tensors from {a.model_dir}")


if __name__ == "__main__":
    main()
