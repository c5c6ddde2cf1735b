#!/usr/bin/env bash
# The Node client tests (tests/js) in a few parallel shards, for `make test`.
#   scripts/run-node-tests.sh GENQ_BINARY LOG [SHARDS]
# Most of their time is spent waiting on the server, so shards run side by side even
# on two cores (`node --test` itself runs one file at a time there). Files are dealt
# out longest first, by the durations of the last run on this machine (LOG.times)
# or, on a fresh checkout, by their length; each file runs in its own `node --test`.
# LOG gets every file's TAP output and ends with the totals "# pass N" and "# fail N".
set -uo pipefail
GENQ=$1
LOG=$2
SHARDS=${3:-3}
cd "$(dirname "$0")/.."
TIMES="$LOG.times"

weigh() {  # file -> weight: the last duration in ms, else the line count
  local file=$1 last
  last=$([ -f "$TIMES" ] && awk -v f="$file" '$2 == f {print $1}' "$TIMES")
  if [ -n "$last" ]; then echo "$last"; else wc -l < "$file"; fi
}

# Longest first, each to the shard with the least weight so far.
declare -a load shard_files
for ((s = 0; s < SHARDS; s++)); do load[s]=0; shard_files[s]=""; done
while read -r weight file; do
  best=0
  for ((s = 1; s < SHARDS; s++)); do ((load[s] < load[best])) && best=$s; done
  load[best]=$((load[best] + weight))
  shard_files[best]+="$file "
done < <(for f in tests/js/*.test.mjs; do echo "$(weigh "$f") $f"; done | sort -rn)

run_shard() {  # index files...
  local index=$1 file start
  shift
  for file in "$@"; do
    start=$(date +%s%3N)
    GENQ_BINARY="$GENQ" node --test "$file" > "$LOG.shard$index.$(basename "$file").tap" 2>&1
    echo "$(($(date +%s%3N) - start)) $file" >> "$LOG.shard$index.times"
  done
}

rm -f "$LOG".shard*
pids=()
for ((s = 0; s < SHARDS; s++)); do
  # shellcheck disable=SC2086  # the file list is split on purpose
  run_shard "$s" ${shard_files[s]} &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done

pass=0
fail=0
: > "$LOG"
for tap in "$LOG".shard*.tap; do
  cat "$tap" >> "$LOG"
  p=$(sed -nE 's/^# pass ([0-9]+)/\1/p' "$tap" | tail -n1)
  f=$(sed -nE 's/^# fail ([0-9]+)/\1/p' "$tap" | tail -n1)
  # A file that printed no totals crashed before its tests could report: a failure.
  if [ -z "$p" ]; then echo "not ok - $tap printed no totals" >> "$LOG"; fail=$((fail + 1)); continue; fi
  pass=$((pass + p))
  fail=$((fail + ${f:-0}))
done
cat "$LOG".shard*.times | sort -rn > "$TIMES"
rm -f "$LOG".shard*
{
  echo "# the slowest files (ms), $SHARDS shards:"
  head -n 8 "$TIMES" | sed 's/^/#   /'
  echo "# pass $pass"
  echo "# fail $fail"
} >> "$LOG"
cat "$LOG"
