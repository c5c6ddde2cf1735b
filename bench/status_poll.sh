#!/usr/bin/env bash
# Polling GET request-status req/s at 64 connections, genq against nginx serving a
# static file of the same size as genq's status body, with the same wrk command
# (wrk -t1 -c64 -dD -s bench/status.lua; nginx ignores the Authorization header and
# answers every path with the file).
#   genq:  fresh `genq serve` (default configuration) holding one pending job (queue
#          position 0), polled by id. The deep-queue case is bench/deep_queue.sh.
#   nginx: one worker process, access log off, keep-alive without a request cap,
#          sendfile on.
# Server on SERVER_CPU, wrk on LOAD_CPU.
source "$(dirname "$0")/lib.sh"
D=${BENCH_DURATION:-10}

rm -rf "$work/data"
# BENCH_RUNS runs of the same wrk command against SYSTEM at URL, recorded in req/s.
poll_runs() {  # system url
  local i n us
  for i in $(seq 1 "$BENCH_RUNS"); do
    "${ON_LOAD[@]}" wrk -t1 -c64 -d"${D}s" -s bench/status.lua "$2" > "$work/wrk.out"
    n=$(wrk_field "$work/wrk.out" requests); us=$(wrk_field "$work/wrk.out" duration_us)
    record status_polling "$1" "$i" "$(per_s "$n" "$us")" "req/s" \
      "{\"body_bytes\":$bytes,\"non2xx\":$(wrk_field "$work/wrk.out" errors_status),\"p50_ms\":$(awk -v v="$(wrk_field "$work/wrk.out" p50_us)" 'BEGIN{print v/1000}'),\"p99_ms\":$(awk -v v="$(wrk_field "$work/wrk.out" p99_us)" 'BEGIN{print v/1000}')}"
  done
}

new_client "$work/data"
start_genq "$work/data"
export GENQ_API_KEY=$api_key
first=$(curl -s -X POST "$genq_url/api/v1/client/txt2img" -H "Authorization: Bearer $api_key" \
  -H 'Content-Type: application/json' -d '{"prompt":"x","model":"Flux1schnell","width":256,"height":256}')
export GENQ_REQUEST_ID=$(echo "$first" | sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p')
curl -s "$genq_url/api/v1/client/request-status/$GENQ_REQUEST_ID" -H "Authorization: Bearer $api_key" > "$work/body.json"
bytes=$(stat -c %s "$work/body.json")
log "status: genq body is $bytes bytes"
poll_runs genq "$genq_url"
stop_pid "$genq_pid"

# nginx answers every path with a copy of genq's body.
mkdir -p "$work/www"
cp "$work/body.json" "$work/www/status.json"
start_nginx "$work/www" 'default_type application/json; location / { try_files /status.json =404; }'
port=$nginx_port
curl -s "http://127.0.0.1:$port/api/v1/client/request-status/$GENQ_REQUEST_ID" | cmp - "$work/body.json"
poll_runs nginx "http://127.0.0.1:$port"
stop_pid "$nginx_pid"
