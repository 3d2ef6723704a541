#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (docs/fuzzing.md) in a clang ASan+UBSan build.
#
#   scripts/fuzz.sh TARGET SECONDS   one target (lexer, parser, compile, ...) for SECONDS
#   scripts/fuzz.sh all SECONDS      every target for SECONDS each
#   scripts/fuzz.sh list             the target names
#   scripts/fuzz.sh tally            executions per target so far, from the TSV below
#
# Installs its Debian packages (scripts/install-deps.sh), then configures and builds
# build-fuzz/ (clang, -fsanitize=address,undefined, URD_FUZZ=ON, tests off) when it
# is missing, and rebuilds the targets it runs. Each target fuzzes with the working
# corpus build-fuzz/corpus/TARGET (new inputs land there; the checked-in seeds of
# fuzz/corpus/TARGET are read too, never written) and its dictionary
# fuzz/TARGET.dict if there is one; a crash is written to build-fuzz/artifacts/TARGET/.
# Prints the number of executions and appends a line to build-fuzz/fuzz-runs.tsv
# (date, target, seconds, executions, result). Exits non-zero if any target crashed.
#
# Environment:
#   URD_FUZZ_BUILD=DIR     build directory (default build-fuzz); an existing build
#                          configured with URD_FUZZ=ON is used as it is (scripts/test.sh
#                          passes its ASan build)
#   URD_FUZZ_PARALLEL=N    with `all`: run N targets at a time (default 1)
#   URD_FUZZ_JOBS=N        build jobs (default: nproc)
#   URD_FUZZ_FLAGS="..."   more libFuzzer flags for every run (e.g. -entropic=0)
#   ASAN_OPTIONS, UBSAN_OPTIONS   passed on (defaults: detect_leaks=1, print_stacktrace=1)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${URD_FUZZ_BUILD:-build-fuzz}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
parallel=${URD_FUZZ_PARALLEL:-1}
jobs=${URD_FUZZ_JOBS:-$(nproc)}

targets=()
for src in fuzz/*_fuzz.cc; do
  name=$(basename "$src" _fuzz.cc)
  targets+=("$name")
done

usage() {
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS | list | tally   (targets: ${targets[*]})" >&2
  exit 2
}

if [ "${1:-}" = list ]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
if [ "${1:-}" = tally ]; then
  # Sums the runs logged in the TSV: seconds and executions per target.
  [ -f "$build/fuzz-runs.tsv" ] || { echo "fuzz: no runs logged in $build/fuzz-runs.tsv" >&2; exit 1; }
  awk -F'\t' 'NR > 1 { s[$2] += $3; e[$2] += $4; n[$2]++ }
    END { for (t in e) printf "%-14s %4d runs %8d s %14d executions\n", t, n[t], s[t], e[t] }' \
    "$build/fuzz-runs.tsv" | sort
  exit 0
fi
[ $# -eq 2 ] || usage
what=$1
seconds=$2
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage
if [ "$what" = all ]; then
  run=("${targets[@]}")
else
  [ -f "fuzz/${what}_fuzz.cc" ] || usage
  run=("$what")
fi

scripts/install-deps.sh

if ! grep -qs '^URD_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  # The same flags as the ASan+UBSan build of scripts/test.sh.
  san_flags="-O1 -g1 -DNDEBUG"
  cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$san_flags" -DURD_SANITIZE=address,undefined \
    -DURD_FUZZ=ON -DURD_BUILD_TESTS=OFF -DURD_BUILD_BENCH=OFF
fi
build_targets=()
for t in "${run[@]}"; do build_targets+=("${t}_fuzz"); done
cmake --build "$build" -j"$jobs" --target "${build_targets[@]}"

tsv="$build/fuzz-runs.tsv"
[ -f "$tsv" ] || printf 'date\ttarget\tseconds\texecutions\tresult\n' >"$tsv"
mkdir -p "$build/fuzz-logs"

# Runs one target; prints its summary line; returns libFuzzer's exit status.
run_one() {
  # The log is per script run ($$), so two runs of one target side by side keep apart.
  local t=$1 log="$build/fuzz-logs/$1.$$.log"
  local corpus="$build/corpus/$t" artifacts="$build/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  local args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=30
              -artifact_prefix="$artifacts")
  [ -f "fuzz/$t.dict" ] && args+=(-dict="fuzz/$t.dict")
  # shellcheck disable=SC2206  # the extra flags are split on spaces on purpose
  [ -n "${URD_FUZZ_FLAGS:-}" ] && args+=(${URD_FUZZ_FLAGS})
  local dirs=("$corpus")
  [ -d "fuzz/corpus/$t" ] && dirs+=("fuzz/corpus/$t")
  local rc=0
  if [ "$parallel" -gt 1 ] && [ ${#run[@]} -gt 1 ]; then
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
      "$build/fuzz/${t}_fuzz" "${args[@]}" "${dirs[@]}" >"$log" 2>&1 || rc=$?
  else
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
      "$build/fuzz/${t}_fuzz" "${args[@]}" "${dirs[@]}" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
  fi
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  local result=ok
  if [ "$rc" -ne 0 ]; then
    local artifact
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    result="crash (exit $rc)${artifact:+: $artifact}"
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$t" "$seconds" \
    "${execs:-0}" "$result" >>"$tsv"
  printf 'fuzz %-14s %5s s  %12s executions  %s\n' "$t" "$seconds" "${execs:-0}" "$result"
  if [ "$rc" -ne 0 ] && [ "$parallel" -gt 1 ]; then
    echo "---- last lines of $log ----"
    tail -n 60 "$log"
  fi
  return "$rc"
}

failed=()
if [ "$parallel" -gt 1 ] && [ ${#run[@]} -gt 1 ]; then
  # N at a time; each background job leaves its exit status in fuzz-logs/TARGET.rc.
  for t in "${run[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
    rm -f "$build/fuzz-logs/$t.rc"
    (rc=0; run_one "$t" || rc=$?; echo "$rc" >"$build/fuzz-logs/$t.rc") &
  done
  wait
  for t in "${run[@]}"; do
    [ "$(cat "$build/fuzz-logs/$t.rc" 2>/dev/null || echo 1)" = 0 ] || failed+=("$t")
  done
else
  for t in "${run[@]}"; do
    run_one "$t" || failed+=("$t")
  done
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs under $build/artifacts/; log lines in $tsv)" >&2
  exit 1
fi
echo "fuzz: no crash (${run[*]}; $seconds s each; runs logged in $tsv)"
