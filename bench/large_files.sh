#!/usr/bin/env bash
# A 200 MB result through genq: the worker's upload (PUT …/result with Content-Length,
# as `genq worker` sends it) and the client's download of result_url, each timed by
# curl, against nginx serving the same file with sendfile (bench/lib.sh start_nginx).
# Also genq's peak RSS over the whole run minus its RSS before: streaming means it does
# not grow with the file. Server on SERVER_CPU, curl on LOAD_CPU.
#   BENCH_FILE_MB (default 200)
source "$(dirname "$0")/lib.sh"
MB=${BENCH_FILE_MB:-200}
bytes=$((MB * 1000 * 1000))

file=$work/result.mp4
head -c "$bytes" /dev/urandom > "$file"
sum=$(sha256sum "$file" | cut -d' ' -f1)

rm -rf "$work/data"
new_client "$work/data"
token=$(new_worker_token "$work/data")
start_genq "$work/data" --max-result-bytes $((bytes + 1))
rss_before=$(rss_kb "$genq_pid")
auth=(-H "Authorization: Bearer $token")

# curl's own figure, in MB/s (10^6 bytes).
speed() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1e6 }'; }

for i in $(seq 1 "$BENCH_RUNS"); do
  submitted=$(curl -sf -X POST "$genq_url/api/v1/client/txt2video" -H "Authorization: Bearer $api_key" \
    -H 'Content-Type: application/json' -d '{"prompt":"x","model":"Ltxv_13B_0_9_8_Distilled_FP8","width":512,"height":512}')
  id=$(echo "$submitted" | sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p')
  claim=$(curl -sf -X POST "$genq_url/api/v1/worker/claim" "${auth[@]}" -H 'Content-Type: application/json' \
    -d '{"worker_id":"bench","max_jobs":1,"wait_ms":5000}')
  lease=$(echo "$claim" | sed -n 's/.*"lease_id":"\([^"]*\)".*/\1/p')
  [ -n "$id" ] && [ -n "$lease" ] || { echo "large_files: submit or claim failed: $submitted $claim" >&2; exit 1; }
  up=$("${ON_LOAD[@]}" curl -sf -X PUT -H 'Expect:' -H 'Content-Type: video/mp4' "${auth[@]}" \
    --data-binary "@$file" -o /dev/null -w '%{speed_upload}' "$genq_url/api/v1/worker/jobs/$id/result?lease_id=$lease")
  curl -sf -X POST "$genq_url/api/v1/worker/jobs/$id/complete" "${auth[@]}" -H 'Content-Type: application/json' \
    -d "{\"lease_id\":\"$lease\"}" > /dev/null
  url=$(curl -sf "$genq_url/api/v1/client/request-status/$id" -H "Authorization: Bearer $api_key" |
    sed -n 's/.*"result_url":"\([^"]*\)".*/\1/p' | sed 's#\\/#/#g')
  down=$("${ON_LOAD[@]}" curl -sf -o "$work/download" -w '%{speed_download}' "$url")
  [ "$(sha256sum "$work/download" | cut -d' ' -f1)" = "$sum" ] || { echo "large_files: download differs" >&2; exit 1; }
  rm -f "$work/download"
  record result_upload genq "$i" "$(speed "$up")" "MB/s" "{\"bytes\":$bytes}"
  record result_download genq "$i" "$(speed "$down")" "MB/s" "{\"bytes\":$bytes}"
done
peak=$(awk '/^VmHWM/ {print $2}' "/proc/$genq_pid/status")
record transfer_rss genq 1 "$(awk -v p="$peak" -v b="$rss_before" 'BEGIN { printf "%.1f", (p - b) / 1024 }')" "MB" \
  "{\"file_mb\":$MB,\"rss_before_mb\":$((rss_before / 1024)),\"peak_mb\":$((peak / 1024))}"
stop_pid "$genq_pid"

mkdir -p "$work/www"
mv "$file" "$work/www/result.mp4"
start_nginx "$work/www" 'default_type video/mp4;'
for i in $(seq 1 "$BENCH_RUNS"); do
  down=$("${ON_LOAD[@]}" curl -sf -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$nginx_port/result.mp4")
  record result_download nginx "$i" "$(speed "$down")" "MB/s" "{\"bytes\":$bytes}"
done
stop_pid "$nginx_pid"
