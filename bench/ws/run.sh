#!/usr/bin/env bash
# WebSocket (Pusher protocol) benchmarks, genq against a Node `ws` server doing the
# same fan-out (node_server.mjs), in the same run on the same machine:
#   1. server memory per idle connection at IDLE_CONNECTIONS (10,000) connections,
#      each subscribed to its own channel: (RSS loaded - RSS before) / connections;
#   2. fan-out: FANOUT_SUBSCRIBERS (2,000) connections on one channel, FANOUT_MESSAGES
#      events published through the HTTP API; messages delivered per second;
#   3. genq only: submit -> final `done` event latency, p50/p99, at LATENCY_RATE
#      (100) jobs/s for LATENCY_SECONDS, with a local synthetic worker.
# Prints RESULT lines and appends them to bench/results/ws-<date>.txt.
# BENCH_PARTS picks measurements (default "memory fanout latency").
#   bench/ws/run.sh [BUILD_DIR]     (default: build; needs BUILD_DIR/genq and
#                                    BUILD_DIR/bench/genq_bench_ws_clients, and
#                                    bench/anchors/node_modules: bench/install-deps.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
GENQ=$BUILD/genq
CLIENTS=$BUILD/bench/genq_bench_ws_clients
IDLE=${IDLE_CONNECTIONS:-10000}
SUBS=${FANOUT_SUBSCRIBERS:-2000}
MESSAGES=${FANOUT_MESSAGES:-500}
RATE=${LATENCY_RATE:-100}
SECONDS_=${LATENCY_SECONDS:-10}
PARTS=${BENCH_PARTS:-memory fanout latency}
want() { [[ " $PARTS " == *" $1 "* ]]; }
# SERVER_CPU / LOAD_CPU (set by bench/run.sh): pin the server under test and the load
# clients to separate CPUs with taskset, the same for genq and the Node server.
PIN_SERVER=(); [ -n "${SERVER_CPU:-}" ] && PIN_SERVER=(taskset -c "$SERVER_CPU")
PIN_LOAD=(); [ -n "${LOAD_CPU:-}" ] && PIN_LOAD=(taskset -c "$LOAD_CPU")
APP_ID=4242 KEY=bench-key SECRET=bench-secret
[ -x "$GENQ" ] && [ -x "$CLIENTS" ] || { echo "build $GENQ and $CLIENTS first" >&2; exit 1; }
[ -d bench/anchors/node_modules/ws ] || { echo "run bench/install-deps.sh first" >&2; exit 1; }
# Both ends of 10,000 connections live on this machine.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -gt $((IDLE + 1000)) ] || { echo "need ulimit -n > $((IDLE + 1000))" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
wait_for_line() {  # file pattern seconds
  local end=$((SECONDS + $3))
  until grep -q "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $end ] || { echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1; }
    sleep 0.1
  done
}

start_genq() {
  rm -f "$work/genq.out"  # a stale listening line must not be read before the redirect truncates it
  "${PIN_SERVER[@]}" "$GENQ" serve --listen 127.0.0.1:0 --data "$work/data" --log-level warn \
    --pusher-app-id $APP_ID --pusher-key $KEY --pusher-secret $SECRET "$@" > "$work/genq.out" 2> "$work/genq.err" &
  server_pid=$!
  pids+=("$server_pid")
  wait_for_line "$work/genq.out" '^listening on ' 20
  port=$(sed -n 's#^listening on http://127.0.0.1:##p' "$work/genq.out")
}
start_node() {
  rm -f "$work/node.out"
  "${PIN_SERVER[@]}" node --expose-gc bench/ws/node_server.mjs > "$work/node.out" 2> "$work/node.err" &
  server_pid=$!
  pids+=("$server_pid")
  wait_for_line "$work/node.out" '^listening on ' 20
  port=$(sed -n 's#^listening on http://127.0.0.1:##p' "$work/node.out")
}
settle() {  # let Node collect garbage before RSS is read; genq has none to collect
  curl -s "http://127.0.0.1:$port/gc" > /dev/null || true
  sleep 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }

idle_memory() {  # name -> prints bytes per connection
  local name=$1 before after
  settle
  before=$(rss_kb "$server_pid")
  mkfifo "$work/in.$name"
  "${PIN_LOAD[@]}" "$CLIENTS" idle 127.0.0.1 "$port" "/app/$KEY?protocol=7&client=bench&version=1" "$IDLE" idle \
    < "$work/in.$name" > "$work/idle.$name" 2>&1 &
  local client=$!
  pids+=("$client")
  exec 3> "$work/in.$name"
  wait_for_line "$work/idle.$name" '^READY' 180
  settle
  after=$(rss_kb "$server_pid")
  exec 3>&-
  wait "$client" 2>/dev/null || true
  echo $(( (after - before) * 1024 / IDLE ))
}

fanout() {  # name -> prints messages per second
  local name=$1
  "${PIN_LOAD[@]}" "$CLIENTS" fanout 127.0.0.1 "$port" "/app/$KEY?protocol=7&client=bench&version=1" "$SUBS" fanout "$MESSAGES" \
    < /dev/null > "$work/fanout.$name" 2>&1 &
  local client=$!
  pids+=("$client")
  wait_for_line "$work/fanout.$name" '^READY' 120
  "${PIN_LOAD[@]}" node bench/ws/publish.mjs "$port" $APP_ID $KEY $SECRET fanout "$MESSAGES"
  wait_for_line "$work/fanout.$name" '^RESULT' 300
  wait "$client" 2>/dev/null || true
  sed -n 's/^RESULT fanout_msgs_per_s=\([0-9]*\).*/\1/p' "$work/fanout.$name"
}

mkdir -p bench/results
out=${WS_RESULTS_FILE:-"bench/results/ws-$(date -u +%Y-%m-%d).txt"}
{
  echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores $(free -g | awk '/Mem:/ {print $2}') GiB; $("$GENQ" --version | head -n1); node $(node --version)"
  echo "# server, load client and publisher share the machine"
} | tee -a "$out"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
if want memory || want fanout; then
  start_genq
  want memory && genq_mem=$(idle_memory genq)
  want fanout && genq_fan=$(fanout genq)
  stop_server
  start_node
  want memory && node_mem=$(idle_memory node)
  want fanout && node_fan=$(fanout node)
  stop_server
fi
if want memory; then
  echo "RESULT idle_memory_per_connection connections=$IDLE genq_bytes=$genq_mem node_ws_bytes=$node_mem genq/node=$(ratio "$genq_mem" "$node_mem")" | tee -a "$out"
fi
if want fanout; then
  echo "RESULT fanout subscribers=$SUBS messages=$MESSAGES genq_msgs_per_s=$genq_fan node_ws_msgs_per_s=$node_fan genq/node=$(ratio "$genq_fan" "$node_fan")" | tee -a "$out"
fi
want latency || exit 0

# Latency with a synthetic worker that keeps up (8 slots, no step delay).
rm -rf "$work/data"
start_genq
client_json=$("$GENQ" admin create-client --data "$work/data" --name bench)
api_key=$(echo "$client_json" | sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')
client_id=$(echo "$client_json" | sed -n 's/.*"client_id":"\([^"]*\)".*/\1/p')
token=$("$GENQ" admin create-worker-token --data "$work/data" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
"$GENQ" worker --server "http://127.0.0.1:$port" --token "$token" --backend synthetic --concurrency 8 \
  --step-delay-ms 0 > /dev/null 2>&1 &
pids+=($!)
line=$(node bench/ws/latency.mjs "http://127.0.0.1:$port" $KEY "$api_key" "$client_id" "$RATE" "$SECONDS_" | grep '^RESULT')
echo "$line rate=$RATE/s" | tee -a "$out"
echo "results appended to $out"
