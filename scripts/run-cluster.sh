#!/usr/bin/env bash
# `make run-cluster`: genq scaled out on one machine, every part real and throwaway:
#   PostgreSQL 15 (initdb in a temp dir, a free port)      the job store     --store postgres://…
#   redis-server (a free port, no persistence)             the event bus     --bus redis://…
#   s3rver from npm (a free port, a temp dir)              the file store    --blobs s3://genq
#   three `genq serve` nodes (free ports)                  sharing only those three
#   nginx on GENQ_CLUSTER_LISTEN (127.0.0.1:8080)          the load balancer in front
#   two `genq worker`s, connected through the balancer
# then prints the demo lines `make run` prints, against the balancer, and runs until
# Ctrl-C. Everything lives under one temp directory, removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/demo-lines.sh
GENQ=${1:-build/genq}
LISTEN=${GENQ_CLUSTER_LISTEN:-127.0.0.1:8080}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# npm's s3rver with the SigV4 check it lacks (tests/js/support/s3rver_main.mjs)
S3RVER=tests/js/support/s3rver_main.mjs
[ -x "$GENQ" ] || { echo "run-cluster: $GENQ not built" >&2; exit 1; }
[ -d tests/js/node_modules/s3rver ] || { echo "run-cluster: s3rver missing: run scripts/install-deps.sh" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/genq-cluster.XXXXXX")
chmod 755 "$dir"  # the postgres user and nginx's workers read below it
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_for() {  # seconds what command...
  local end=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || { echo "run-cluster: $what did not start; logs in $dir" >&2; tail -n 20 "$dir"/*.log >&2 || true; exit 1; }
    sleep 0.1
  done
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

echo "run-cluster: PostgreSQL, Redis and S3 in $dir" >&2
pg_port=$(free_port)
mkdir -p "$dir/pg"
as=()
if [ "$(id -u)" -eq 0 ]; then  # initdb refuses root: the cluster runs as `postgres`
  chown postgres "$dir/pg"
  as=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
"${as[@]}" "$PG_BIN/initdb" -D "$dir/pg/data" -U genq --auth=trust -E UTF8 > "$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
"${as[@]}" "$PG_BIN/postgres" -D "$dir/pg/data" -p "$pg_port" -k "$dir/pg" -c listen_addresses=127.0.0.1 \
  > "$dir/postgres.log" 2>&1 &
pids+=($!)
wait_for 30 PostgreSQL "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$pg_port"
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$pg_port" -U genq -d postgres -c "CREATE DATABASE genq"
store="postgres://genq@127.0.0.1:$pg_port/genq"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --logfile "$dir/redis.log" &
pids+=($!)
wait_for 20 redis-server port_open "$redis_port"
bus="redis://127.0.0.1:$redis_port"

s3_port=$(free_port)
mkdir -p "$dir/s3"
node "$S3RVER" --port "$s3_port" --directory "$dir/s3" --bucket genq > "$dir/s3rver.log" 2>&1 &
pids+=($!)
wait_for 30 s3rver grep -q "s3rver ready on $s3_port" "$dir/s3rver.log"
# s3rver's fixed credentials; a real deployment passes its own the same way.
export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$s3_port" AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER

url="http://$LISTEN"
nodes=()
for n in 1 2 3; do
  mkdir -p "$dir/node$n"
  "$GENQ" serve --listen 127.0.0.1:0 --data "$dir/node$n" --store "$store" --bus "$bus" --blobs s3://genq \
    --public-url "$url" > "$dir/node$n.out" 2> "$dir/node$n.log" &
  pids+=($!)
  wait_for 30 "genq node $n" grep -q '^listening on ' "$dir/node$n.out"
  nodes+=("$(sed -n 's#^listening on http://##p' "$dir/node$n.out")")
done
echo "run-cluster: nodes at ${nodes[*]}" >&2

# The balancer: WebSockets passed through, timeouts above the longest long-poll (a
# claim waits up to 60 s, a prompt helper 120 s by default), bodies streamed to the
# nodes (genq enforces its own limits and answers 413 early).
mkdir -p "$dir/nginx/tmp"
{
  echo "worker_processes 1; error_log $dir/nginx.log warn; pid $dir/nginx/nginx.pid;"
  echo "events { worker_connections 4096; }"
  echo "http {"
  echo "  access_log off; client_body_temp_path $dir/nginx/tmp/body; proxy_temp_path $dir/nginx/tmp/proxy;"
  echo "  fastcgi_temp_path $dir/nginx/tmp/fastcgi; uwsgi_temp_path $dir/nginx/tmp/uwsgi; scgi_temp_path $dir/nginx/tmp/scgi;"
  echo "  map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }"
  echo "  upstream genq { least_conn; keepalive 64;"
  for node in "${nodes[@]}"; do echo "    server $node;"; done
  echo "  }"
  echo "  server {"
  echo "    listen $LISTEN;"
  echo "    client_max_body_size 0; proxy_request_buffering off; proxy_buffering off;"
  echo "    proxy_read_timeout 180s; proxy_send_timeout 180s;"
  echo "    location / {"
  echo "      proxy_pass http://genq; proxy_http_version 1.1;"
  echo "      proxy_set_header Upgrade \$http_upgrade; proxy_set_header Connection \$connection_upgrade;"
  echo "      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;"
  echo "    }"
  echo "  }"
  echo "}"
} > "$dir/nginx/nginx.conf"
chmod -R a+rX "$dir/nginx"
nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -g 'daemon off;' 2>> "$dir/nginx.log" &
pids+=($!)
wait_for 20 nginx curl -sf "$url/healthz"

json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
client_json=$("$GENQ" admin create-client --store "$store" --name demo)
api_key=$(echo "$client_json" | json_field api_key)
client_id=$(echo "$client_json" | json_field client_id)
worker_token=$("$GENQ" admin create-worker-token --store "$store" --name demo-worker | json_field token)
for w in 1 2; do
  GENQ_WORKER_TOKEN=$worker_token "$GENQ" worker --server "$url" --backend catalog --concurrency 2 \
    --step-delay-ms 400 --worker-id "demo-worker-$w" > "$dir/worker$w.log" 2>&1 &
  pids+=($!)
done

# Every node agrees on the Pusher app: the first one created it in the shared store.
pusher_key=$(curl -s "$url/api/v1/client/realtime" -H "Authorization: Bearer $api_key" | json_field key)
pusher_app_id="(kept in the shared store)"
pusher_secret_hint="kept in the shared store, the same on every node"

cat <<MSG

genq is running as a cluster behind nginx at $url:
  3 nodes:  ${nodes[*]}
  store:    $store
  bus:      $bus
  files:    s3://genq on $AWS_ENDPOINT_URL_S3 (s3rver)
  2 workers connected through the balancer; logs under $dir
Requests land on any node; a job submitted on one is claimed, watched and downloaded
through the others (docs/scale-out.md).

MSG
print_demo_lines
wait "${pids[0]}"
