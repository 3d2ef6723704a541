// Copyright urd authors. The MemoryStore implementation (urd/memory_store.h).
//
// Locking: `mu_` is a shared mutex — Commit, Refresh and imports hold it
// exclusively, reads shared. The writer lock (<dir>/LOCK) is held from Open to
// destruction by writable stores on disk — or, with lock_per_write, between
// AcquireWrite and ReleaseWrite only (`write_mu_`, recursive, is held by the
// thread in between; `log_` is open only then).

#ifndef URD_MEMORY_MEMORY_STORE_IMPL_H_
#define URD_MEMORY_MEMORY_STORE_IMPL_H_

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "memory/decay.h"
#include "memory/memory_log.h"
#include "memory/query.h"
#include "memory/state.h"
#include "storage/log_writer.h"
#include "storage/writer_lock.h"
#include "urd/memory_store.h"

namespace urd::mem {

class MemoryStoreImpl final : public MemoryStore {
 public:
  MemoryStoreImpl(std::string dir, const MemoryOptions& options, Env* env);
  ~MemoryStoreImpl() override;

  // Replays the log (creating it when allowed). Called once by Open.
  Status Load(std::unique_ptr<WriterLock> lock);

  Result<CommitResult> Commit(std::string_view forms, uint64_t now_ms,
                              const EpisodeMetadata* meta) override;
  Result<QueryResult> Query(std::string_view query_form) const override;
  Result<std::vector<MemoryHit>> History(std::string_view symbol) const override;
  Result<std::vector<MemoryHit>> Dump(std::string_view kind) const override;
  Status Refresh() override;
  MemoryStats Stats() const override;
  const std::string& log_path() const override { return log_path_; }

  // Appends already-built records (an imported batch) as one batch: they are
  // applied in replay mode, then logged; all or nothing. FailedPrecondition on a
  // read-only store.
  Status AppendReplayBatch(const std::vector<CanonicalRecord>& records);

  // lock_per_write: takes the writer lock (waiting up to lock_wait) and applies the
  // batches other processes committed since (cutting a torn tail a killed writer
  // left); commits until ReleaseWrite append after them. Nests (a counter) on the
  // calling thread; other threads wait. No-op for a store holding its lock for
  // life. Errors: Busy / TimedOut naming the holder, those of the replay.
  Status AcquireWrite();
  void ReleaseWrite();

  // Runs `fn` with the state under the shared lock (internal readers: benchmarks,
  // export, the recall layer).
  void WithState(const std::function<void(const MemoryState&, const DecayConfig&)>& fn) const;

 private:
  Status CheckWritable() const;
  bool per_write() const { return options_.lock_per_write && !options_.read_only && !dir_.empty(); }
  LogOptions WriterLogOptions() const;
  Status ApplyLogBatch(const LogBatch& batch);
  // Reads batches past read_end_ without the lock (read-only and per-write stores).
  Status CatchUpUnlocked();
  Status ApplyBatch(const MemoryBatch& batch);
  Status WriteBatch(const std::vector<CanonicalRecord>& records);
  MemoryHit MakeHit(MemoryRef ref, uint16_t effective) const;
  CanonicalRecord RecordAt(MemoryRef ref) const;
  std::vector<MemoryHit> HitsSorted(std::vector<MemoryRef> refs) const;

  std::string dir_;
  std::string log_path_;
  MemoryOptions options_;
  Env* env_;
  DecayConfig decay_;
  std::unique_ptr<WriterLock> lock_;
  std::unique_ptr<LogWriter> log_;
  uint64_t read_end_ = 0;       // read-only, per-write: file offset applied so far
  uint64_t read_sequence_ = 0;  // read-only, per-write: sequence of the last batch applied
  std::recursive_mutex write_mu_;  // per-write: held from AcquireWrite to ReleaseWrite
  int write_depth_ = 0;            // per-write: nesting of AcquireWrite (write_mu_)

  mutable std::shared_mutex mu_;
  MemoryState state_;
};

}  // namespace urd::mem

#endif  // URD_MEMORY_MEMORY_STORE_IMPL_H_
