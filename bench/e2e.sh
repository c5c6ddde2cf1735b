#!/usr/bin/env bash
# End-to-end jobs/s: submit -> claim -> complete with no-op workers.
#   genq:   bench/anchors/genq_e2e.mjs: BENCH_E2E_JOBS txt2embedding submits over HTTP
#           (64 in flight) while a no-op worker over the worker protocol (64 slots,
#           4 claim loops, max_jobs batches) claims and completes them; fresh server
#           with the default configuration per run.
#   BullMQ: bench/anchors/bullmq_e2e.mjs: the same number of add() (64 in flight) while
#           a Worker with concurrency 64 drains them; fresh redis-server per run.
# Time from the first submit to the last completion. Server on SERVER_CPU; the one
# Node process (producer + worker) on LOAD_CPU.
source "$(dirname "$0")/lib.sh"
JOBS=${BENCH_E2E_JOBS:-20000}
for i in $(seq 1 "$BENCH_RUNS"); do
  log "e2e: run $i/$BENCH_RUNS ($JOBS jobs)"
  rm -rf "$work/data"
  new_client "$work/data"
  token=$(new_worker_token "$work/data" Bge_M3_FP16)
  start_genq "$work/data"
  "${ON_LOAD[@]}" node "$ANCHORS/genq_e2e.mjs" --url "$genq_url" --key "$api_key" --token "$token" --jobs "$JOBS" > "$work/e2e.out"
  stop_pid "$genq_pid"
  record e2e_jobs genq "$i" "$(sed -n 's/.*jobs_per_s=\([0-9.]*\).*/\1/p' "$work/e2e.out")" "jobs/s" \
    "{\"jobs\":$JOBS,\"submit_phase_s\":$(sed -n 's/.*submit_phase_s=\([0-9.]*\).*/\1/p' "$work/e2e.out")}"
  start_redis
  "${ON_LOAD[@]}" node "$ANCHORS/bullmq_e2e.mjs" --redis "$redis_port" --jobs "$JOBS" > "$work/e2e.out"
  stop_redis
  record e2e_jobs bullmq "$i" "$(sed -n 's/.*jobs_per_s=\([0-9.]*\).*/\1/p' "$work/e2e.out")" "jobs/s" \
    "{\"jobs\":$JOBS,\"submit_phase_s\":$(sed -n 's/.*submit_phase_s=\([0-9.]*\).*/\1/p' "$work/e2e.out")}"
done
