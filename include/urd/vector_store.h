// Copyright urd authors. VectorStore: collections of (id, vector, attrs) records and
// exact cosine top-k search over them — everything nidus 0.3.0 does, with the bugs
// listed in docs/decisions.md fixed.
//
// Thread-safety: every method may be called from any thread. Reads (Search, Get,
// GetAll, List..., GetMeta, GetFootprint) run concurrently with each other and with
// a writer; they see a consistent committed state. Mutations are serialised inside
// the store. Across processes, an on-disk store is opened in one of three modes:
//   * writer (default): holds <dir>/LOCK (see storage/writer_lock.h) from Open until
//     destruction, so there is one at a time.
//   * read-only (`read_only`): takes no lock and never writes; any number of them.
//     Refresh() catches up with what writers committed.
//   * per-write writer (`lock_per_write`): several processes (or store objects) may
//     write one store. Each mutating call takes <dir>/LOCK (waiting up to
//     `lock_wait`), first catches up with everything other writers committed since
//     this object last looked (following their compactions and repairing what a
//     writer killed mid-call left behind), then applies and commits its change
//     exactly as the writer would, and releases the lock before returning. Between
//     calls the object holds no lock and no open file for writing; reads never take
//     the lock and see other processes' commits only after Refresh() or this
//     object's next mutating call. Writes cost an extra lock acquisition (open,
//     fcntl, fdatasync of the lock file) and a log-tail scan each.
//   A writer excludes per-write writers for its whole life (their opens and calls
//   fail with Busy/TimedOut meanwhile); a writer's Open in turn waits for, or fails
//   on, a per-write call in progress.
//
// Search contract:
//   * Cosine similarity: every stored vector is normalised to unit length on write,
//     the query once per search; score = dot product, in [-1, 1].
//   * Vectors must have exactly `dimension` finite components and must not be all
//     zeros (InvalidArgument otherwise, for records and for queries).
//   * Results are ordered by score descending, ties broken by collection name then
//     id (byte order), deterministically, in every scan mode and thread count.
//   * A filtered search returns exactly min(top_k, matching records) hits (with
//     min_score: those of them scoring >= min_score); it never returns fewer
//     because of pruning.
//   * kInt8 / kF16 scans rank candidates on a compressed copy, then re-rank the best
//     top_k * rerank_factor exactly in f32; returned scores are always exact f32.
//
// Files: see docs/format.md §3 (the same in every mode). Durability: an
// Upsert/Delete/... call returns once its batch is committed to the operation log
// (and synced, under kEveryCall; a per-write writer also syncs under kOnFlush,
// before it releases the lock).

#ifndef URD_VECTOR_STORE_H_
#define URD_VECTOR_STORE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "urd/env.h"
#include "urd/filter.h"
#include "urd/result.h"
#include "urd/value.h"

namespace urd {

struct VectorRecord {
  std::string id;             // 1..max_id_bytes bytes of UTF-8
  std::vector<float> vector;  // `dimension` finite components, not all zero
  Attrs attrs;                // keys: 1..256 bytes; no NaN floats
};

struct Hit {
  std::string collection;
  std::string id;
  float score = 0;
  Attrs attrs;
};

// Which collections a search covers.
class Scope {
 public:
  static Scope All() { return Scope(); }
  static Scope Collection(std::string name) { return Scope({std::move(name)}); }
  // Duplicates are ignored; an unknown name makes the search fail (InvalidArgument).
  static Scope Collections(std::vector<std::string> names) { return Scope(std::move(names)); }
  bool all() const { return all_; }
  const std::vector<std::string>& names() const { return names_; }

 private:
  Scope() = default;
  explicit Scope(std::vector<std::string> names) : all_(false), names_(std::move(names)) {}
  bool all_ = true;
  std::vector<std::string> names_;
};

enum class ScanMode {
  kExact,  // f32 scan (default)
  kInt8,   // int8 copy with a per-row scale, then exact re-rank
  kF16,    // half-precision copy, then exact re-rank
};

struct SearchOptions {
  size_t top_k = 10;                 // 0 gives an empty result
  Filter filter;                     // default: match everything
  std::optional<float> min_score;    // drop hits with score < min_score
  ScanMode mode = ScanMode::kExact;  // compressed modes need VectorOptions::compressed
  size_t rerank_factor = 4;          // compressed modes: re-rank top_k * this exactly
  int threads = 0;                   // 0: VectorOptions::scan_threads
};

struct Footprint {
  uint64_t rows = 0;          // physical rows (live + dead)
  uint64_t dead_rows = 0;     // rows no record points at any more
  size_t dimension = 0;
  uint64_t vector_bytes = 0;  // rows * dimension * 4 (f32 payload)
  uint64_t doc_count = 0;     // live records in all collections
  uint64_t memory_bytes = 0;  // RAM held for vectors, compressed copies and indexes (approx.)
  uint64_t file_bytes = 0;    // bytes of the store's files (0 in memory)
  uint64_t generation = 0;    // compaction generation of the files
};

enum class VectorFsync {
  kEveryCall,  // every mutating call syncs before returning (default)
  kOnFlush,    // only Flush() (and Close) sync; a power failure may lose recent calls
  kNever,      // never sync (tests, scratch stores)
};

struct VectorOptions {
  // Dimension of the store. Required (> 0) to create one; when opening an existing
  // store, 0 means "whatever it has" and any other value must match it.
  size_t dimension = 0;
  VectorFsync fsync = VectorFsync::kEveryCall;
  bool read_only = false;              // no lock; every mutation fails
  bool create_if_missing = true;
  // Compact on open (writable only) when dead_rows / max(rows, 1) > threshold.
  std::optional<double> auto_compact = 0.5;
  // Refuse upserts (and opens) that would hold more than this many f32 vector bytes.
  std::optional<uint64_t> max_vector_bytes;
  int scan_threads = 0;                // 0: the number of hardware threads
  size_t max_id_bytes = 1024;
  // Keep a compressed scan copy for ScanMode::kInt8 / kF16 searches.
  bool keep_int8 = false;
  bool keep_f16 = false;
  // Open a damaged operation log by cutting it at the last good batch.
  bool salvage = false;
  std::string lock_owner;              // written into <dir>/LOCK; default: program name
  // Per-write locking (writable on-disk stores; ignored when read_only and in
  // memory). Default false: the writer lock is held from Open until destruction.
  // true: Open holds <dir>/LOCK only while it loads and recovers the store (torn
  // log tail, orphan vector rows, auto-compaction). Each mutating call
  // (CreateCollection, DropCollection, SetMeta, Upsert, Delete, DeleteWhere,
  // Compact) then holds it for its own duration only: acquire, catch up with other
  // writers' commits, validate and commit as the writer does, release.
  //   Lock not obtained within `lock_wait`: the lock's error (Busy, or TimedOut
  //   when lock_wait > 0, naming the holder's pid and owner); nothing changes.
  //   Validation fails: the same error as for the writer; nothing of the call is
  //   written (the catch-up may have happened).
  //   Flush(): OK at once, as each call synced before releasing the lock; under
  //   fsync kNever it takes the lock and syncs.
  //   Refresh(): catches up without the lock; reads never take it.
  // Thread-safety as for any store: calls of one object are serialised inside it;
  // objects in this and other processes exclude each other through the lock. With
  // a custom `env` no lock is taken at all (as for the writer): the files may not
  // be on the real file system, so exclusion is then the caller's job.
  bool lock_per_write = false;
  // How long one acquisition of <dir>/LOCK waits while another process (or store
  // object) holds it: at Open in both writable modes, and at each mutating call in
  // per-write mode. Default 0: fail at once with Busy. > 0: retry with back-off,
  // then fail with TimedOut. Negative: InvalidArgument at Open.
  std::chrono::milliseconds lock_wait{0};
  Env* env = nullptr;                  // nullptr: Env::Default()
};

class VectorStore {
 public:
  // Opens or creates the store in directory `dir` (created if missing and
  // create_if_missing). Errors: InvalidArgument (dimension 0 for a new store,
  // dimension mismatch, bad options), Busy / TimedOut (another writer holds the
  // lock, and still did after `lock_wait`), NotFound, Corruption (damaged files;
  // nothing is changed), NotSupported (newer format), IOError.
  static Result<std::unique_ptr<VectorStore>> Open(const std::string& dir,
                                                   const VectorOptions& options);
  // A store with no files and no lock. `options.dimension` is overridden by `dim`.
  static Result<std::unique_ptr<VectorStore>> OpenInMemory(size_t dim,
                                                           const VectorOptions& options = {});

  virtual ~VectorStore() = default;

  virtual size_t dimension() const = 0;

  // Creates a collection; OK if it exists. Names: 1..256 bytes of UTF-8, no control
  // characters. FailedPrecondition on a read-only store.
  virtual Status CreateCollection(const std::string& name) = 0;
  // Removes a collection and its records; OK (and nothing logged) if absent.
  virtual Status DropCollection(const std::string& name) = 0;
  virtual bool HasCollection(const std::string& name) const = 0;
  // Names in ascending byte order.
  virtual std::vector<std::string> ListCollections() const = 0;
  // NotFound for an unknown collection.
  virtual Result<std::map<std::string, std::string>> GetMeta(const std::string& name) const = 0;
  // Replaces the whole metadata map; creates the collection if missing.
  virtual Status SetMeta(const std::string& name,
                         const std::map<std::string, std::string>& meta) = 0;

  // Inserts or replaces records by id (the later of duplicate ids in one call wins);
  // creates the collection if missing. All or nothing: on any error nothing of the
  // call is visible, now or after a reopen. Returns the number of records written.
  virtual Result<size_t> Upsert(const std::string& collection,
                                std::span<const VectorRecord> records) = 0;
  // Removes the records with these ids; absent ids (or an unknown collection) are
  // ignored. Returns how many were removed. Atomic.
  virtual Result<size_t> Delete(const std::string& collection,
                                std::span<const std::string> ids) = 0;
  // Removes every record of the collection that matches `filter`. Atomic.
  virtual Result<size_t> DeleteWhere(const std::string& collection, const Filter& filter) = 0;

  // The stored record (its vector is the unit-normalised copy). NotFound if absent.
  virtual Result<VectorRecord> Get(const std::string& collection, const std::string& id) const = 0;
  // The number of live records in the collection. NotFound for an unknown collection.
  virtual Result<size_t> CountRecords(const std::string& collection) const = 0;
  // Every record of the collection, by id ascending. NotFound for an unknown collection.
  virtual Result<std::vector<VectorRecord>> GetAll(const std::string& collection) const = 0;

  // Top-k search (see the contract at the top). Errors: InvalidArgument (query
  // dimension, NaN/Inf/zero query, unknown collection in scope, invalid filter, a
  // compressed mode the store does not keep).
  virtual Result<std::vector<Hit>> Search(const Scope& scope, std::span<const float> query,
                                          const SearchOptions& options) const = 0;
  // Many queries in one pass over the data: `queries` holds nq * dimension floats,
  // row-major. Result i answers query i exactly as Search would.
  virtual Result<std::vector<std::vector<Hit>>> SearchBatch(
      const Scope& scope, std::span<const float> queries, const SearchOptions& options) const = 0;

  virtual Footprint GetFootprint() const = 0;

  // Syncs the files (meaningful under kOnFlush / kNever). Per-write mode: OK at
  // once, as nothing stays unsynced between calls, except under kNever, where it
  // takes the lock (Busy/TimedOut as a mutation) and syncs.
  virtual Status Flush() = 0;
  // Rewrites the store with live rows only, as a new generation, switched atomically.
  // Per-write mode: compacts what all writers committed (after catching up).
  virtual Status Compact() = 0;
  // Read-only and per-write stores: catches up with batches committed by other
  // writers since open (or the last catch-up), following a compaction if one
  // happened, without taking the lock; incomplete batches and rows no committed
  // batch references are ignored. Errors: Corruption (damaged committed data),
  // IOError (e.g. a file removed by a concurrent compaction while it was being read:
  // call again). On error the store keeps its previous state. Writer: no-op.
  virtual Status Refresh() = 0;

  // The SIMD level the scans use ("avx512", "avx2", "neon", "scalar").
  static const char* SimdLevel();
};

}  // namespace urd

#endif  // URD_VECTOR_STORE_H_
