// Copyright urd authors. MemoryStore: open, replay, commit, refresh.

#include <mutex>

#include "memory/memory_store_impl.h"
#include "memory/pipeline.h"

namespace urd {

using mem::MemoryStoreImpl;

namespace {

Result<std::unique_ptr<MemoryStore>> OpenImpl(const std::string& dir,
                                              const MemoryOptions& options) {
  Env* env = options.env != nullptr ? options.env : Env::Default();
  std::unique_ptr<WriterLock> lock;
  if (!dir.empty()) {
    if (!env->FileExists(dir)) {
      if (options.read_only || !options.create_if_missing) {
        return Status::NotFound(dir + ": no such memory store directory");
      }
      URD_RETURN_IF_ERROR(env->CreateDir(dir));
    }
    if (!options.read_only && env == Env::Default()) {
      LockOptions lo;
      lo.owner = options.lock_owner;
      lo.wait = options.lock_wait;
      URD_ASSIGN_OR_RETURN(lock, WriterLock::Acquire(dir, lo));
    }
  }
  auto store = std::make_unique<MemoryStoreImpl>(dir, options, env);
  URD_RETURN_IF_ERROR(store->Load(std::move(lock)));
  return std::unique_ptr<MemoryStore>(std::move(store));
}

}  // namespace

Result<std::unique_ptr<MemoryStore>> MemoryStore::Open(const std::string& dir,
                                                       const MemoryOptions& options) {
  if (dir.empty()) return Status::InvalidArgument("memory store: empty directory path");
  return OpenImpl(dir, options);
}

Result<std::unique_ptr<MemoryStore>> MemoryStore::OpenInMemory(const MemoryOptions& options) {
  MemoryOptions o = options;
  o.read_only = false;
  return OpenImpl("", o);
}

namespace mem {

namespace {

// Releases what AcquireWrite took when the commit returns.
struct WriteScope {
  MemoryStoreImpl* store;
  ~WriteScope() { store->ReleaseWrite(); }
};

}  // namespace

MemoryStoreImpl::MemoryStoreImpl(std::string dir, const MemoryOptions& options, Env* env)
    : dir_(std::move(dir)),
      log_path_(dir_.empty() ? std::string() : JoinPath(dir_, kMemoryLogName)),
      options_(options),
      env_(env) {}

MemoryStoreImpl::~MemoryStoreImpl() {
  if (log_) (void)log_->Close();
}

Status MemoryStoreImpl::Load(std::unique_ptr<WriterLock> lock) {
  for (const auto& [key, days] : options_.decay_days) {
    URD_RETURN_IF_ERROR(decay_.SetHalfLifeDays(key, days));
  }
  lock_ = std::move(lock);
  if (dir_.empty()) return Status::OK();
  if (options_.read_only) {
    if (!env_->FileExists(log_path_)) return Status::NotFound(log_path_ + ": no memory log");
    read_end_ = kLogHeaderSize;
    return Refresh();
  }
  URD_ASSIGN_OR_RETURN(log_, LogWriter::Open(env_, log_path_, WriterLogOptions(),
                                             [this](const LogBatch& b) { return ApplyLogBatch(b); },
                                             nullptr));
  if (per_write()) {  // recovered under the lock; later commits take it again
    read_end_ = log_->size();
    read_sequence_ = log_->last_sequence();
    log_.reset();
    lock_.reset();
  }
  return Status::OK();
}

LogOptions MemoryStoreImpl::WriterLogOptions() const {
  LogOptions lo;
  lo.kind = LogKind::kMemory;
  lo.fsync = options_.fsync == MemoryFsync::kNever ? FsyncPolicy::kNever : FsyncPolicy::kEveryCommit;
  lo.create_if_missing = options_.create_if_missing;
  lo.salvage = options_.salvage;
  return lo;
}

Status MemoryStoreImpl::ApplyLogBatch(const LogBatch& batch) {
  MemoryBatch decoded;
  URD_RETURN_IF_ERROR(DecodeMemoryBatch(batch, log_path_, &decoded));
  return ApplyBatch(decoded);
}

Status MemoryStoreImpl::AcquireWrite() {
  if (!per_write()) return Status::OK();
  write_mu_.lock();
  if (write_depth_++ > 0) return Status::OK();
  LockOptions lo;
  lo.owner = options_.lock_owner;
  lo.wait = options_.lock_wait;
  // The commit syncs its batch (kEveryCommit) or promises no durability (kNever).
  lo.sync_metadata = false;
  // Only the real file system has a lock to take (as at Open); another Env (tests,
  // fault injection) still catches up and recovers the tail.
  Result<std::unique_ptr<WriterLock>> lock =
      env_ == Env::Default() ? WriterLock::Acquire(dir_, lo)
                             : Result<std::unique_ptr<WriterLock>>(std::unique_ptr<WriterLock>());
  Status s = lock.status();
  if (s.ok()) {
    std::unique_lock state_lock(mu_);
    auto log = LogWriter::OpenAt(env_, log_path_, WriterLogOptions(), read_end_, read_sequence_,
                                 [this](const LogBatch& b) { return ApplyLogBatch(b); }, nullptr);
    s = log.status();
    if (s.ok()) log_ = std::move(*log);
  }
  if (!s.ok()) {
    --write_depth_;
    write_mu_.unlock();
    return s;
  }
  lock_ = std::move(*lock);
  return Status::OK();
}

void MemoryStoreImpl::ReleaseWrite() {
  if (!per_write()) return;
  if (--write_depth_ == 0) {
    if (log_) {
      read_end_ = log_->size();
      read_sequence_ = log_->last_sequence();
      log_.reset();
    }
    lock_.reset();
  }
  write_mu_.unlock();
}

// Replays one committed batch (no undo journal: a failure fails the open).
Status MemoryStoreImpl::ApplyBatch(const MemoryBatch& batch) {
  for (size_t i = 0; i < batch.records.size(); ++i) {
    Status s = state_.Apply(batch.records[i], ApplyMode::kReplay);
    if (!s.ok()) {
      return Status::Corruption(log_path_ + ": batch " + std::to_string(batch.sequence) +
                                " at offset " + std::to_string(batch.offset) + ", record " +
                                std::to_string(i) + " cannot be replayed: " + std::string(s.message()));
    }
  }
  return Status::OK();
}

Status MemoryStoreImpl::CheckWritable() const {
  if (options_.read_only) {
    return Status::FailedPrecondition(dir_ + ": the memory store is open read-only");
  }
  return Status::OK();
}

// Appends records that are already applied to state_ (undo journal open).
Status MemoryStoreImpl::WriteBatch(const std::vector<CanonicalRecord>& records) {
  if (!log_) return Status::OK();  // in memory
  std::vector<std::string> payloads = EncodeMemoryBatch(records);
  std::vector<std::string_view> views(payloads.begin(), payloads.end());
  return log_->Append(views).status();
}

Result<CommitResult> MemoryStoreImpl::Commit(std::string_view forms, uint64_t now_ms,
                                             const EpisodeMetadata* meta) {
  URD_RETURN_IF_ERROR(CheckWritable());
  URD_RETURN_IF_ERROR(AcquireWrite());
  WriteScope release{this};
  std::unique_lock lock(mu_);
  BatchMetadata bm;
  if (meta != nullptr) bm = BatchMetadata{meta->label, meta->parent, meta->retracts};
  CompiledBatch batch;
  URD_RETURN_IF_ERROR(CompileBatch(&state_, forms, now_ms, meta ? &bm : nullptr, &batch));
  Status s = WriteBatch(batch.records);
  if (!s.ok()) {
    state_.RollbackTo(batch.mark);
    state_.Commit();
    return s;
  }
  state_.Commit();
  CommitResult result;
  const SymbolTable& t = state_.symbols();
  result.episode = t.Find(batch.episode)->canonical_name;
  result.committed_at = batch.committed_at;
  result.records = batch.records.size();
  for (SymbolId id : batch.memory_ids) result.memory_ids.push_back(t.Find(id)->canonical_name);
  return result;
}

Status MemoryStoreImpl::AppendReplayBatch(const std::vector<CanonicalRecord>& records) {
  URD_RETURN_IF_ERROR(CheckWritable());
  URD_RETURN_IF_ERROR(AcquireWrite());
  WriteScope release{this};
  std::unique_lock lock(mu_);
  MemoryState::UndoMark mark = state_.Mark();
  Status s;
  for (size_t i = 0; i < records.size() && s.ok(); ++i) {
    s = state_.Apply(records[i], ApplyMode::kReplay);
    if (!s.ok()) s = Status::Corruption("record " + std::to_string(i) + ": " + std::string(s.message()));
  }
  if (s.ok()) s = WriteBatch(records);
  if (!s.ok()) state_.RollbackTo(mark);
  state_.Commit();
  return s;
}

Status MemoryStoreImpl::Refresh() {
  if (per_write()) {
    std::lock_guard writing(write_mu_);
    return write_depth_ > 0 ? Status::OK() : CatchUpUnlocked();  // a writer is current
  }
  if (!options_.read_only || dir_.empty()) return Status::OK();
  return CatchUpUnlocked();
}

Status MemoryStoreImpl::CatchUpUnlocked() {
  std::unique_lock lock(mu_);
  auto scan = ScanMemoryLog(env_, log_path_, read_end_, read_sequence_,
                            [this](const MemoryBatch& batch) { return ApplyBatch(batch); });
  if (!scan.ok()) return scan.status();
  if (scan->tail == LogTail::kCorrupt) {
    return Status::Corruption(log_path_ + ": bad frame at offset " +
                              std::to_string(scan->bad_offset) + " (" + scan->reason +
                              ") followed by committed data");
  }
  read_end_ = scan->end;
  read_sequence_ = scan->last_sequence;
  return Status::OK();
}

void MemoryStoreImpl::WithState(
    const std::function<void(const MemoryState&, const DecayConfig&)>& fn) const {
  std::shared_lock lock(mu_);
  fn(state_, decay_);
}

MemoryStats MemoryStoreImpl::Stats() const {
  std::shared_lock lock(mu_);
  MemoryStats st;
  st.sem = state_.sem().size();
  st.epi = state_.epi().size();
  st.pro = state_.pro().size();
  st.inf = state_.inf().size();
  st.edges = state_.edges().size();
  st.symbols = state_.symbols().size();
  st.episodes = state_.episodes().size();
  st.pinned = state_.pinned_count();
  st.authoritative = state_.authoritative_count();
  st.last_committed_at = state_.last_committed_at().value_or(0);
  if (!log_path_.empty()) {
    auto size = env_->GetFileSize(log_path_);
    if (size.ok()) st.log_bytes = *size;
  }
  st.memory_bytes = state_.ApproxMemoryBytes();
  return st;
}

}  // namespace mem
}  // namespace urd
