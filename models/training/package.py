"""Export checkpoints into the shipped model folders (ONNX + config.json).

  python3 package.py --mlm cache/mlm_a.pt --enc cache/enc_a.pt [--static cache/static.pt] [--default int8|fp32] [--no-fp32-copy]
models/atlas-mini-mlm/onnx/model.onnx        MLM, fp16- or int8-stored initialisers (--mlm-storage; rebuilt as fp32
                                             in-graph, folded at load), tied decoder
models/atlas-mini-encoder/onnx/model_fp32.onnx  encoder fp32
models/atlas-mini-encoder/onnx/model.onnx    encoder int8 (DynamicQuantizeMatMul) or a copy of fp32 (--default fp32)
With --static (train_static.py) the encoder files are the combined graph of combine_onnx.py: the transformer's
vector (first 128 tokens) and the static model's (all 256) side by side, `sentence_embedding` [batch, 228];
the fp32 copy then stores its two embedding tables as fp16 (Cast to fp32 in-graph) to keep models/ small.
"""
import argparse
import json
import os
import shutil

import onnx
import torch

from common import MLM_DIR, ENC_DIR, set_threads
import combine_onnx
import export_onnx
import quantize_int8


def write_config(d, cfg, extra):
    c = cfg.to_hf()
    c.update(extra)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(c, f, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlm")
    ap.add_argument("--mlm-storage", choices=["fp16", "int8"], default="fp16",
                    help="how the MLM's large weights are stored (int8: per-row/column scales, half of fp16's bytes)")
    ap.add_argument("--mlm-int8-layers", action="store_true",
                    help="run the MLM's transformer layers as int8 DynamicQuantizeMatMul (the head stays fp32)")
    ap.add_argument("--mlm-dir", default=MLM_DIR, help="MLM model folder (default the shipped one; another for trials)")
    ap.add_argument("--enc")
    ap.add_argument("--default", choices=["int8", "fp32"], default="int8")
    ap.add_argument("--no-fp32-copy", action="store_true", help="do not ship onnx/model_fp32.onnx")
    ap.add_argument("--static", help="train_static.py checkpoint: ship the combined encoder")
    ap.add_argument("--static-share", type=float, default=0.5, help="weight of the static cosine (combine_onnx.py)")
    ap.add_argument("--transformer-tokens", type=int, default=128)
    a = ap.parse_args()
    set_threads()
    if a.mlm:
        net, cfg = export_onnx.load("mlm", a.mlm)
        if a.mlm_dir != MLM_DIR:  # a trial folder: the tokenizer files come from the shipped one
            os.makedirs(os.path.join(a.mlm_dir, "onnx"), exist_ok=True)
            for f in os.listdir(MLM_DIR):
                if f.endswith(".json") and f != "config.json" or f == "vocab.txt":
                    shutil.copyfile(os.path.join(MLM_DIR, f), os.path.join(a.mlm_dir, f))
        out = os.path.join(a.mlm_dir, "onnx", "model.onnx")
        export_onnx.export(net, out, "mlm")
        m = onnx.load(out)
        export_onnx.dedupe_check(m)
        if a.mlm_int8_layers:
            print("int8 MatMuls in the layers:", quantize_int8.transposed_matmuls(m, "/bert/layers"))
        m = export_onnx.int8_storage(m) if a.mlm_storage == "int8" else export_onnx.fp16_storage(m)
        onnx.checker.check_model(m)
        onnx.save(m, out)
        write_config(a.mlm_dir, cfg, {"architectures": ["BertForMaskedLM"], "max_tokens": 256,
                                    "onnx_file": "onnx/model.onnx", "tie_word_embeddings": True,
                                    "onnx_inputs": ["input_ids", "attention_mask", "token_type_ids"],
                                    "onnx_outputs": ["logits"]})
        print("mlm", out, os.path.getsize(out) / 1e6, "MB")
    if a.enc:
        net, cfg = export_onnx.load("encoder", a.enc)
        fp32 = os.path.join(ENC_DIR, "onnx", "model_fp32.onnx")
        default = os.path.join(ENC_DIR, "onnx", "model.onnx")
        export_onnx.export(net, fp32, "encoder")
        onnx.checker.check_model(onnx.load(fp32))
        extra = {"pooling": "mean", "normalize": True, "max_tokens": 128, "onnx_outputs": ["last_hidden_state"]}
        if a.static:
            combined, dims = combine_onnx.combine(fp32, combine_onnx.static_table(a.static), a.static_share,
                                                  a.transformer_tokens)
            onnx.save(combined, fp32)
            extra = {"pooling": "mean", "normalize": True, "max_tokens": 256, "onnx_outputs": ["sentence_embedding"],
                     "sentence_embedding_dims": dims, "static_share": a.static_share,
                     "transformer_tokens": a.transformer_tokens}
        if a.default == "int8":
            quantize_int8.main(fp32, default)
        else:
            shutil.copyfile(fp32, default)
        if a.no_fp32_copy or a.default == "fp32":
            os.remove(fp32)
        elif a.static:
            onnx.save(export_onnx.fp16_storage(onnx.load(fp32), min_size=1 << 20), fp32)
        files = {"default": "onnx/model.onnx"}
        if os.path.exists(fp32):
            files["fp32"] = "onnx/model_fp32.onnx"
        # The transformer reads 128 tokens: 2.2x faster indexing than 256 for <= 1% of hybrid quality
        # (models/README.md); the static half of the combined encoder reads all 256 (a table look-up).
        write_config(ENC_DIR, cfg, {**extra, "query_prefix": "", "document_prefix": "",
                                    "onnx_file": "onnx/model.onnx", "onnx_precision": a.default,
                                    "onnx_files": files,
                                    "onnx_inputs": ["input_ids", "attention_mask", "token_type_ids"]})
        for f in os.listdir(os.path.join(ENC_DIR, "onnx")):
            print("encoder", f, os.path.getsize(os.path.join(ENC_DIR, "onnx", f)) / 1e6, "MB")


if __name__ == "__main__":
    main()
