#!/bin/sh
# The prepared GPU run (issue 14 item 4): a larger MLM, 6 layers x 384 hidden (MiniLM-L6-H384 shape,
# 22.7 M parameters), trained from the same data with the same script on one CUDA GPU in ~8 minutes of training (+ start-up and eval: < 15 min of device time).
# Here (CPU machine), once:   python3 models/training/device_bundle.py      (-> models/training/cache/device/, 48 MB)
# There (repository root; the `run` tool: carry ["models/training/cache/device"], timeout_s 780):
#   sh models/training/gpu_run.sh
# Weights come back under $OUT: mlm_gpu_6x384.pt (cfg + fp16 weights, ~46 MB), mlm_gpu.log, eval.json.
# Needs a CUDA build of torch on that machine (checked first; nothing is downloaded there).
set -eu
OUT="${OUT:-/tmp/atlas-gpu-out}"
C="${ATLAS_TRAIN_CACHE:-/tmp/atlas-train-cache}"
mkdir -p "$C" "$OUT"
cd "$(dirname "$0")"
PY="${PY:-python3}"
$PY -c "import torch, sys; ok = torch.cuda.is_available(); print('torch', torch.__version__, 'cuda', ok, torch.cuda.get_device_name(0) if ok else ''); sys.exit(0 if ok else 3)"
for f in cache/device/*.gz; do gunzip -c "$f" > "$C/$(basename "$f" .gz)"; done
export ATLAS_TRAIN_CACHE="$C"
# --fit-minutes: after 20 steps the LR schedule is cut to what fits in 7.5 minutes at the measured speed
$PY train_mlm.py --device cuda --layers 6 --hidden 384 --heads 6 --ffn 1536 --batch 256 --seq 256 \
  --lr 5e-4 --warmup 300 --piece-rate 0.15 --epochs 20 --minutes "${MINUTES:-8}" --fit-minutes "${FIT_MINUTES:-7.5}" \
  --chunk 65536 --save-minutes 3 --log-every 50 --out "$C/mlm_gpu.pt" --weights-out "$OUT/mlm_gpu_6x384.pt" \
  2>&1 | tee "$OUT/mlm_gpu.log"
# held-out masked accuracy / pseudo-perplexity (same eval as the CPU models; runs on the CPU there)
$PY eval_mlm.py --ckpt "$OUT/mlm_gpu_6x384.pt" --n 100 --threads 8 --json "$OUT/eval.json" 2>&1 | tail -1 | tee -a "$OUT/mlm_gpu.log"
