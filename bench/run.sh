#!/usr/bin/env bash
# `make bench` (full) / `make bench-quick` (quick): genq side by side with the tools
# users would pick instead, on the same work in the same run. Each measure script
# (bench/*.sh) starts throwaway instances on free ports (genq, redis-server, nginx,
# PostgreSQL, the Node ws server), appends JSON lines to a raw file, and stops what it
# started; then bench/collect.mjs writes bench/results/<UTC date>.json and
# bench/render.mjs rewrites the table in docs/benchmarks.md and the plots in docs/bench/.
#
#   bench/run.sh [quick|full]        GENQ=build/genq by default
#   BENCH_ONLY="submits e2e" bench/run.sh quick     run a subset (results still written)
# Full mode writes bench/results/<UTC date>.json and rewrites docs/benchmarks.md and
# docs/bench/*.png; quick mode writes bench/results/<UTC date>-quick.json and renders
# into bench/results/tmp/<stamp>/ (the committed docs keep the full run's figures)
# unless BENCH_RENDER_DOCS=1.
#
# Core split (2 cores): every server under test on CPU SERVER_CPU (0), every load
# generator, client and worker on CPU LOAD_CPU (1), with taskset. Every figure is the
# median of BENCH_RUNS (3) runs; the spread is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-full}
export GENQ=${GENQ:-build/genq}
export SERVER_CPU=${SERVER_CPU:-0} LOAD_CPU=${LOAD_CPU:-1}
export BENCH_MODE=$MODE BENCH_RUNS=${BENCH_RUNS:-3}
[ "$BENCH_RUNS" -ge 3 ] || { echo "BENCH_RUNS must be >= 3" >&2; exit 2; }
[ -x "$GENQ" ] || { echo "bench: $GENQ not built (make build)" >&2; exit 1; }
[ -d bench/anchors/node_modules ] || { echo "bench: run bench/install-deps.sh first" >&2; exit 1; }
if [ "$(nproc)" -lt 2 ]; then SERVER_CPU=0 LOAD_CPU=0; echo "bench: one CPU, server and load share it" >&2; fi

case "$MODE" in
  quick)
    export BENCH_DURATION=${BENCH_DURATION:-2} BENCH_SWEEP=${BENCH_SWEEP:-""} BENCH_CLAIM_ROUNDS=${BENCH_CLAIM_ROUNDS:-50}
    export BENCH_E2E_JOBS=${BENCH_E2E_JOBS:-800}
    export BENCH_LAT_RATE=100 BENCH_LAT_SECONDS=${BENCH_LAT_SECONDS:-2}
    export IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000} FANOUT_SUBSCRIBERS=${FANOUT_SUBSCRIBERS:-300} FANOUT_MESSAGES=${FANOUT_MESSAGES:-100}
    export BENCH_WEBHOOKS=${BENCH_WEBHOOKS:-2000} BENCH_PENDING=${BENCH_PENDING:-3000} BENCH_SETTLE_MS=${BENCH_SETTLE_MS:-500}
    export BENCH_DEEP_JOBS=${BENCH_DEEP_JOBS:-100000} BENCH_DEEP_DURATION=${BENCH_DEEP_DURATION:-1} BENCH_PG_DURATION=${BENCH_PG_DURATION:-1}
    ;;
  full)
    export BENCH_DURATION=${BENCH_DURATION:-8} BENCH_SWEEP=${BENCH_SWEEP:-"8 16 32 64 128 256"}
    # Each completed job leaves a result file (genq stores a text result as a file too),
    # and deleting the runs' data directories is slow on a disk mounted with `discard`:
    # 5,000 jobs per run keeps the whole run inside its time budget.
    export BENCH_E2E_JOBS=${BENCH_E2E_JOBS:-5000}
    export BENCH_LAT_RATE=100 BENCH_LAT_SECONDS=${BENCH_LAT_SECONDS:-10}
    export IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000} FANOUT_SUBSCRIBERS=${FANOUT_SUBSCRIBERS:-2000} FANOUT_MESSAGES=${FANOUT_MESSAGES:-500}
    export BENCH_WEBHOOKS=${BENCH_WEBHOOKS:-20000} BENCH_PENDING=${BENCH_PENDING:-100000}
    export BENCH_DEEP_JOBS=${BENCH_DEEP_JOBS:-1000000} BENCH_DEEP_DURATION=${BENCH_DEEP_DURATION:-5}
    ;;
  *) echo "usage: bench/run.sh [quick|full]" >&2; exit 2 ;;
esac

ALL="idle submits e2e status_poll latency claim_latency ws webhooks deep_queue postgres large_files sync_wait sse_streams"
# submit -> claim has no target; quick mode leaves it out (its client waits out a long-poll per run)
[ "$MODE" = quick ] && ALL=${ALL/claim_latency /}
ONLY=${BENCH_ONLY:-$ALL}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
tmp=bench/results/tmp/$stamp
mkdir -p "$tmp/samples"
export BENCH_RAW=$tmp/raw.jsonl BENCH_SAMPLES_DIR=$tmp/samples
: > "$BENCH_RAW"
# Both ends of 10,000 WebSocket connections live on this machine.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

start=$(date +%s.%N)
for m in $ONLY; do
  t0=$(date +%s)
  echo "== $m ($MODE)" >&2
  bash "bench/$m.sh"
  echo "== $m took $(( $(date +%s) - t0 )) s" >&2
done
wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

if [ "$MODE" = full ]; then out=bench/results/$(date -u +%Y-%m-%d).json; else out=bench/results/$(date -u +%Y-%m-%d)-$MODE.json; fi
node bench/collect.mjs "$BENCH_RAW" "$BENCH_SAMPLES_DIR" "$out" "$MODE" "$wall"
if [ "$MODE" = full ] || [ -n "${BENCH_RENDER_DOCS:-}" ]; then
  node bench/render.mjs "$out" docs/benchmarks.md docs/bench
else
  cp docs/benchmarks.md "$tmp/benchmarks.md"
  node bench/render.mjs "$out" "$tmp/benchmarks.md" "$tmp/plots"
  sed -n '/<!-- bench:table:start -->/,/<!-- bench:table:end -->/p' "$tmp/benchmarks.md" | grep '^|' >&2
fi
echo "bench: $MODE mode took $wall s; results in $out" >&2
