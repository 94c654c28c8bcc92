#!/bin/sh
# Debian's python3-torch links the reference BLAS (~4 GFLOP/s). Fetch OpenBLAS (OpenMP build) as a
# .deb into cache/ (no system change) and point LD_LIBRARY_PATH at it: ~25x faster training.
# Usage: . models/training/setup_blas.sh
_here="$(cd "$(dirname "${BLAS_SETUP_DIR:-models/training/x}")" && pwd)"
_deb="$_here/cache/deb"
if [ ! -f "$_deb/root/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3" ]; then
  mkdir -p "$_deb" && (cd "$_deb" && apt-get download libopenblas0-openmp && dpkg-deb -x libopenblas0-openmp_*.deb root)
fi
export LD_LIBRARY_PATH="$_deb/root/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OMP_NUM_THREADS=2
# libgomp spin-waiting is catastrophic when the 2 cores are shared (10x slower): sleep instead
export OMP_WAIT_POLICY=PASSIVE
