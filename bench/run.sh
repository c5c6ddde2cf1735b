#!/usr/bin/env bash
# `make bench`: genq's benchmarks on this machine. Starts a throwaway server on a free
# port with the default (durable) configuration, runs each measurement, prints
# RESULT lines and appends them to bench/results/<date>.txt.
#   bench/run.sh [GENQ_BINARY]       (BENCH_DURATION=10s by default)
set -euo pipefail
cd "$(dirname "$0")/.."
GENQ=${1:-build/genq}
DURATION=${BENCH_DURATION:-10s}
RUNS=${BENCH_RUNS:-3}
command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -qq wrk >/dev/null; }

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$GENQ" serve --listen 127.0.0.1:0 --data "$work/data" --log-level warn > "$work/out" 2> "$work/err" &
server_pid=$!
for _ in $(seq 1 100); do grep -q '^listening on ' "$work/out" && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$work/out")
client=$("$GENQ" admin create-client --data "$work/data" --name bench)
token=$("$GENQ" admin create-worker-token --data "$work/data" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
export GENQ_API_KEY=$(echo "$client" | sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')

mkdir -p bench/results
out="bench/results/$(date -u +%Y-%m-%d).txt"
{
  echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores; genq $("$GENQ" --version 2>/dev/null | head -n1); wrk $(wrk -v 2>&1 | head -n1 | awk '{print $2}')"
  echo "# store: SQLite WAL, synchronous=FULL (the default); server and load share the machine"
} | tee -a "$out"

for i in $(seq 1 "$RUNS"); do
  line=$(wrk -t1 -c64 -d"$DURATION" -s bench/submit.lua "$url/api/v1/client/txt2img" | grep '^RESULT')
  echo "submit_64conn run=$i $line" | tee -a "$out"
done

first=$(curl -s -X POST "$url/api/v1/client/txt2img" -H "Authorization: Bearer $GENQ_API_KEY" \
  -H 'Content-Type: application/json' -d '{"prompt":"x","model":"Flux1schnell","width":256,"height":256}')
export GENQ_REQUEST_ID=$(echo "$first" | sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p')
for i in $(seq 1 "$RUNS"); do
  line=$(wrk -t1 -c64 -d"$DURATION" -s bench/status.lua "$url" | grep '^RESULT')
  echo "status_64conn run=$i $line" | tee -a "$out"
done

# Submit -> claim: a dedicated worker token for the embedding model, and a pending
# queue drained first so every round measures one fresh job.
bench_token=$("$GENQ" admin create-worker-token --data "$work/data" --models Bge_M3_FP16 | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
for i in $(seq 1 "$RUNS"); do
  line=$("$(dirname "$GENQ")/bench/genq_bench_claim_latency" "$url" "$GENQ_API_KEY" "$bench_token" 200 | grep '^RESULT')
  echo "submit_to_claim run=$i $line" | tee -a "$out"
done
echo "results appended to $out"
