#!/usr/bin/env bash
# urd demo: installs what it needs, builds the `urd` command, and runs urd's main
# job on a demo workspace. Today that is the storage foundation every store stands
# on: create a log, commit batches atomically, take the writer lock, crash a writer
# with SIGKILL in the middle of its writes, recover, and report.
#
#   scripts/demo.sh [DIR]     (default DIR: a fresh temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DURD_BUILD_TESTS=OFF -DURD_BUILD_BENCH=OFF >/dev/null
cmake --build build -j"$(nproc)" --target urd_cli
urd=$(pwd)/build/urd

dir=${1:-$(mktemp -d /tmp/urd-demo-XXXXXX)}
mkdir -p "$dir"
log="$dir/demo.log"
rm -f "$log"
say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "urd and the machine it runs on"
run "$urd" --version

say "create a store and commit three batches (each batch is atomic and fsynced)"
run "$urd" frames append "$log" --record "alice likes rust" --record "bob likes go"
run "$urd" frames append "$log" --record "carol joined the team"
run "$urd" frames append "$log" --record "meeting moved to friday" --record "" --record "end"

say "a writer runs in the background, committing 4 KiB batches without pause"
"$urd" frames append "$log" --batches 100000000 --records 4 --bytes 4096 --fsync never \
  --owner demo-writer >/dev/null &
writer=$!
sleep 0.5

say "a second writer is refused at once, naming the holder (exit code 4)"
set +e
"$urd" frames append "$log" --record "intruder"
echo "exit code: $?"
set -e

say "kill -9 the writer in the middle of its writes"
kill -9 "$writer"
wait "$writer" 2>/dev/null || true
run "$urd" frames check "$log"

say "the next writer takes the lock at once (no stale lock) and recovers the log"
run "$urd" frames recover "$log"
run "$urd" frames append "$log" --record "written after the crash"

say "every committed batch is intact; no partial batch is visible"
"$urd" frames dump "$log" | head -12
echo "..."
run "$urd" frames check "$log"
printf '\ndemo workspace: %s\n' "$dir"
