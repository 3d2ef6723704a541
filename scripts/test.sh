#!/usr/bin/env bash
# Builds everything and runs every test: the plain build (RelWithDebInfo) with the
# full ctest suite, the whole suite again under ASan+UBSan (a clang build that also
# builds the fuzz targets, each of which then fuzzes for URD_FUZZ_SECONDS, default
# 60), and the concurrency tests under TSan. Installs its own Debian packages first.
#
#   scripts/test.sh            everything (what CI runs)
#   URD_TEST_QUICK=1 scripts/test.sh   plain build and suite only
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

scripts/install-deps.sh

t0=$(date +%s)
# Each step's banner says how long the run has taken so far (where CI time goes).
step() { printf '\n==== %s (at %d s) ====\n' "$*" $(( $(date +%s) - t0 )); }

step "npm packages of the MCP SDK tests (tests/mcp_js)"
if [ -f tests/mcp_js/package-lock.json ]; then
  (cd tests/mcp_js && npm ci --no-audit --no-fund)
else
  (cd tests/mcp_js && npm install --no-audit --no-fund)
fi

step "plain build"
# -O2 as RelWithDebInfo, but line tables only (-g1): the same code, stack traces with
# file:line, and a third less build time than full debug info (245 s against 372 s
# on 2 cores), which keeps CI under its 25 minutes.
plain_flags="-O2 -g1 -DNDEBUG"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DURD_BUILD_TESTS=ON -DURD_BUILD_BENCH=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$plain_flags" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$plain_flags"
cmake --build build -j"$jobs"
step "test suite (plain)"
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${URD_TEST_QUICK:-0}" != "1" ]; then
  step "ASan+UBSan build (clang, with the fuzz targets)"
  # Sanitizer builds compile at -O1 with line tables only (-g1): faster to build on
  # a 2-core CI machine, and still full stack traces with file:line. This build is
  # clang's, with URD_FUZZ=ON (libFuzzer's coverage instrumentation everywhere), so
  # the fuzz targets need no build of their own.
  san_flags="-O1 -g1 -DNDEBUG"
  if [ -f build-asan/CMakeCache.txt ] &&
     ! grep -qs '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' build-asan/CMakeCache.txt; then
    rm -rf build-asan/CMakeCache.txt build-asan/CMakeFiles  # an older g++ build
  fi
  cmake -S . -B build-asan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DURD_SANITIZE=address,undefined -DURD_FUZZ=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$san_flags" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$san_flags" \
    -DURD_BUILD_BENCH=OFF -DURD_CRASH_TRIALS=50 -DURD_VECTOR_CRASH_TRIALS=20 \
    -DURD_MEMORY_CRASH_TRIALS=40 -DURD_WORKSPACE_CRASH_TRIALS=20 \
    -DURD_MIXED_CRASH_TRIALS=40
  cmake --build build-asan -j"$jobs"
  step "test suite (ASan+UBSan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"

  fuzz_seconds=${URD_FUZZ_SECONDS:-60}
  step "fuzz targets (${fuzz_seconds} s each, two at a time; docs/fuzzing.md)"
  URD_FUZZ_BUILD=build-asan URD_FUZZ_PARALLEL=2 URD_FUZZ_JOBS="$jobs" \
    scripts/fuzz.sh all "$fuzz_seconds"

  # Concurrency tests are those whose names match this pattern (name new ones so).
  concurrency_tests="Concurren|Thread|WriterLock|crashtest"
  step "TSan build (concurrency tests)"
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DURD_SANITIZE=thread \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$san_flags" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$san_flags" \
    -DURD_BUILD_BENCH=OFF -DURD_CRASH_TRIALS=20 -DURD_VECTOR_CRASH_TRIALS=10 \
    -DURD_MEMORY_CRASH_TRIALS=20 -DURD_WORKSPACE_CRASH_TRIALS=10 \
    -DURD_MIXED_CRASH_TRIALS=20
  cmake --build build-tsan -j"$jobs"
  step "concurrency tests (TSan)"
  TSAN_OPTIONS="halt_on_error=1 suppressions=$root/scripts/tsan.supp" \
    ctest --test-dir build-tsan --output-on-failure -j"$jobs" -R "$concurrency_tests"
fi

step "all tests passed ($root)"
