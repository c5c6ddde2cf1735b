#!/usr/bin/env bash
# Idle server RSS and start to ready, genq only: bench/anchors/genq_start.mjs spawns
# `genq serve` (default configuration) on a fresh data directory pinned to SERVER_CPU,
# times spawn -> first HTTP answer, and reads RSS after 2 s idle. BENCH_RUNS runs.
source "$(dirname "$0")/lib.sh"
for i in $(seq 1 "$BENCH_RUNS"); do
  rm -rf "$work/data"
  "${ON_LOAD[@]}" node "$ANCHORS/genq_start.mjs" --genq "$GENQ" --data "$work/data" --cpu "$SERVER_CPU" > "$work/start.out"
  record idle_rss genq "$i" "$(sed -n 's/.*idle_rss_mb=\([0-9.]*\).*/\1/p' "$work/start.out")" MB "{}"
  record start_to_ready genq "$i" "$(sed -n 's/.*ready_ms=\([0-9.]*\).*/\1/p' "$work/start.out")" ms \
    "{\"listening_ms\":$(sed -n 's/.*listening_ms=\([0-9.]*\).*/\1/p' "$work/start.out"),\"fresh_data_dir\":true}"
done
