#!/usr/bin/env bash
# Submit -> claim latency with a waiting worker (build/bench/genq_bench_claim_latency:
# a worker thread long-polls the claim endpoint, the main thread submits one job at a
# time; BENCH_CLAIM_ROUNDS (200) rounds per run), genq only, no target. genq on SERVER_CPU, the client on
# LOAD_CPU.
source "$(dirname "$0")/lib.sh"
ROUNDS=${BENCH_CLAIM_ROUNDS:-200}
CLAIM=$(dirname "$GENQ")/bench/genq_bench_claim_latency
[ -x "$CLAIM" ] || { log "claim latency: $CLAIM not built, skipped"; exit 0; }
for i in $(seq 1 "$BENCH_RUNS"); do
  rm -rf "$work/data"
  new_client "$work/data"
  token=$(new_worker_token "$work/data" Bge_M3_FP16)
  start_genq "$work/data"
  "${ON_LOAD[@]}" "$CLAIM" "$genq_url" "$api_key" "$token" "$ROUNDS" > "$work/claim.out"
  stop_pid "$genq_pid"
  f() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$work/claim.out"; }
  record submit_to_claim_p99 genq "$i" "$(awk -v v="$(f p99_us)" 'BEGIN{print v/1000}')" ms \
    "{\"rounds\":$ROUNDS,\"p50_ms\":$(awk -v v="$(f p50_us)" 'BEGIN{print v/1000}'),\"p90_ms\":$(awk -v v="$(f p90_us)" 'BEGIN{print v/1000}')}"
done
