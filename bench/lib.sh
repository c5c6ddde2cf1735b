# Shared helpers for the bench/*.sh measure scripts (sourced, not run).
#
# Environment each script expects (bench/run.sh sets it):
#   GENQ          genq binary (default build/genq)
#   BENCH_RAW     JSON-lines file the measurements are appended to
#   BENCH_MODE    quick | full
#   BENCH_RUNS    runs per figure (>= 3)
#   SERVER_CPU    CPU the server under test (genq or the anchor) is pinned to (default 0)
#   LOAD_CPU      CPU the load generator and workers are pinned to (default 1)
# Every process a script starts is recorded in `pids` and stopped by pid on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GENQ=${GENQ:-build/genq}
BENCH_MODE=${BENCH_MODE:-quick}
BENCH_RUNS=${BENCH_RUNS:-3}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BENCH_RAW=${BENCH_RAW:-bench/results/tmp/raw.jsonl}
mkdir -p "$(dirname "$BENCH_RAW")"
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ANCHORS=bench/anchors
# Pinning prefixes. Arrays, not functions: a function run with `&` is a subshell and
# $! would be its pid, not the server's; taskset execs, so $! is the command's pid.
ON_SERVER=(taskset -c "$SERVER_CPU")
ON_LOAD=(taskset -c "$LOAD_CPU")

work=$(mktemp -d "${TMPDIR:-/tmp}/genq-bench.XXXXXX")
chmod 755 "$work"  # nginx workers and the postgres user read below it
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 143" TERM INT  # so a timeout still runs cleanup

log() { echo "[$(date -u +%T)] $*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_for_line() {  # file pattern seconds
  local end=$((SECONDS + $3))
  until grep -q "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $end ] || { echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1; }
    sleep 0.02
  done
}

wait_for_port() {  # port seconds
  local end=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [ $SECONDS -lt $end ] || { echo "timed out waiting for port $1" >&2; return 1; }
    sleep 0.05
  done
}

stop_pid() {  # pid: SIGTERM and wait
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# start_nginx WWW_DIR 'SERVER_DIRECTIVES': a throwaway nginx serving WWW_DIR on a free
# port, as a tuned static server runs: one worker process, access log off, sendfile,
# keep-alive without a request cap. Sets nginx_pid, nginx_port.
start_nginx() {
  local ng=$work/nginx
  mkdir -p "$ng/tmp" "$ng/logs"
  chmod -R a+rX "$work"
  nginx_port=$(free_port)
  cat > "$ng/nginx.conf" <<CONF
worker_processes 1;
error_log $ng/logs/error.log warn;
pid $ng/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  client_body_temp_path $ng/tmp/body;
  proxy_temp_path $ng/tmp/proxy;
  fastcgi_temp_path $ng/tmp/fastcgi;
  uwsgi_temp_path $ng/tmp/uwsgi;
  scgi_temp_path $ng/tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $1;
    $2
  }
}
CONF
  "${ON_SERVER[@]}" nginx -p "$ng" -c "$ng/nginx.conf" -g 'daemon off;' 2> "$ng/logs/stderr" &
  nginx_pid=$!
  pids+=("$nginx_pid")
  wait_for_port "$nginx_port" 20
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# start_genq DATA_DIR [serve options...]: sets genq_pid, genq_url. Default configuration
# (SQLite WAL, synchronous=FULL) unless the caller passes options.
start_genq() { start_genq_named genq "$@"; }
# start_genq_named NAME DATA_DIR [serve options...]: the same, with its output in
# $work/NAME.out and .err, for several nodes at once.
start_genq_named() {
  local name=$1 data=$2; shift 2
  rm -f "$work/$name.out"  # else the previous server's line could be read before the redirect truncates it
  "${ON_SERVER[@]}" "$GENQ" serve --listen 127.0.0.1:0 --data "$data" --log-level warn "$@" \
    > "$work/$name.out" 2> "$work/$name.err" &
  genq_pid=$!
  pids+=("$genq_pid")
  wait_for_line "$work/$name.out" '^listening on ' 30
  genq_url=$(sed -n 's/^listening on //p' "$work/$name.out")
}

# new_client DATA_DIR [admin options, e.g. --store URL]: sets api_key, client_id
new_client() {
  local json
  json=$("$GENQ" admin create-client --data "$1" --name bench "${@:2}")
  api_key=$(echo "$json" | sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')
  client_id=$(echo "$json" | sed -n 's/.*"client_id":"\([^"]*\)".*/\1/p')
}
# new_worker_token DATA_DIR [models [admin options]]: prints the token
new_worker_token() {
  "$GENQ" admin create-worker-token --data "$1" ${2:+--models "$2"} "${@:3}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}

# start_redis: sets redis_pid, redis_port. AOF on, fsync every second (BullMQ's
# recommended durable setting), no RDB snapshots.
start_redis() {
  redis_port=$(free_port)
  mkdir -p "$work/redis"
  "${ON_SERVER[@]}" redis-server --port "$redis_port" --bind 127.0.0.1 --appendonly yes --appendfsync everysec \
    --dir "$work/redis" --save '' --daemonize no --logfile "$work/redis/log" &
  redis_pid=$!
  pids+=("$redis_pid")
  wait_for_port "$redis_port" 20
}
stop_redis() { stop_pid "$redis_pid"; rm -rf "$work/redis"; }

# start_postgres: sets pg_pid, pg_port, pg_url. Throwaway cluster in a temp dir with
# Debian's defaults: fsync=on, synchronous_commit=on, full_page_writes=on.
start_postgres() {
  pg_port=$(free_port)
  local dir=$work/pg
  mkdir -p "$dir/sock"
  local as=()
  if [ "$(id -u)" -eq 0 ]; then  # initdb refuses root: run the cluster as `postgres`
    chown -R postgres "$dir"
    # setpriv execs (no process left in between), so pg_pid is the postmaster's pid
    as=(setpriv --reuid=postgres --regid=postgres --init-groups)
  fi
  "${as[@]}" "$PG_BIN/initdb" -D "$dir/data" -U bench --auth=trust -E UTF8 > "$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
  "${ON_SERVER[@]}" "${as[@]}" "$PG_BIN/postgres" -D "$dir/data" -p "$pg_port" -k "$dir/sock" -c listen_addresses=127.0.0.1 \
    -c max_connections=200 > "$dir/log" 2>&1 &
  pg_pid=$!
  pids+=("$pg_pid")
  local end=$((SECONDS + 30))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; do
    [ $SECONDS -lt $end ] || { cat "$dir/log" >&2; return 1; }
    sleep 0.1
  done
  pg_url="postgres://bench@127.0.0.1:$pg_port/postgres"
}
stop_postgres() { kill -INT "$pg_pid" 2>/dev/null || true; wait "$pg_pid" 2>/dev/null || true; }

# The polling measures (status_poll.sh, postgres.sh):
# polled_job: submits one txt2img job to $genq_url with $api_key and keeps its status
# body in $work/body.json; sets and exports GENQ_API_KEY and GENQ_REQUEST_ID (read by
# bench/status.lua), sets bytes (the body's size).
polled_job() {
  export GENQ_API_KEY=$api_key
  local first
  first=$(curl -s -X POST "$genq_url/api/v1/client/txt2img" -H "Authorization: Bearer $api_key" \
    -H 'Content-Type: application/json' -d '{"prompt":"x","model":"Flux1schnell","width":256,"height":256}')
  GENQ_REQUEST_ID=$(echo "$first" | sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p')
  export GENQ_REQUEST_ID
  curl -s "$genq_url/api/v1/client/request-status/$GENQ_REQUEST_ID" -H "Authorization: Bearer $api_key" > "$work/body.json"
  bytes=$(stat -c %s "$work/body.json")
}
# nginx_with_status_body: nginx answering every path with a copy of $work/body.json
# (checked byte for byte); sets nginx_pid, nginx_port.
nginx_with_status_body() {
  mkdir -p "$work/www"
  cp "$work/body.json" "$work/www/status.json"
  start_nginx "$work/www" 'default_type application/json; location / { try_files /status.json =404; }'
  curl -s "http://127.0.0.1:$nginx_port/api/v1/client/request-status/$GENQ_REQUEST_ID" | cmp - "$work/body.json"
}
# poll_runs MEASURE SYSTEM URL SECONDS: BENCH_RUNS runs of
# `wrk -t1 -c64 -s bench/status.lua` against URL, recorded in req/s.
poll_runs() {
  local i n us
  for i in $(seq 1 "$BENCH_RUNS"); do
    "${ON_LOAD[@]}" wrk -t1 -c64 -d"${4}s" -s bench/status.lua "$3" > "$work/wrk.out"
    n=$(wrk_field "$work/wrk.out" requests); us=$(wrk_field "$work/wrk.out" duration_us)
    record "$1" "$2" "$i" "$(per_s "$n" "$us")" "req/s" \
      "{\"body_bytes\":$bytes,\"non2xx\":$(wrk_field "$work/wrk.out" errors_status),\"p50_ms\":$(awk -v v="$(wrk_field "$work/wrk.out" p50_us)" 'BEGIN{print v/1000}'),\"p99_ms\":$(awk -v v="$(wrk_field "$work/wrk.out" p99_us)" 'BEGIN{print v/1000}')}"
  done
}

# record MEASURE SYSTEM RUN VALUE UNIT [EXTRA_JSON_OBJECT]
record() {
  local extra=${6:-"{}"}
  printf '{"measure":"%s","system":"%s","run":%s,"value":%s,"unit":"%s","extra":%s}\n' \
    "$1" "$2" "$3" "$4" "$5" "$extra" >> "$BENCH_RAW"
  log "RESULT $1 $2 run=$3 $4 $5 $extra"
}

# wrk_result FILE KEY: a key=value field of wrk's RESULT line (bench/*.lua)
wrk_field() { sed -n "s/.*RESULT.* $2=\([0-9.]*\).*/\1/p" "$1" | head -n1; }
per_s() { awk -v n="$1" -v us="$2" 'BEGIN { printf "%.1f", n * 1e6 / us }'; }
