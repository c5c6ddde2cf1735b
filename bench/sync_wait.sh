#!/usr/bin/env bash
# Sync mode (`Prefer: wait`) under load: BENCH_SYNC_CLIENTS (default 10,000) submits
# held at once, each on its own connection (bench/anchors/sync_wait.mjs), against genq
# with its default configuration (SQLite) pinned to SERVER_CPU. Records genq's RSS and
# threads while it holds them all, and how fast the held requests are answered once a
# no-op worker completes their jobs. No anchor: the hosted APIs' sync modes cannot run here.
source "$(dirname "$0")/lib.sh"
CLIENTS=${BENCH_SYNC_CLIENTS:-10000}
for i in $(seq 1 "$BENCH_RUNS"); do
  log "sync wait: run $i/$BENCH_RUNS, $CLIENTS held submits"
  rm -rf "$work/data"
  new_client "$work/data"
  token=$(new_worker_token "$work/data" Bge_M3_FP16)
  start_genq "$work/data"
  "${ON_LOAD[@]}" node "$ANCHORS/sync_wait.mjs" --url "$genq_url" --key "$api_key" --token "$token" \
    --pid "$genq_pid" --clients "$CLIENTS" > "$work/sync.out"
  stop_pid "$genq_pid"
  field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$work/sync.out"; }
  extra="{\"clients\":$CLIENTS,\"idle_rss_mb\":$(field idle_rss_mb),\"idle_threads\":$(field idle_threads),\"submit_phase_s\":$(field submit_phase_s),\"not_done\":$(field not_done)}"
  record sync_wait_held_rss genq "$i" "$(field held_rss_mb)" MB "$extra"
  record sync_wait_held_threads genq "$i" "$(field held_threads)" threads "$extra"
  record sync_wait_answered genq "$i" "$(field answered_per_s)" "answers/s" "$extra"
done
