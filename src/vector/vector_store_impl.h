// Copyright urd authors. The VectorStore implementation (include/urd/vector_store.h).
//
// Locking: `write_mu_` serialises mutations, Compact and Refresh (all file I/O of
// the writer happens under it). `mu_` guards `rows_` and `state_`: readers take it
// shared; a mutation takes it exclusively only to apply an already-committed batch
// in memory. A writer may read rows_/state_ without `mu_` while holding write_mu_
// (no one else changes them).

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
  std::unique_ptr<LogWriter> log;          // writable stores
  std::unique_ptr<WritableFile> vectors;   // writable stores
  std::unique_ptr<LogReader> reader;       // read-only stores
  uint64_t log_end = 0, log_sequence = 0;  // read-only: where Refresh resumes
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

  bool in_memory() const { return dir_.empty(); }
  std::string PathOf(const std::string& name) const { return JoinPath(dir_, name); }
  Status CheckWritable() const;

  // Loading (vector_store.cc).
  Status LoadGeneration(uint64_t number, bool writable, Generation* gen);
  Status LoadRows(uint64_t number, RowStore* rows, uint64_t* rows_in_file);
  // Replays the log. With `deferred`, row checksums are collected there instead of
  // checked (the rows may still be loading).
  Status ReplayLog(Generation* gen, uint64_t rows_in_file, bool writable,
                   std::vector<std::pair<uint64_t, uint32_t>>* deferred);
  Status VerifyRows(const RowStore& rows,
                    const std::vector<std::pair<uint64_t, uint32_t>>& checks) const;
  Status CreateStore();
  void RemoveStaleFiles(uint64_t live);
  Status CatchUp();

  // Writing (vector_store_write.cc).
  Status CommitOps(const std::vector<VectorOp>& ops, const std::vector<float>& new_rows,
                   size_t row_count);
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
  std::unique_ptr<WriterLock> lock_;
  Status poisoned_;  // non-OK once the files may disagree with memory

  mutable std::mutex write_mu_;
  mutable std::shared_mutex mu_;
  Generation gen_;
  mutable std::unique_ptr<ThreadPool> pool_;
};

// The log's fsync policy for a store's.
FsyncPolicy LogPolicy(VectorFsync f);

// Validation shared by the store and its callers (validate.cc).
Status ValidateCollectionName(const std::string& name);
Status ValidateRecordId(const std::string& id, size_t max_bytes);
// Checks dimension, finiteness and non-zero norm; `what` names the vector in errors.
Status ValidateVector(std::span<const float> v, size_t dim, const std::string& what);

}  // namespace urd::vec

#endif  // URD_VECTOR_VECTOR_STORE_IMPL_H_
