#!/usr/bin/env bash
# Durable submits/s over HTTP, genq against BullMQ `add()` on Redis (AOF, fsync every
# second), at 64 connections (the table's figure, BENCH_RUNS runs) and at each count
# in BENCH_SWEEP (one run each, for the throughput-vs-load plot).
#   genq:   wrk -t1 -cN -dD -s bench/submit.lua on a fresh `genq serve` per run
#           (default configuration: SQLite WAL, synchronous=FULL; the 200 comes after
#           the job's commit is fsynced).
#   BullMQ: bench/anchors/bullmq_add.mjs, N add() in flight, fresh redis-server per run.
# Server (genq / redis-server) on SERVER_CPU, load (wrk / node) on LOAD_CPU.
source "$(dirname "$0")/lib.sh"
D=${BENCH_DURATION:-10}
SWEEP=${BENCH_SWEEP-"8 16 32 64 128 256"}  # empty: no sweep

genq_submit() {  # connections run measure
  rm -rf "$work/data"
  new_client "$work/data"
  start_genq "$work/data"
  GENQ_API_KEY=$api_key "${ON_LOAD[@]}" wrk -t1 -c"$1" -d"${D}s" -s bench/submit.lua "$genq_url/api/v1/client/txt2img" > "$work/wrk.out"
  stop_pid "$genq_pid"
  local n us
  n=$(wrk_field "$work/wrk.out" requests); us=$(wrk_field "$work/wrk.out" duration_us)
  record "$3" genq "$2" "$(per_s "$n" "$us")" "submits/s" \
    "{\"connections\":$1,\"requests\":$n,\"non200\":$(wrk_field "$work/wrk.out" errors_status),\"p50_ms\":$(awk -v v="$(wrk_field "$work/wrk.out" p50_us)" 'BEGIN{print v/1000}'),\"p99_ms\":$(awk -v v="$(wrk_field "$work/wrk.out" p99_us)" 'BEGIN{print v/1000}')}"
}
bullmq_add() {  # in_flight run measure
  start_redis
  "${ON_LOAD[@]}" node "$ANCHORS/bullmq_add.mjs" --redis "$redis_port" --concurrency "$1" --seconds "$D" > "$work/bull.out"
  stop_redis
  record "$3" bullmq "$2" "$(sed -n 's/.*per_s=\([0-9.]*\).*/\1/p' "$work/bull.out")" "submits/s" \
    "{\"connections\":$1,\"errors\":$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' "$work/bull.out")}"
}

for i in $(seq 1 "$BENCH_RUNS"); do
  log "submits: run $i/$BENCH_RUNS"
  genq_submit 64 "$i" durable_submits
  bullmq_add 64 "$i" durable_submits
done
for c in $SWEEP; do
  [ "$c" = 64 ] && continue  # the 64-connection runs above are the sweep's point
  log "submits: sweep $c connections"
  genq_submit "$c" 1 submits_sweep
  bullmq_add "$c" 1 submits_sweep
done
