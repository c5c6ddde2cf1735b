#!/usr/bin/env bash
# Submit -> final event latency at BENCH_LAT_RATE (100) jobs/s for BENCH_LAT_SECONDS.
#   genq:   bench/anchors/genq_latency.mjs (pusher-js on the client's private channel,
#           `done` status event) with a no-op worker process (genq_worker.mjs, 64
#           slots); fresh server with the default configuration per run.
#   BullMQ: bench/anchors/bullmq_latency.mjs (QueueEvents `completed`) with a no-op
#           Worker process (bullmq_worker.mjs, concurrency 64); fresh redis per run.
# Latencies of every job are kept (BENCH_SAMPLES_DIR) for the CDF plot.
# Server on SERVER_CPU; client and worker processes on LOAD_CPU.
source "$(dirname "$0")/lib.sh"
RATE=${BENCH_LAT_RATE:-100}
S=${BENCH_LAT_SECONDS:-10}
SAMPLES=${BENCH_SAMPLES_DIR:-$(dirname "$BENCH_RAW")/samples}
mkdir -p "$SAMPLES"
KEY=bench-key

lat_extra() {
  echo "{\"p50_ms\":$(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' "$1"),\"max_ms\":$(sed -n 's/.*max_ms=\([0-9.]*\).*/\1/p' "$1"),\"jobs\":$(sed -n 's/.* jobs=\([0-9]*\).*/\1/p' "$1"),\"total\":$(sed -n 's/.* total=\([0-9]*\).*/\1/p' "$1"),\"offered_per_s\":$(sed -n 's/.*offered_per_s=\([0-9.]*\).*/\1/p' "$1"),\"rate\":$RATE,\"seconds\":$S}"
}
for i in $(seq 1 "$BENCH_RUNS"); do
  log "latency: run $i/$BENCH_RUNS"
  rm -rf "$work/data"
  new_client "$work/data"
  token=$(new_worker_token "$work/data" Bge_M3_FP16)
  start_genq "$work/data" --pusher-app-id 4242 --pusher-key "$KEY" --pusher-secret bench-secret
  rm -f "$work/worker.out"
  "${ON_LOAD[@]}" node "$ANCHORS/genq_worker.mjs" --url "$genq_url" --token "$token" > "$work/worker.out" 2>&1 &
  worker_pid=$!; pids+=("$worker_pid")
  wait_for_line "$work/worker.out" READY 20
  "${ON_LOAD[@]}" node "$ANCHORS/genq_latency.mjs" --url "$genq_url" --pusher-key "$KEY" --key "$api_key" \
    --client-id "$client_id" --rate "$RATE" --seconds "$S" --samples "$SAMPLES/latency-genq-$i.txt" > "$work/lat.out"
  stop_pid "$worker_pid"; stop_pid "$genq_pid"
  record final_event_p99 genq "$i" "$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' "$work/lat.out")" ms "$(lat_extra "$work/lat.out")"

  start_redis
  rm -f "$work/worker.out"
  "${ON_LOAD[@]}" node "$ANCHORS/bullmq_worker.mjs" --redis "$redis_port" --queue lat > "$work/worker.out" 2>&1 &
  worker_pid=$!; pids+=("$worker_pid")
  wait_for_line "$work/worker.out" READY 20
  "${ON_LOAD[@]}" node "$ANCHORS/bullmq_latency.mjs" --redis "$redis_port" --queue lat --rate "$RATE" --seconds "$S" \
    --samples "$SAMPLES/latency-bullmq-$i.txt" > "$work/lat.out"
  stop_pid "$worker_pid"; stop_redis
  record final_event_p99 bullmq "$i" "$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' "$work/lat.out")" ms "$(lat_extra "$work/lat.out")"
done
