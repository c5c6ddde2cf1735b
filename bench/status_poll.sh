#!/usr/bin/env bash
# Polling GET request-status req/s at 64 connections, genq against nginx serving a
# static file of the same size as genq's status body, with the same wrk command
# (wrk -t1 -c64 -dD -s bench/status.lua; nginx ignores the Authorization header and
# answers every path with the file).
#   genq:  fresh `genq serve` (default configuration) holding one pending job (queue
#          position 0), polled by id. The deep-queue case is bench/deep_queue.sh.
#   nginx: one worker process, access log off, keep-alive without a request cap,
#          sendfile on.
# Server on SERVER_CPU, wrk on LOAD_CPU.
source "$(dirname "$0")/lib.sh"
D=${BENCH_DURATION:-10}

rm -rf "$work/data"
new_client "$work/data"
start_genq "$work/data"
polled_job
log "status: genq body is $bytes bytes"
poll_runs status_polling genq "$genq_url" "$D"
stop_pid "$genq_pid"

nginx_with_status_body
poll_runs status_polling nginx "http://127.0.0.1:$nginx_port" "$D"
stop_pid "$nginx_pid"
