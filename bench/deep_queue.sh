#!/usr/bin/env bash
# Status GET p99 and submits/s with BENCH_DEEP_JOBS (1,000,000; quick mode 100,000)
# stored jobs against 1,000, genq only (the anchor is genq itself at 1,000).
# Seeding: genq creates the database and one template job over HTTP, is stopped, and
# the sqlite3 CLI clones the template row (new ids, same client) into the stopped
# server's database; genq then starts on it with its default configuration.
# Two kinds of stored jobs, measured separately:
#   done    - finished history (status done), the usual state of stored jobs;
#   pending - a deep queue of one model (status pending). The polled job is behind
#             all of them, so its queue_position counts the whole queue on every read.
# Each: wrk -t1 -c64 --timeout 60s status polling of a job submitted after the seed (BENCH_RUNS
# runs, p99 per run), then wrk -t1 -c64 txt2img submits (BENCH_RUNS runs).
# genq on SERVER_CPU, wrk on LOAD_CPU.
source "$(dirname "$0")/lib.sh"
D=${BENCH_DEEP_DURATION:-${BENCH_DURATION:-10}}
DEEP=${BENCH_DEEP_JOBS:-1000000}
SMALL=1000

seed() {  # dir count status
  local dir=$1 n=$2 status=$3
  rm -rf "$dir"
  new_client "$dir"
  start_genq "$dir"
  curl -sf -X POST "$genq_url/api/v1/client/txt2img" -H "Authorization: Bearer $api_key" \
    -H 'Content-Type: application/json' -d '{"prompt":"seed","model":"Flux1schnell","width":512,"height":512,"steps":4}' > /dev/null
  stop_pid "$genq_pid"
  local t0=$SECONDS fin="NULL" start="NULL" prog="NULL"
  if [ "$status" = done ]; then fin="created_at + 2000"; start="created_at + 1000"; prog="100"; fi
  sqlite3 "$dir/genq.db" > /dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $((n - 1)))
INSERT INTO jobs (id, client_id, task, model, params_json, inputs_json, dialect, status, progress,
                  attempts, max_attempts, created_at, started_at, finished_at)
SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-a'
         || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
       t.client_id, t.task, t.model, t.params_json, t.inputs_json, t.dialect, '$status', $prog,
       CASE WHEN '$status' = 'done' THEN 1 ELSE 0 END, t.max_attempts, t.created_at, $start, $fin
FROM n, (SELECT * FROM jobs ORDER BY seq LIMIT 1) AS t;
UPDATE jobs SET status = '$status', progress = $prog, attempts = CASE WHEN '$status' = 'done' THEN 1 ELSE 0 END,
                started_at = $start, finished_at = $fin
WHERE seq = (SELECT min(seq) FROM jobs);  -- the template too
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL

  log "deep: seeded $n $status jobs in $((SECONDS - t0)) s"
}

measure() {  # label count status
  local label=$1 n=$2 status=$3 i
  seed "$work/data" "$n" "$status"
  start_genq "$work/data"
  export GENQ_API_KEY=$api_key
  local first
  first=$(curl -s -X POST "$genq_url/api/v1/client/txt2img" -H "Authorization: Bearer $api_key" \
    -H 'Content-Type: application/json' -d '{"prompt":"x","model":"Flux1schnell","width":256,"height":256}')
  export GENQ_REQUEST_ID=$(echo "$first" | sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p')
  local position
  position=$(curl -s "$genq_url/api/v1/client/request-status/$GENQ_REQUEST_ID" -H "Authorization: Bearer $api_key" |
    sed -n 's/.*"queue_position":\([0-9a-z]*\).*/\1/p')
  for i in $(seq 1 "$BENCH_RUNS"); do
    # --timeout 60s: slow answers count in the latency instead of being dropped as timeouts
    "${ON_LOAD[@]}" wrk -t1 -c64 -d"${D}s" --timeout 60s -s bench/status.lua "$genq_url" > "$work/wrk.out"
    local n_ us p99 p50
    n_=$(wrk_field "$work/wrk.out" requests); us=$(wrk_field "$work/wrk.out" duration_us)
    p99=$(awk -v v="$(wrk_field "$work/wrk.out" p99_us)" 'BEGIN{print v/1000}')
    p50=$(awk -v v="$(wrk_field "$work/wrk.out" p50_us)" 'BEGIN{print v/1000}')
    record "deep_status_p99_$status" "$label" "$i" "$p99" ms \
      "{\"stored_jobs\":$n,\"stored_status\":\"$status\",\"queue_position\":$position,\"req_per_s\":$(per_s "$n_" "$us"),\"p50_ms\":$p50,\"timeouts\":$(wrk_field "$work/wrk.out" errors_timeout)}"
  done
  for i in $(seq 1 "$BENCH_RUNS"); do
    "${ON_LOAD[@]}" wrk -t1 -c64 -d"${D}s" -s bench/submit.lua "$genq_url/api/v1/client/txt2img" > "$work/wrk.out"
    local n_ us
    n_=$(wrk_field "$work/wrk.out" requests); us=$(wrk_field "$work/wrk.out" duration_us)
    record "deep_submits_$status" "$label" "$i" "$(per_s "$n_" "$us")" "submits/s" \
      "{\"stored_jobs\":$n,\"stored_status\":\"$status\",\"non200\":$(wrk_field "$work/wrk.out" errors_status)}"
  done
  stop_pid "$genq_pid"
  rm -rf "$work/data"
}

for status in ${BENCH_DEEP_KINDS:-done pending}; do
  log "deep: $status, $SMALL stored jobs"
  measure genq_1k "$SMALL" "$status"
  log "deep: $status, $DEEP stored jobs"
  measure genq_deep "$DEEP" "$status"
done
