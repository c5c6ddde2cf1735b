#!/usr/bin/env bash
# genq on PostgreSQL (--store postgres://…), on one throwaway PostgreSQL 15 cluster
# (initdb in a temp dir, default durability: fsync=on, synchronous_commit=on):
#  pg_submits         durable submits/s, 64 in flight: genq (wrk -c64 -s bench/submit.lua,
#                     fresh database and node per run) against pg-boss `send()` and
#                     graphile-worker `addJob()` (bench/anchors/pg_submit.mjs, 64 in
#                     flight, one database per tool, its schema made by the first run).
#  pg_status_polling  status polls/s at 64 connections on a node whose store is
#                     PostgreSQL (every read goes to the database), against nginx
#                     serving the same body (the wrk command of status_poll.sh).
#  pg_e2e_jobs        end-to-end jobs/s (bench/anchors/genq_e2e.mjs) with 1, 2 and 3
#                     nodes on one database and one redis-server (--bus redis://…):
#                     submits take the nodes in turn, one no-op worker per node.
# BENCH_PG_PARTS picks some of them ("status", "submits e2e"; default all three).
# Servers (postgres, genq nodes, redis-server, nginx) on SERVER_CPU, clients on LOAD_CPU.
# SERVER_CPU may name several CPUs ("0-7"): on a bigger machine the same script
# measures how the nodes scale.
source "$(dirname "$0")/lib.sh"
D=${BENCH_PG_DURATION:-${BENCH_DURATION:-10}}
E2E_JOBS=${BENCH_PG_E2E_JOBS:-${BENCH_E2E_JOBS:-5000}}
NODE_COUNTS=${BENCH_PG_NODES:-"1 2 3"}
PARTS=" ${BENCH_PG_PARTS:-submits status e2e} "
wanted() { [[ $PARTS == *" $1 "* ]]; }
start_postgres
psql_admin() { "$PG_BIN/psql" -q -h 127.0.0.1 -p "$pg_port" -U bench -d postgres -c "$1"; }
db_url() { echo "postgres://bench@127.0.0.1:$pg_port/$1"; }

if wanted submits; then
for system in pg-boss graphile-worker; do
  psql_admin "CREATE DATABASE b_${system//-/_}"
done
for i in $(seq 1 "$BENCH_RUNS"); do
  log "postgres submits: run $i/$BENCH_RUNS"
  psql_admin "CREATE DATABASE b_genq_$i"
  store=$(db_url "b_genq_$i")
  rm -rf "$work/data"
  new_client "$work/data" --store "$store"
  start_genq "$work/data" --store "$store"
  GENQ_API_KEY=$api_key "${ON_LOAD[@]}" wrk -t1 -c64 -d"${D}s" -s bench/submit.lua "$genq_url/api/v1/client/txt2img" > "$work/wrk.out"
  stop_pid "$genq_pid"
  n=$(wrk_field "$work/wrk.out" requests); us=$(wrk_field "$work/wrk.out" duration_us)
  record pg_submits genq "$i" "$(per_s "$n" "$us")" "submits/s" \
    "{\"connections\":64,\"requests\":$n,\"non200\":$(wrk_field "$work/wrk.out" errors_status)}"
  for system in pg-boss graphile-worker; do
    db="b_${system//-/_}"
    "${ON_LOAD[@]}" node "$ANCHORS/pg_submit.mjs" --pg "$(db_url "$db")" --system "$system" \
      --seconds "$D" > "$work/pg.out"
    record pg_submits "$system" "$i" "$(sed -n 's/.*per_s=\([0-9.]*\).*/\1/p' "$work/pg.out")" "submits/s" \
      "{\"errors\":$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' "$work/pg.out"),\"in_flight\":64}"
  done
done
fi

# Status polls: one pending job on a PostgreSQL node, then nginx with the same body.
if wanted status; then
psql_admin "CREATE DATABASE b_genq_poll"
store=$(db_url b_genq_poll)
rm -rf "$work/data"
new_client "$work/data" --store "$store"
start_genq "$work/data" --store "$store"
polled_job
log "postgres status: genq body is $bytes bytes"
poll_runs pg_status_polling genq "$genq_url" "$D"
stop_pid "$genq_pid"
nginx_with_status_body
poll_runs pg_status_polling nginx "http://127.0.0.1:$nginx_port" "$D"
stop_pid "$nginx_pid"
fi

# End-to-end with 1, 2, 3 nodes: one database per run, one redis-server for the bus.
if wanted e2e; then
start_redis
for i in $(seq 1 "$BENCH_RUNS"); do
  for nodes in $NODE_COUNTS; do
    log "postgres e2e: run $i/$BENCH_RUNS, $nodes node(s), $E2E_JOBS jobs"
    psql_admin "CREATE DATABASE b_e2e_${i}_$nodes"
    store=$(db_url "b_e2e_${i}_$nodes")
    rm -rf "$work"/node*
    mkdir -p "$work/node1"
    new_client "$work/node1" --store "$store"
    token=$(new_worker_token "$work/node1" Bge_M3_FP16 --store "$store")
    urls=() node_pids=()
    for n in $(seq 1 "$nodes"); do
      start_genq_named "node$n" "$work/node$n" --store "$store" --bus "redis://127.0.0.1:$redis_port"
      urls+=("$genq_url") node_pids+=("$genq_pid")
    done
    "${ON_LOAD[@]}" node "$ANCHORS/genq_e2e.mjs" --url "$(IFS=,; echo "${urls[*]}")" --key "$api_key" --token "$token" \
      --jobs "$E2E_JOBS" > "$work/e2e.out"
    for pid in "${node_pids[@]}"; do stop_pid "$pid"; done
    record pg_e2e_jobs "genq_${nodes}" "$i" "$(sed -n 's/.*jobs_per_s=\([0-9.]*\).*/\1/p' "$work/e2e.out")" "jobs/s" \
      "{\"jobs\":$E2E_JOBS,\"nodes\":$nodes,\"submit_phase_s\":$(sed -n 's/.*submit_phase_s=\([0-9.]*\).*/\1/p' "$work/e2e.out")}"
  done
done
stop_redis
fi
stop_postgres
