#!/bin/sh
# Training environment for Debian's python3-torch (usage, from the repository root:
#   . models/training/setup_blas.sh   -- then run the python3 training scripts in that shell).
# * BLAS: Debian's torch links the reference BLAS (~4 GFLOP/s). Fetch OpenBLAS (OpenMP build) as a .deb
#   into the training cache (outside the repo; no system change) and put it on LD_LIBRARY_PATH (~25x).
# * Allocator: glibc malloc hands every large tensor (the masked-token x 30,522 logits: ~75 MB per step)
#   back to the kernel and page-faults it in again on the next step; on this VM that was ~85 % of a
#   training step. tcmalloc (LD_PRELOAD, same .deb route) keeps the memory: one step 4.2 s -> 0.4 s.
#   Set ATLAS_NO_TCMALLOC=1 to skip it.
_repo="$(pwd)"
_cache="${ATLAS_TRAIN_CACHE:-$(cd "$_repo/.." && pwd)/cache/training}"
_deb="$_cache/deb"
if [ ! -f "$_deb/root/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3" ]; then
  mkdir -p "$_deb" && (cd "$_deb" && apt-get download libopenblas0-openmp && dpkg-deb -x libopenblas0-openmp_*.deb root)
fi
_tc="$_deb/root/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"
if [ -z "${ATLAS_NO_TCMALLOC:-}" ]; then
  if [ ! -f "$_tc" ]; then
    (cd "$_deb" && apt-get download libtcmalloc-minimal4 && dpkg-deb -x libtcmalloc-minimal4_*.deb root)
  fi
  export LD_PRELOAD="$_tc${LD_PRELOAD:+:$LD_PRELOAD}"
fi
export LD_LIBRARY_PATH="$_deb/root/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
# libgomp spin-waiting is catastrophic when the 2 cores are shared (10x slower): sleep instead
export OMP_WAIT_POLICY=PASSIVE
