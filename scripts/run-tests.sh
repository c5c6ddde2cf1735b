#!/usr/bin/env bash
# `make test`: every test, in the normal build and again under ASan+UBSan.
#   1. unit + integration tests (ctest) in the release build
#   2. the same under the sanitizer build, less the reruns with the reference workers
#   3. Node client tests (tests/js), when present, in parallel shards (scripts/run-node-tests.sh)
#   4. each libFuzzer target briefly (GENQ_FUZZ_SECONDS, default 10; scripts/fuzz.sh)
# Ends with one summary line "N passed, N failed".
set -uo pipefail
BUILD=${1:-build}
BUILD_ASAN=${2:-build-asan}
cd "$(dirname "$0")/.."
JOBS=$(nproc)
passed=0
failed=0

run_ctest() {  # name build-dir [more ctest arguments]
  local name=$1 dir=$2
  shift 2
  echo "== $name: ctest in $dir"
  if ctest --test-dir "$dir" --output-on-failure -j "$JOBS" --timeout 300 "$@" 2>&1 | tee "$dir/ctest.log"; then
    :
  fi
  local p f
  p=$(grep -Eo '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$dir/ctest.log" | tail -n1)
  if [ -z "$p" ]; then
    echo "$name: ctest produced no summary" >&2
    failed=$((failed + 1))
    return
  fi
  f=$(echo "$p" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+)/\1/')
  local total
  total=$(echo "$p" | sed -E 's/.* out of ([0-9]+)/\1/')
  passed=$((passed + total - f))
  failed=$((failed + f))
}

# The Node packages (pusher-js, …, and s3rver, the S3 server the C++ S3 tests start)
# come from tests/js's lockfile: install them when a checkout lacks them.
if [ -f tests/js/package-lock.json ] && command -v npm >/dev/null &&
   [ ! -f tests/js/node_modules/s3rver/package.json ]; then
  echo "== npm ci in tests/js"
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: the S3 tests will be skipped" >&2
fi

# pusher-js for the playground (web/package-lock.json), as the tests expect it in the
# build: `make deps` installs it before the release build; a checkout run without make
# gets it here, for the sanitizer build below.
if [ -f web/package-lock.json ] && command -v npm >/dev/null &&
   [ ! -f web/node_modules/pusher-js/package.json ]; then
  echo "== npm ci in web"
  (cd web && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci in web failed: the playground is built without pusher-js" >&2
fi

# One PostgreSQL cluster for every test process of the run: started once here, each
# store test takes a fresh database from it (tests/tools/test_postgres.cpp). Without
# it every PostgreSQL test process would start a cluster of its own.
pg_pid=
stop_test_postgres() {
  if [ -n "$pg_pid" ]; then kill "$pg_pid" 2>/dev/null; wait "$pg_pid" 2>/dev/null; pg_pid=; fi
}
trap stop_test_postgres EXIT
if [ -x "$BUILD/tests/genq_test_postgres" ]; then
  "$BUILD/tests/genq_test_postgres" > "$BUILD/test-postgres.log" 2>&1 &
  pg_pid=$!
  for _ in $(seq 1 900); do
    grep -q '^port ' "$BUILD/test-postgres.log" 2>/dev/null && break
    kill -0 "$pg_pid" 2>/dev/null || break
    sleep 0.1
  done
  if port=$(sed -n 's/^port //p' "$BUILD/test-postgres.log") && [ -n "$port" ]; then
    export GENQ_TEST_POSTGRES_PORT=$port
    echo "== PostgreSQL for the tests on 127.0.0.1:$port"
  else
    echo "PostgreSQL for the tests did not start: each test starts its own" >&2
    cat "$BUILD/test-postgres.log" >&2
    stop_test_postgres
  fi
fi

run_ctest "release" "$BUILD"

echo "== building the sanitizer configuration (ASan+UBSan) in $BUILD_ASAN"
if [ ! -f "$BUILD_ASAN/CMakeCache.txt" ]; then
  generator=()
  if command -v ninja >/dev/null; then generator=(-G Ninja); fi
  cmake -S . -B "$BUILD_ASAN" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DGENQ_SANITIZE=ON -DGENQ_BENCH=OFF -DGENQ_WERROR="${GENQ_WERROR:-OFF}" >/dev/null
fi
if cmake --build "$BUILD_ASAN" -j "$JOBS"; then
  # Not the reruns of worker tests with the Node and Python reference workers (labels
  # node-worker, python-worker): only genq is instrumented, and genq's side of those
  # paths runs under the sanitizers with `genq worker`. They run in the release ctest.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest "sanitizers" "$BUILD_ASAN" -LE 'node-worker|python-worker'
else
  echo "sanitizer build failed" >&2
  failed=$((failed + 1))
fi

if [ -f tests/js/package.json ]; then
  echo "== Node client tests (tests/js)"
  bash scripts/run-node-tests.sh "$PWD/$BUILD/genq" "$PWD/$BUILD/node-tests.log"
  np=$(sed -nE 's/^# pass ([0-9]+)/\1/p' "$BUILD/node-tests.log" | tail -n1)
  nf=$(sed -nE 's/^# fail ([0-9]+)/\1/p' "$BUILD/node-tests.log" | tail -n1)
  if [ -z "$np" ]; then failed=$((failed + 1)); else passed=$((passed + np)); failed=$((failed + ${nf:-0})); fi
fi

echo "== fuzzing: each target ${GENQ_FUZZ_SECONDS:-10} s (scripts/fuzz.sh; make fuzz for longer)"
bash scripts/fuzz.sh "${GENQ_FUZZ_SECONDS:-10}" build-fuzz 2>&1 | tee "$BUILD/fuzz.log"
fp=$(grep -c ", no failure$" "$BUILD/fuzz.log")
ff=$(grep -c "FAILED" "$BUILD/fuzz.log")
if [ "$fp" -eq 0 ] && [ "$ff" -eq 0 ]; then ff=1; fi  # the build failed: nothing ran
passed=$((passed + fp))
failed=$((failed + ff))

# The names of what failed come last: a CI log is often read from its tail only.
list_failures() {
  local log
  for log in "$BUILD/ctest.log" "$BUILD_ASAN/ctest.log"; do
    [ -f "$log" ] && sed -n '/The following tests FAILED:/,/^Errors while running/p' "$log" |
      grep -E '^\s+[0-9]+ - ' | sed "s|^\s*|  ctest ($(dirname "$log")): |"
    # The unit tests run in shards: the tests inside a failed shard, by name.
    [ -f "$log" ] && grep -E '^\[  FAILED  \] [A-Za-z_]+[./]' "$log" | sed -E 's/ \([0-9]+ ms\)$//' | sort -u |
      sed "s|^\[  FAILED  \] |  gtest ($(dirname "$log")): |"
  done
  [ -f "$BUILD/node-tests.log" ] && grep -E '^\s*not ok ' "$BUILD/node-tests.log" | sed 's/^\s*/  node: /'
  grep "FAILED" "$BUILD/fuzz.log" 2>/dev/null | sed 's/^/  /'
  return 0
}

echo
if [ "$failed" -ne 0 ]; then
  echo "failed:"
  list_failures | head -n 20
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
