#!/usr/bin/env bash
# `make fuzz` (FUZZ_SECONDS per target, default 60) and the short run of `make test`:
# builds the libFuzzer targets of fuzz/ with clang (16 or later: libstdc++'s
# std::expected needs it) in BUILD_FUZZ, then runs each from its seed corpus
# (fuzz/corpus/TARGET, read only) plus what earlier runs found (BUILD_FUZZ/corpus).
# A crash, leak, UBSan report or timeout fails the run; its input is kept in
# BUILD_FUZZ/artifacts/ and the output in BUILD_FUZZ/TARGET.log.
#   scripts/fuzz.sh [SECONDS] [BUILD_FUZZ]
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-${FUZZ_SECONDS:-60}}
BUILD_FUZZ=${2:-build-fuzz}
CXX_FUZZ=${GENQ_FUZZ_CXX:-}
if [ -z "$CXX_FUZZ" ]; then
  for candidate in clang++-16 clang++-17 clang++-18 clang++; do
    command -v "$candidate" >/dev/null && { CXX_FUZZ=$candidate; break; }
  done
fi
[ -n "$CXX_FUZZ" ] || { echo "fuzz: no clang++ (scripts/install-deps.sh installs clang-16)" >&2; exit 1; }
if [ ! -f "$BUILD_FUZZ/CMakeCache.txt" ]; then
  mkdir -p "$BUILD_FUZZ"
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  cmake -S . -B "$BUILD_FUZZ" "${generator[@]}" -DGENQ_FUZZ=ON -DCMAKE_CXX_COMPILER="$CXX_FUZZ" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$BUILD_FUZZ/configure.log" 2>&1 || { cat "$BUILD_FUZZ/configure.log" >&2; exit 1; }
fi
cmake --build "$BUILD_FUZZ" -j "$(nproc)" || exit 1
symbolizer=$(command -v "llvm-symbolizer-${CXX_FUZZ##*-}" || command -v llvm-symbolizer || true)
[ -n "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=$symbolizer
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failures=0
mkdir -p "$BUILD_FUZZ/artifacts"
for seeds in fuzz/corpus/*/; do
  target=$(basename "$seeds")
  found="$BUILD_FUZZ/corpus/$target"
  mkdir -p "$found"
  # New inputs go to the first directory (the build's); the seeds stay as committed.
  "$BUILD_FUZZ/fuzz_$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$BUILD_FUZZ/artifacts/$target-" "$found" "$seeds" > "$BUILD_FUZZ/$target.log" 2>&1
  rc=$?
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$BUILD_FUZZ/$target.log" | tail -n1)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz: $target: ${runs:-?} inputs in ${SECONDS_EACH} s, no failure"
  else
    echo "fuzz: $target FAILED (exit $rc); input in $BUILD_FUZZ/artifacts/, log $BUILD_FUZZ/$target.log" >&2
    grep -m5 -E 'ERROR|runtime error|SUMMARY' "$BUILD_FUZZ/$target.log" >&2
    failures=$((failures + 1))
  fi
done
[ "$failures" -eq 0 ]
