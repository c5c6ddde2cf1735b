#!/usr/bin/env bash
# The two webhook rows through bench/webhooks.mjs: deliveries/s to a local receiver
# (BENCH_WEBHOOKS deliveries) and RSS added with BENCH_PENDING deliveries pending
# retry, BENCH_RUNS repetitions of each on copies of one prepared backlog. genq on
# SERVER_CPU; the harness (load, receiver) on LOAD_CPU.
source "$(dirname "$0")/lib.sh"
export BENCH_WEBHOOKS=${BENCH_WEBHOOKS:-20000} BENCH_PENDING=${BENCH_PENDING:-100000}
export BENCH_REPEAT=$BENCH_RUNS BENCH_SERVER_CPU=$SERVER_CPU
log "webhooks: $BENCH_WEBHOOKS deliveries, $BENCH_PENDING pending, $BENCH_RUNS runs each"
"${ON_LOAD[@]}" node bench/webhooks.mjs "$GENQ" 2>&1 | tee "$work/hooks.out" >&2
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p"; }
i=0
grep '^RESULT webhook_throughput' "$work/hooks.out" | while read -r line; do
  i=$((i + 1))
  record webhook_deliveries genq "$i" "$(echo "$line" | field x deliveries_per_s)" "deliveries/s" \
    "{\"deliveries\":$BENCH_WEBHOOKS,\"all_recorded_s\":$(echo "$line" | field x all_recorded_s),\"duplicates\":$(echo "$line" | field x duplicates)}"
done
i=0
grep '^RESULT webhook_memory' "$work/hooks.out" | while read -r line; do
  i=$((i + 1))
  record webhook_pending_memory genq "$i" "$(echo "$line" | field x added_peak_mb)" "MB" \
    "{\"pending\":$BENCH_PENDING,\"baseline_rss_mb\":$(echo "$line" | field x baseline_rss_mb),\"peak_rss_mb\":$(echo "$line" | field x peak_rss_mb),\"retry_sweep_s\":$(echo "$line" | field x retry_sweep_s)}"
done
