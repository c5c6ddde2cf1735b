#!/usr/bin/env bash
# Status streams under load: BENCH_SSE_CLIENTS (default 10,000) Server-Sent Events
# streams held at once, one per job and connection (bench/anchors/sse_streams.mjs),
# against genq with its default configuration (SQLite) pinned to SERVER_CPU. Records
# genq's RSS and threads while it holds them all, and how fast the streams end once a
# no-op worker completes their jobs. No anchor: fal's and Comfy's streams cannot run here.
source "$(dirname "$0")/lib.sh"
CLIENTS=${BENCH_SSE_CLIENTS:-10000}
for i in $(seq 1 "$BENCH_RUNS"); do
  log "sse streams: run $i/$BENCH_RUNS, $CLIENTS held streams"
  rm -rf "$work/data"
  new_client "$work/data"
  token=$(new_worker_token "$work/data" Bge_M3_FP16)
  start_genq "$work/data"
  "${ON_LOAD[@]}" node "$ANCHORS/sse_streams.mjs" --url "$genq_url" --key "$api_key" --token "$token" \
    --pid "$genq_pid" --clients "$CLIENTS" > "$work/sse.out"
  stop_pid "$genq_pid"
  field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$work/sse.out"; }
  extra="{\"clients\":$CLIENTS,\"idle_rss_mb\":$(field idle_rss_mb),\"idle_threads\":$(field idle_threads),\"open_phase_s\":$(field open_phase_s),\"not_done\":$(field not_done)}"
  record sse_streams_held_rss genq "$i" "$(field held_rss_mb)" MB "$extra"
  record sse_streams_held_threads genq "$i" "$(field held_threads)" threads "$extra"
  record sse_streams_ended genq "$i" "$(field ended_per_s)" "streams/s" "$extra"
done
