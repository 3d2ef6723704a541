// Copyright urd authors. MemoryStore: typed agent memory — everything mimir-core
// 0.1.0 does (docs/language.md, docs/format.md §4-§5, docs/decisions.md "Memory
// store"), with commits that cost O(batch).
//
// Agents write batches of forms — `(sem …)`, `(epi …)`, `(pro …)`, `(inf …)`,
// `(alias …)`, `(rename …)`, `(retire …)`, `(episode …)`, `(pin …)`, … — and read
// with one `(query …)` form. A batch is compiled (parse, bind, semantic checks,
// emit), appended to `<dir>/memory.log` as one framed batch and synced: that is
// the commit point. A batch that fails anywhere writes nothing and changes nothing.
//
// Clocks are milliseconds since the Unix epoch. The commit clock is monotonic per
// store: a batch commits at max(now, previous commit + 1).
//
// Thread-safety: every method may be called from any thread. Commits are
// serialised; queries run concurrently with each other and see the state as of
// the last commit before they started. Across processes: one writer (it holds
// `<dir>/LOCK`, storage/writer_lock.h) and any number of read-only openers, which
// call Refresh() to see later commits; or, with MemoryOptions::lock_per_write,
// several writers that each hold the lock only while they commit (and Refresh()
// to see the others' commits between their own).
//
// Errors (urd::Status codes): InvalidArgument — the text does not parse, bind or
// pass the semantic checks, or the batch conflicts with stored memories; the
// message starts with "line L, column C: <ErrorKind>:" where there is a position.
// FailedPrecondition — a write on a read-only store, or a store poisoned by a
// failed sync. Busy — another process holds the writer lock. Corruption — the log
// is damaged (named offset). IOError — the file system failed.

#ifndef URD_MEMORY_STORE_H_
#define URD_MEMORY_STORE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "urd/env.h"
#include "urd/result.h"
#include "urd/status.h"

namespace urd {

enum class MemoryFsync {
  kEveryCommit,  // a commit returns once its batch is synced (default)
  kNever,        // never sync (benchmarks, scratch stores): a power loss may lose
                 // acknowledged batches, a process crash loses nothing
};

struct MemoryOptions {
  bool read_only = false;         // no lock, no writes; Refresh() follows the writer
  bool create_if_missing = true;  // create <dir> and an empty log
  MemoryFsync fsync = MemoryFsync::kEveryCommit;
  // A bad frame followed by later committed batches fails the open (default); with
  // salvage the log is cut at the end of the last good batch.
  bool salvage = false;
  std::string lock_owner = "urd";            // recorded in <dir>/LOCK
  std::chrono::milliseconds lock_wait{0};    // wait this long for a held lock
  // Several long-running processes writing one store (docs/decisions.md W5): the
  // writer lock is taken only while a commit runs (and while Open recovers the
  // log), waiting up to lock_wait each time; a commit first applies the batches
  // other processes committed since, and a torn tail left by a killed process is
  // cut. Refresh() catches up without the lock. Ignored when read_only.
  bool lock_per_write = false;
  // Half-life overrides in days (0 = never decays), keyed "semantic.<source>",
  // "episodic.<source>" or "procedural.any" with <source> one of the 11 source
  // kind names (observation, profile, …). Unknown keys fail the open.
  std::map<std::string, uint64_t> decay_days;
  Env* env = nullptr;  // default: Env::Default()
};

// Optional episode metadata for a commit; `(episode :start …)` in the batch wins
// field by field.
struct EpisodeMetadata {
  std::optional<std::string> label;         // at most 256 bytes
  std::optional<std::string> parent;        // an episode name, e.g. "__ep_3"
  std::vector<std::string> retracts;        // episode names
};

struct CommitResult {
  std::string episode;                  // the batch's episode symbol, "__ep_N"
  uint64_t committed_at = 0;            // the effective (monotonic) commit clock
  uint64_t records = 0;                 // canonical records written
  std::vector<std::string> memory_ids;  // "__mem_N" of the batch's memories, in order
};

// One memory record in a read result.
struct MemoryHit {
  std::string memory_id;            // "__mem_N"
  std::string kind;                 // "sem" | "epi" | "pro" | "inf"
  std::string form;                 // the record rendered as a form that re-parses
  double confidence = 0;            // as stored
  double effective_confidence = 0;  // decayed to the query's commit clock
  uint64_t valid_at = 0;            // epi: at_time; pro: committed_at
  uint64_t committed_at = 0;
  std::optional<uint64_t> invalid_at;  // own invalid_at (retroactive writes only)
  bool projected = false;
  bool stale = false;               // inf: a parent was superseded
  bool pinned = false;
  bool authoritative = false;
  // Framing when `:show_framing` (or `:debug_mode`) is on, else empty:
  // "projected" | "pinned" | "authoritative" | "historical" | "advisory".
  std::string framing;
  std::vector<std::string> superseded_by;  // memories with a SUPERSEDES edge into this one
};

struct FilteredHit {
  MemoryHit record;
  std::string reason;  // "retired_symbol" | "projected"
};

// Result flag bits (mimir-core's ReadFlags).
inline constexpr uint32_t kQueryStaleSymbol = 1u << 0;
inline constexpr uint32_t kQueryLowConfidence = 1u << 2;
inline constexpr uint32_t kQueryProjectedPresent = 1u << 3;
inline constexpr uint32_t kQueryTruncated = 1u << 4;
inline constexpr uint32_t kQueryExplainFilteredActive = 1u << 7;

struct QueryResult {
  std::vector<MemoryHit> records;    // ascending committed_at
  std::vector<FilteredHit> filtered; // only when `:explain_filtered` is on
  uint32_t flags = 0;
  uint64_t as_of = 0;
  uint64_t as_committed = 0;
  uint64_t query_committed_at = 0;   // the commit clock the read is relative to
};

struct MemoryStats {
  uint64_t sem = 0, epi = 0, pro = 0, inf = 0;  // memory records by kind
  uint64_t edges = 0;
  uint64_t symbols = 0;
  uint64_t episodes = 0;
  uint64_t pinned = 0, authoritative = 0;
  uint64_t last_committed_at = 0;  // 0 before the first commit
  uint64_t log_bytes = 0;          // size of memory.log (0 in memory)
  uint64_t memory_bytes = 0;       // approximate RAM held by records and indexes
};

class MemoryStore {
 public:
  // Opens (or creates) the store in directory `dir` (files: memory.log, LOCK) and
  // replays its log. Errors: see the header comment; NotFound when the log is
  // missing and !create_if_missing (or read_only).
  static Result<std::unique_ptr<MemoryStore>> Open(const std::string& dir,
                                                   const MemoryOptions& options);
  // A store without files (tests, benchmarks).
  static Result<std::unique_ptr<MemoryStore>> OpenInMemory(const MemoryOptions& options = {});

  virtual ~MemoryStore() = default;

  // Compiles and commits one batch of forms. Empty text is a valid no-op batch
  // that still advances the commit clock. `meta` may be null.
  virtual Result<CommitResult> Commit(std::string_view forms, uint64_t now_ms,
                                      const EpisodeMetadata* meta = nullptr) = 0;

  // Runs one `(query …)` form against the last committed state.
  virtual Result<QueryResult> Query(std::string_view query_form) const = 0;

  // Every memory that mentions `symbol` (a name, with or without '@') as subject,
  // rule id or event id, oldest commit first, including superseded and retracted
  // ones, each with the memories that supersede it. NotFound for an unknown name.
  virtual Result<std::vector<MemoryHit>> History(std::string_view symbol) const = 0;

  // Renders every memory record (or those of one kind: "sem" …) as forms, in
  // commit order.
  virtual Result<std::vector<MemoryHit>> Dump(std::string_view kind = {}) const = 0;

  // Read-only stores: applies batches committed by the writer since the last
  // open/refresh. Writable stores: no-op.
  virtual Status Refresh() = 0;

  virtual MemoryStats Stats() const = 0;

  // The log file (empty in memory).
  virtual const std::string& log_path() const = 0;
};

}  // namespace urd

#endif  // URD_MEMORY_STORE_H_
