#!/usr/bin/env bash
# PostgreSQL store submits/s: genq has no PostgreSQL store yet, so this measures the
# anchors only: pg-boss `send()` and graphile-worker `addJob()`, 64 in flight for
# BENCH_DURATION s, on one throwaway PostgreSQL 15 cluster (initdb in a temp dir,
# default durability: fsync=on, synchronous_commit=on), one database per tool (its
# schema is created by the first run).
# postgres on SERVER_CPU, the Node client on LOAD_CPU.
source "$(dirname "$0")/lib.sh"
D=${BENCH_PG_DURATION:-${BENCH_DURATION:-10}}
start_postgres
for system in pg-boss graphile-worker; do
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$pg_port" -U bench -d postgres -c "CREATE DATABASE b_${system//-/_}"
done
for i in $(seq 1 "$BENCH_RUNS"); do
  for system in pg-boss graphile-worker; do
    db="b_${system//-/_}"
    "${ON_LOAD[@]}" node "$ANCHORS/pg_submit.mjs" --pg "postgres://bench@127.0.0.1:$pg_port/$db" --system "$system" \
      --seconds "$D" > "$work/pg.out"
    record pg_submits "$system" "$i" "$(sed -n 's/.*per_s=\([0-9.]*\).*/\1/p' "$work/pg.out")" "submits/s" \
      "{\"errors\":$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' "$work/pg.out"),\"in_flight\":64}"
  done
done
stop_postgres
