#!/usr/bin/env bash
# The two WebSocket rows, genq against the Node `ws` server (bench/ws/run.sh, which
# runs both servers in the same run): memory per idle connection at IDLE_CONNECTIONS,
# and fan-out messages/s to FANOUT_SUBSCRIBERS. Run BENCH_RUNS times. Server (genq or
# Node) on SERVER_CPU, the C++ clients and the publisher on LOAD_CPU.
source "$(dirname "$0")/lib.sh"
export SERVER_CPU LOAD_CPU
export IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000} FANOUT_SUBSCRIBERS=${FANOUT_SUBSCRIBERS:-2000}
export FANOUT_MESSAGES=${FANOUT_MESSAGES:-500} BENCH_PARTS="memory fanout" WS_RESULTS_FILE=$work/ws.txt
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" "$1" | head -n1; }
for i in $(seq 1 "$BENCH_RUNS"); do
  log "ws: run $i/$BENCH_RUNS"
  bash bench/ws/run.sh "$(dirname "$GENQ")" > "$work/ws.out" 2>&1 || { cat "$work/ws.out" >&2; exit 1; }
  grep RESULT "$work/ws.out" > "$work/ws.res"
  grep idle_memory "$work/ws.res" > "$work/mem"; grep fanout "$work/ws.res" > "$work/fan"
  record ws_idle_memory genq "$i" "$(field "$work/mem" genq_bytes)" "B/conn" "{\"connections\":$IDLE_CONNECTIONS}"
  record ws_idle_memory node_ws "$i" "$(field "$work/mem" node_ws_bytes)" "B/conn" "{\"connections\":$IDLE_CONNECTIONS}"
  record ws_fanout genq "$i" "$(field "$work/fan" genq_msgs_per_s)" "msg/s" "{\"subscribers\":$FANOUT_SUBSCRIBERS,\"messages\":$FANOUT_MESSAGES}"
  record ws_fanout node_ws "$i" "$(field "$work/fan" node_ws_msgs_per_s)" "msg/s" "{\"subscribers\":$FANOUT_SUBSCRIBERS,\"messages\":$FANOUT_MESSAGES}"
done
