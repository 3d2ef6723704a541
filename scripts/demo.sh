#!/usr/bin/env bash
# urd demo: installs what it needs, builds the `urd` command, and runs urd's main
# job on a demo workspace: the memory store (typed memories written in urd's
# S-expression language, atomic batches, bi-temporal queries, supersession,
# decay), remembering and recalling plain text (vectors + BM25), the vector store (collections, records with attributes,
# exact cosine search with filters, compaction), and the storage foundation under
# it (atomic batches, the writer lock, recovery after a SIGKILL mid-write).
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

say "the memory store: write typed memories (one atomic, fsynced batch per write)"
run "$urd" write --dir "$dir" '(sem @alice @city @paris :src @observation :c 0.9 :v 2024-01-01)
  (sem @alice @email "alice@example.com" :src @profile :c 0.95 :v 2024-01-15)
  (epi @standup @meeting (@alice @bob) @room_101 :at 2024-03-04T09:00:00Z :obs 2024-03-04T09:30:00Z :src @observation :c 0.8)
  (pro @route_writes "agent writes a memory" "route via review" :scp @team :src @policy :c 1.0)'
run "$urd" write --dir "$dir" --label "alice moved" \
  '(sem @alice @city @berlin :src @observation :c 0.9 :v 2024-03-01)'
say "what is true now, and what was true on 2024-02-01"
run "$urd" query --dir "$dir" '(query :s @alice :p @city)'
run "$urd" query --dir "$dir" '(query :s @alice :p @city :as_of 2024-02-01)'
say "a late report about February fills in the past without hiding the current fact"
run "$urd" write --dir "$dir" '(sem @alice @city @rome :src @observation :c 0.9 :v 2024-02-10)'
run "$urd" query --dir "$dir" '(query :s @alice :p @city :as_of 2024-02-15)'
run "$urd" history --dir "$dir" @alice
say "confidence decays with time (effective c), pinned memories do not; events and rules"
run "$urd" write --dir "$dir" '(pin @__mem_1 :actor @alice)'
run "$urd" query --dir "$dir" '(query :show_framing true)'
say "bad input is refused with its line and column and changes nothing (exit code 2)"
set +e
"$urd" write --dir "$dir" '(sem @alice @city @oslo :src @profile :c 0.99 :v 2024-04-01)'
echo "exit code: $?"
set -e
say "the log decoded, and a full check of every frame and record"
run "$urd" log --dir "$dir"
run "$urd" verify --dir "$dir"

say "a workspace remembers plain text and recalls it by meaning and by words (hash embedder, BM25)"
run "$urd" remember --dir "$dir" --attr session=kickoff \
  "Alice prefers Rust for systems programming and Go for services" \
  "Bob is allergic to peanuts; order the vegetarian menu for the team dinner" \
  "The standup moved to 9:30 on Mondays" \
  "Carol's cat is named Miso and hates the vacuum cleaner"
run "$urd" recall --dir "$dir" "which language does alice use for systems work?" --k 3
run "$urd" recall --dir "$dir" "food allergy at the dinner" --k 1 --json
say "typed facts written with urd write are recalled too; filters narrow the search"
run "$urd" recall --dir "$dir" "email address" --subject alice --kind sem --k 3

say "an agent's view: urd mcp speaks MCP on stdio; here, server-memory's knowledge-graph tools (one JSON-RPC message per line)"
mcp_session() {
  cat <<'RPC'
{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"demo","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_entities","arguments":{"entities":[{"name":"Alice","entityType":"person","observations":["prefers Rust"]},{"name":"Miso","entityType":"cat","observations":["hates the vacuum cleaner"]}]}}}
{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create_relations","arguments":{"relations":[{"from":"Alice","to":"Miso","relationType":"feeds"}]}}}
{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"search_nodes","arguments":{"query":"RUST"}}}
RPC
}
printf '$ urd mcp --dir %s  <<< (initialize, create_entities, create_relations, search_nodes)\n' "$dir"
mcp_session | "$urd" mcp --dir "$dir" 2>/dev/null | tail -n 1 | cut -c1-400
say "the graph is ordinary memories: its facts have history like any other"
run "$urd" query --dir "$dir" '(query :p @kg_name)'

vdir="$dir/standalone-vectors"
say "a vector store on its own (DIR/vectors of another workspace): a collection of notes with 8-dimensional embeddings and attributes"
cat > "$dir/notes.jsonl" <<'JSONL'
{"id":"rust-1","vector":[0.9,0.1,0,0,0.2,0,0,0],"attrs":{"topic":"rust","year":2024,"path":"src/lib.rs"}}
{"id":"rust-2","vector":[0.8,0.3,0,0.1,0,0,0,0],"attrs":{"topic":"rust","year":2023,"path":"src/main.rs"}}
{"id":"go-1","vector":[0.1,0.9,0.2,0,0,0,0,0],"attrs":{"topic":"go","year":2024,"path":"cmd/server.go"}}
{"id":"db-1","vector":[0,0.1,0.9,0.3,0,0,0.1,0],"attrs":{"topic":"databases","year":2022,"path":"docs/wal.md"}}
{"id":"db-2","vector":[0.2,0,0.8,0.5,0,0,0,0.1],"attrs":{"topic":"databases","year":2024,"path":"docs/btree.md"}}
{"id":"ml-1","vector":[0,0,0.1,0,0.9,0.4,0,0],"attrs":{"topic":"ml","year":2024,"path":"notebooks/embed.py"}}
JSONL
run "$urd" vec create --dir "$vdir" --collection notes --dim 8
run "$urd" vec upsert --dir "$vdir" --collection notes --jsonl "$dir/notes.jsonl"

say "exact cosine top-3 for a query near the rust notes"
run "$urd" vec search --dir "$vdir" --collection notes --vector '[1,0.2,0,0,0.1,0,0,0]' --k 3

say "the same query, filtered: only 2024 notes under src/ or docs/"
run "$urd" vec search --dir "$vdir" --collection notes --vector '[1,0.2,0,0,0.1,0,0,0]' --k 3 \
  --filter '{"eq":{"year":2024},"or":[{"glob":{"path":"src/*"}},{"glob":{"path":"docs/*"}}]}'

say "bad input is refused and changes nothing (a 3-component query, exit code 2)"
set +e
"$urd" vec search --dir "$vdir" --collection notes --vector '[1,0,0]' --k 3
echo "exit code: $?"
set -e

say "replace a note, delete one, compact, and look at the store"
echo '{"id":"go-1","vector":[0.1,0.8,0.3,0,0,0,0,0],"attrs":{"topic":"go","year":2025,"path":"cmd/api.go"}}' \
  | "$urd" vec upsert --dir "$vdir" --collection notes --jsonl -
run "$urd" vec delete --dir "$vdir" --collection notes --id ml-1
run "$urd" vec compact --dir "$vdir"
run "$urd" vec stats --dir "$vdir"

say "the storage foundation: a framed log with atomic batches"

say "create a store and commit three batches (each batch is atomic and fsynced)"
run "$urd" frames append "$log" --record "alice likes rust" --record "bob likes go"
run "$urd" frames append "$log" --record "carol joined the team"
run "$urd" frames append "$log" --record "meeting moved to friday" --record "" --record "end"

say "a writer runs in the background, committing fsynced 16 KiB batches without pause"
"$urd" frames append "$log" --batches 100000000 --records 4 --bytes 4096 --fsync every \
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
"$urd" frames dump "$log" > "$dir/dump.txt"
head -12 "$dir/dump.txt"
echo "..."
run "$urd" frames check "$log"
printf '\ndemo workspace: %s\n' "$dir"
