// Copyright urd authors. The VectorStore implementation (include/urd/vector_store.h).
//
// Locking: `write_mu_` serialises mutations, Compact and Refresh (all file I/O of
// the writer happens under it). `mu_` guards `rows_` and `state_`: readers take it
// shared; a mutation takes it exclusively only to apply an already-committed batch
// in memory. A writer may read rows_/state_ without `mu_` while holding write_mu_
// (no one else changes them).
//
// Per-write mode (VectorOptions::lock_per_write): between calls the store holds
// neither <dir>/LOCK nor gen_.log / gen_.vectors. A mutating call, under write_mu_,
// opens a WriteScope: it takes the lock, catches up (CatchUpLocked: a new
// generation, or the log batches after gen_.log_end, recovering a torn tail and
// orphan rows), reopens the files for appending; when the scope ends the files are
// closed and the lock released. Refresh() catches up like a read-only store.
//
// Invariant: gen_.rows->rows() == gen_.state->rows_referenced() between calls
// (orphan rows are never kept in memory), so catching up reads exactly the rows
// after gen_.rows->rows() that new batches reference.

#ifndef URD_VECTOR_VECTOR_STORE_IMPL_H_
#define URD_VECTOR_VECTOR_STORE_IMPL_H_

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "storage/log_writer.h"
#include "storage/writer_lock.h"
#include "urd/vector_store.h"
#include "vector/row_store.h"
#include "vector/store_state.h"
#include "vector/thread_pool.h"
#include "vector/vector_format.h"

namespace urd::vec {

// One loaded generation: the in-memory contents plus the open files.
struct Generation {
  uint64_t number = 0;
  std::unique_ptr<RowStore> rows;
  std::unique_ptr<StoreState> state;
  std::unique_ptr<LogWriter> log;          // writable stores (per-write: during a call)
  std::unique_ptr<WritableFile> vectors;   // writable stores (per-write: during a call)
  std::unique_ptr<LogReader> reader;       // read-only; per-write: opened by Refresh
  // End and sequence of the last batch applied in memory: where a catch-up resumes.
  uint64_t log_end = 0, log_sequence = 0;
  uint64_t truncated_log_bytes = 0, truncated_vector_bytes = 0;
};

class VectorStoreImpl final : public VectorStore {
 public:
  static Result<std::unique_ptr<VectorStore>> OpenFiles(const std::string& dir,
                                                        const VectorOptions& options);
  static Result<std::unique_ptr<VectorStore>> OpenMemory(size_t dim,
                                                         const VectorOptions& options);
  ~VectorStoreImpl() override;

  size_t dimension() const override { return dim_; }
  Status CreateCollection(const std::string& name) override;
  Status DropCollection(const std::string& name) override;
  bool HasCollection(const std::string& name) const override;
  std::vector<std::string> ListCollections() const override;
  Result<std::map<std::string, std::string>> GetMeta(const std::string& name) const override;
  Status SetMeta(const std::string& name,
                 const std::map<std::string, std::string>& meta) override;
  Result<size_t> Upsert(const std::string& collection,
                        std::span<const VectorRecord> records) override;
  Result<size_t> Delete(const std::string& collection,
                        std::span<const std::string> ids) override;
  Result<size_t> DeleteWhere(const std::string& collection, const Filter& filter) override;
  Result<VectorRecord> Get(const std::string& collection, const std::string& id) const override;
  Result<size_t> CountRecords(const std::string& collection) const override;
  Result<std::vector<VectorRecord>> GetAll(const std::string& collection) const override;
  Result<std::vector<Hit>> Search(const Scope& scope, std::span<const float> query,
                                  const SearchOptions& options) const override;
  Result<std::vector<std::vector<Hit>>> SearchBatch(const Scope& scope,
                                                    std::span<const float> queries,
                                                    const SearchOptions& options) const override;
  Footprint GetFootprint() const override;
  Status Flush() override;
  Status Compact() override;
  Status Refresh() override;

 private:
  VectorStoreImpl(std::string dir, const VectorOptions& options, size_t dim);

  // One mutating call's hold on the files (vector_store_write.cc). Per-write mode:
  // Begin() takes the lock and catches up; the destructor closes the log and
  // vectors files and releases the lock. Other modes: does nothing.
  // REQUIRES: write_mu_ held for the scope's whole life.
  class WriteScope {
   public:
    explicit WriteScope(VectorStoreImpl* store) : store_(store) {}
    ~WriteScope();
    WriteScope(const WriteScope&) = delete;
    WriteScope& operator=(const WriteScope&) = delete;
    Status Begin();

   private:
    VectorStoreImpl* store_;
    std::unique_ptr<WriterLock> lock_;
  };

  bool in_memory() const { return dir_.empty(); }
  bool per_write() const {
    return options_.lock_per_write && !options_.read_only && !in_memory();
  }
  std::string PathOf(const std::string& name) const { return JoinPath(dir_, name); }
  Status CheckWritable() const;
  // <dir>/LOCK with options' owner and wait; nullptr (nothing to hold) with a
  // custom Env, whose files other processes cannot be assumed to share.
  static Result<std::unique_ptr<WriterLock>> AcquireLock(Env* env, const std::string& dir,
                                                         const VectorOptions& options);

  // Loading (vector_store.cc).
  Status LoadGeneration(uint64_t number, bool writable, Generation* gen);
  Status LoadRows(uint64_t number, RowStore* rows, uint64_t* rows_in_file);
  // Replays the log. With `deferred`, row checksums are collected there instead of
  // checked (the rows may still be loading).
  Status ReplayLog(Generation* gen, uint64_t rows_in_file, bool writable,
                   std::vector<std::pair<uint64_t, uint32_t>>* deferred);
  Status VerifyRows(const RowStore& rows,
                    const std::vector<std::pair<uint64_t, uint32_t>>& checks) const;
  // Truncates the vectors file after the referenced rows (orphans of calls that
  // never committed) and opens it for appending. REQUIRES: the files are ours.
  Status OpenVectorsForAppend(Generation* gen);
  Status CreateStore();
  void RemoveStaleFiles(uint64_t live);
  Result<uint64_t> ReadCurrentGeneration() const;
  // Loads generation `number` (writable: with recovery) and makes it gen_.
  Status SwitchGeneration(uint64_t number, bool writable);
  // Lock-free catch-up (read-only and per-write Refresh). REQUIRES: write_mu_.
  Status CatchUp();
  // Applies `ops`, decoded from the batches after gen_.log_end (ending at `end`
  // with `sequence`), reading from the vectors file only the rows they reference.
  // Checks everything before changing anything: on error gen_ is unchanged.
  // REQUIRES: write_mu_.
  Status ApplyCommitted(const std::vector<VectorOp>& ops, uint64_t end, uint64_t sequence);
  // Reads rows [first, end) of generation `number`'s vectors file into *out.
  Status ReadRows(uint64_t number, uint64_t first, uint64_t end, RowStore* out) const;

  // Writing (vector_store_write.cc).
  Status CommitOps(const std::vector<VectorOp>& ops, const std::vector<float>& new_rows,
                   size_t row_count);
  // Per-write catch-up under the lock; leaves gen_.log and gen_.vectors open.
  // REQUIRES: write_mu_ and <dir>/LOCK held, the files closed.
  Status CatchUpLocked();
  // Closes gen_.log and gen_.vectors (per-write mode, between calls).
  void CloseWriteFiles();
  // Delete's body. REQUIRES: write_mu_ held, a WriteScope begun.
  Result<size_t> DeleteLocked(const std::string& collection, std::span<const std::string> ids);
  Status WriteGeneration(uint64_t number, const RowStore& rows, const StoreState& state,
                         Generation* out);
  Status CompactLocked();

  // Reading (vector_store_read.cc).
  Status PrepareQueries(std::span<const float> queries, std::vector<float>* normalised) const;
  Status ResolveScope(const Scope& scope, std::vector<char>* in_scope) const;
  Result<std::vector<std::vector<Hit>>> SearchImpl(const Scope& scope,
                                                   std::span<const float> queries,
                                                   const SearchOptions& options) const;

  const std::string dir_;
  const VectorOptions options_;
  const size_t dim_;
  Env* const env_;
  std::unique_ptr<WriterLock> lock_;  // writer mode: held for the store's life
  Status poisoned_;  // non-OK once the files may disagree with memory

  mutable std::mutex write_mu_;
  mutable std::shared_mutex mu_;
  Generation gen_;
  mutable std::unique_ptr<ThreadPool> pool_;
};

// The log's fsync policy for a store's.
FsyncPolicy LogPolicy(VectorFsync f);
// A log callback that decodes every record of each batch and appends it to *ops.
LogBatchCallback DecodeInto(std::vector<VectorOp>* ops);

// Validation shared by the store and its callers (validate.cc).
Status ValidateCollectionName(const std::string& name);
Status ValidateRecordId(const std::string& id, size_t max_bytes);
// Checks dimension, finiteness and non-zero norm; `what` names the vector in errors.
Status ValidateVector(std::span<const float> v, size_t dim, const std::string& what);

}  // namespace urd::vec

#endif  // URD_VECTOR_VECTOR_STORE_IMPL_H_
