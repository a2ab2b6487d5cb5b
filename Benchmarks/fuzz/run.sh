#!/usr/bin/env bash
# Builds the libFuzzer harnesses (release, -sanitize=fuzzer,address) and runs each for
# SECONDS seconds, one after the other (README.md here).
#
#   Benchmarks/fuzz/run.sh [SECONDS] [HARNESS ...]      default: 600 s each, all harnesses
#   FUZZ_WORK=DIR  where seeds, the growing corpora, crash files and logs go
#                  (default Benchmarks/fuzz/.build/fuzz-work, ignored by git)
#
# A harness that finds a crash, a timeout (-timeout, 10 s) or an out-of-memory input
# (-rss_limit_mb, 2048) stops there; its input is written to $FUZZ_WORK/artifacts/HARNESS/.
# Replay one input: .build/release/fuzz-HARNESS -runs=0 FILE (with the environment below).
set -euo pipefail
cd "$(dirname "$0")"

duration=${1:-600}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(tokenizer safetensors jsonl csv http-body)
work=${FUZZ_WORK:-.build/fuzz-work}

# Every module (the main package's too) gets libFuzzer's coverage and AddressSanitizer;
# -enable-testing lets the harnesses reach internal parsers with @testable import; lld links
# (gold fails on the sanitizer runtime's debug information).
flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
       -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)
swift build "${flags[@]}"
bin=$(swift build "${flags[@]}" --show-bin-path)

rm -rf "$work/seeds"
python3 make_seeds.py "$work/seeds"
mkdir -p "$work/logs"

# Swift's own backtracer would answer a trap before libFuzzer saves the input; the pretrained
# encoder's OpenBLAS stays on one thread.
export SWIFT_BACKTRACE=enable=no OPENBLAS_NUM_THREADS=1 ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

summary=()
for h in "${harnesses[@]}"; do
    mkdir -p "$work/corpus/$h" "$work/artifacts/$h"
    log="$work/logs/$h.log"
    echo "== fuzz-$h for ${duration}s (log: $log)"
    status=0
    "$bin/fuzz-$h" -max_total_time="$duration" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict="$work/seeds/$h.dict" -artifact_prefix="$work/artifacts/$h/" "$work/corpus/$h" "$work/seeds/$h" >"$log" 2>&1 || status=$?
    # The last status line (#N … cov: … ft: … corp: …) and the final statistics.
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
    found=$(find "$work/artifacts/$h" -type f | wc -l)
    summary+=("$(printf '%-12s %12s %8s %7s %7s %14s %8s %6s' "$h" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found" "$status")")
done

printf '%-12s %12s %8s %7s %7s %14s %8s %6s\n' harness executions exec/s cov ft corpus artefacts exit
printf '%s\n' "${summary[@]}"
