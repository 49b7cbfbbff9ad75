#!/usr/bin/env bash
# Peak memory of streaming 1,000 and 10,000 connectors (pages of 100) from the in-process emulator,
# each in its own process (`examples/bench_paging.rs`, which reads VmHWM from /proc/self/status).
#
#   scripts/bench-paging-memory.sh
#
# vmhwm_after_seed is the peak once the emulator holds the connectors; vmhwm_after_stream the peak
# once the client has streamed them all. Flat memory: streaming adds about the same for 1,000 and
# 10,000 items (one page at a time), although the emulator itself holds ten times more.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --features emulator --example bench_paging >/dev/null
for n in 1000 10000; do
    line=$(target/release/examples/bench_paging "$n")
    echo "$line"
    seed=$(sed -E 's/.*vmhwm_after_seed_kib=([0-9]+).*/\1/' <<<"$line")
    after=$(sed -E 's/.*vmhwm_after_stream_kib=([0-9]+).*/\1/' <<<"$line")
    echo "items=$n streaming added $((after - seed)) KiB to the peak"
done
