#!/usr/bin/env bash
# Compiles blas_vs_simd.c against Sources/CKernels and OpenBLAS (apt-get install libopenblas-dev)
# with the flags SwiftPM's release build uses for C (-O2), and runs it. Usage: run.sh [rows]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$HERE/../.."
OUT="$(mktemp -d)"
clang -O2 -I"$ROOT/Sources/CKernels/include" -I/usr/include/x86_64-linux-gnu/openblas-pthread \
   "$HERE/blas_vs_simd.c" "$ROOT/Sources/CKernels/kernels.c" -o "$OUT/blas_vs_simd" -lopenblas -lm
"$OUT/blas_vs_simd" "$@"
