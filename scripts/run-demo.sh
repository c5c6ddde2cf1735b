#!/usr/bin/env bash
# `make run`: starts genq on http://127.0.0.1:8080 (SQLite under ./data) with a local
# worker running the catalog's models (synthetic ones, and those on Debian tools:
# espeak-ng, tesseract, pocketsphinx, ffmpeg), prints a demo API key and curl lines,
# and runs until Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/demo-lines.sh"
GENQ=${1:-build/genq}
DATA=${GENQ_DATA:-./data}
LISTEN=${GENQ_LISTEN:-127.0.0.1:8080}
mkdir -p "$DATA"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

log="$DATA/serve.log"
"$GENQ" serve --listen "$LISTEN" --data "$DATA" > >(tee "$DATA/serve.out") 2> >(tee "$log" >&2) &
pids+=($!)
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$DATA/serve.out" 2>/dev/null && break
  if ! kill -0 "${pids[0]}" 2>/dev/null; then echo "genq serve failed to start; see $log" >&2; exit 1; fi
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$DATA/serve.out" | head -n1)
[ -n "$url" ] || { echo "genq serve did not report its address" >&2; exit 1; }

# The demo client and worker token are created once and reused on later runs.
if [ ! -s "$DATA/demo-client.json" ]; then
  "$GENQ" admin create-client --data "$DATA" --name demo > "$DATA/demo-client.json"
fi
if [ ! -s "$DATA/demo-worker.json" ]; then
  "$GENQ" admin create-worker-token --data "$DATA" --name demo-worker > "$DATA/demo-worker.json"
fi
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$2"; }
api_key=$(json_field api_key "$DATA/demo-client.json")
client_id=$(json_field client_id "$DATA/demo-client.json")
worker_token=$(json_field token "$DATA/demo-worker.json")

# Pusher credentials: given through GENQ_PUSHER_*, or generated into the data dir on
# the server's first start and kept.
pusher_key=${GENQ_PUSHER_KEY:-$(cat "$DATA/pusher-key")}
pusher_app_id=${GENQ_PUSHER_APP_ID:-$(cat "$DATA/pusher-app-id")}
pusher_secret_hint="$DATA/pusher-secret"

"$GENQ" worker --server "$url" --token "$worker_token" --backend catalog --concurrency 2 --step-delay-ms 400 &
pids+=($!)

cat <<MSG

genq is running at $url (data in $DATA, admin token in $DATA/admin-token)
A worker is connected: synthetic models, and EspeakNg, Tesseract5, PocketsphinxDigits,
PocketsphinxEn, FfmpegLanczos and FfmpegKenBurns on Debian tools (its log says which
it offers).
MSG
print_demo_lines
wait "${pids[0]}"
