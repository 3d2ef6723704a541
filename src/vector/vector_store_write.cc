// Copyright urd authors. VectorStore: mutations and compaction.

#include <algorithm>
#include <cstring>
#include <new>
#include <set>

#include "base/utf8.h"
#include "vector/attr_codec.h"
#include "vector/kernels.h"
#include "vector/vector_store_impl.h"

namespace urd::vec {

namespace {

const Status kReadOnly =
    Status::FailedPrecondition("read-only store: mutations are not allowed");

Status ValidateMeta(const std::map<std::string, std::string>& meta) {
  for (const auto& [k, v] : meta) {
    if (k.empty()) return Status::InvalidArgument("metadata key is empty");
    // Metadata is text (nidus: String to String), shown as JSON by `urd vec meta`.
    if (!IsValidUtf8(k)) return Status::InvalidArgument("a metadata key is not valid UTF-8");
    if (!IsValidUtf8(v)) {
      return Status::InvalidArgument("metadata `" + k + "` is not valid UTF-8");
    }
  }
  return Status::OK();
}

}  // namespace

Status VectorStoreImpl::CheckWritable() const {
  if (options_.read_only) return kReadOnly;
  if (!poisoned_.ok()) return poisoned_;
  return Status::OK();
}

VectorStoreImpl::WriteScope::~WriteScope() {
  if (!store_->per_write()) return;
  store_->CloseWriteFiles();
  lock_.reset();  // releases <dir>/LOCK, after the files are closed
}

Status VectorStoreImpl::WriteScope::Begin() {
  if (!store_->per_write()) return Status::OK();
  if (store_->env_ == Env::Default()) {
    LockOptions lo;
    lo.owner = store_->options_.lock_owner;
    lo.wait = store_->options_.lock_wait;
    // Each call syncs what it writes (kEveryCall) or promises no durability per call:
    // the lock file's own fdatasync would only add latency.
    lo.sync_metadata = false;
    URD_ASSIGN_OR_RETURN(lock_, WriterLock::Acquire(store_->dir_, lo));
  }
  try {
    return store_->CatchUpLocked();
  } catch (const std::bad_alloc&) {
    return Status::IOError(store_->dir_ + ": out of memory while catching up");
  }
}

void VectorStoreImpl::CloseWriteFiles() {
  if (gen_.log) (void)gen_.log->Close();
  if (gen_.vectors) (void)gen_.vectors->Close();
  gen_.log.reset();
  gen_.vectors.reset();
}

// Under the lock the files are ours: a new generation is loaded with full recovery;
// otherwise the log is reopened where this object last read it (replaying what
// others committed since and cutting a torn tail), and the vectors file is cut
// after the rows those batches reference (orphans of a writer killed mid-call).
Status VectorStoreImpl::CatchUpLocked() {
  URD_ASSIGN_OR_RETURN(uint64_t live, ReadCurrentGeneration());
  if (live != gen_.number) {
    URD_RETURN_IF_ERROR(SwitchGeneration(live, true));
    RemoveStaleFiles(live);  // in case the compacting process died before it did
    return Status::OK();
  }
  LogOptions lo;
  lo.kind = LogKind::kVector;
  lo.fsync = LogPolicy(options_.fsync);
  lo.salvage = options_.salvage;
  lo.create_if_missing = false;
  std::vector<VectorOp> ops;
  LogRecovery rec;
  URD_ASSIGN_OR_RETURN(auto log,
                       LogWriter::OpenAt(env_, PathOf(OpsFileName(gen_.number)), lo, gen_.log_end,
                                         gen_.log_sequence, DecodeInto(&ops), &rec));
  gen_.truncated_log_bytes += rec.truncated_bytes;
  URD_RETURN_IF_ERROR(ApplyCommitted(ops, log->size(), log->last_sequence()));
  gen_.log = std::move(log);
  return OpenVectorsForAppend(&gen_);
}

// Commits `ops` (one batch) whose UPSERTs reference `row_count` new rows held in
// `new_rows` (row_count * dim floats, normalised), then applies them in memory.
// REQUIRES: write_mu_ held.
Status VectorStoreImpl::CommitOps(const std::vector<VectorOp>& ops,
                                  const std::vector<float>& new_rows, size_t row_count) {
  if (!in_memory()) {
    const size_t stride = RowStrideBytes(dim_);
    const uint64_t old_size = gen_.vectors->Size();
    if (row_count > 0) {
      std::string buf(row_count * stride, '\0');
      for (size_t i = 0; i < row_count; i++) {
        std::memcpy(buf.data() + i * stride, new_rows.data() + i * dim_, dim_ * 4);
      }
      Status s = gen_.vectors->Append(buf);
      if (s.ok() && options_.fsync != VectorFsync::kNever) s = gen_.vectors->Sync();
      if (!s.ok()) {
        Status undo = gen_.vectors->Truncate(old_size);
        if (!undo.ok()) poisoned_ = Status::FailedPrecondition("vector store: " + undo.ToString());
        return s.WithContext("append rows to " + PathOf(VectorsFileName(gen_.number)));
      }
    }
    std::vector<std::string> encoded(ops.size());
    std::vector<std::string_view> views(ops.size());
    for (size_t i = 0; i < ops.size(); i++) {
      EncodeOp(ops[i], &encoded[i]);
      views[i] = encoded[i];
    }
    auto seq = gen_.log->Append(views);
    if (!seq.ok()) {
      if (gen_.log->poisoned()) {
        // The batch may or may not be durable (a failed fsync): keep its rows so a
        // reopen finds them if the batch survived; refuse writes until then.
        poisoned_ = Status::FailedPrecondition(
            "vector store: the operation log could not be synced; reopen the store (" +
            seq.status().ToString() + ")");
        return seq.status();
      }
      if (row_count > 0 && !gen_.vectors->Truncate(old_size).ok()) {
        poisoned_ = Status::FailedPrecondition("vector store: rows could not be rolled back; reopen");
      }
      return seq.status();
    }
    // A per-write store releases the lock after this call and others append after
    // this batch, so it is synced now even under kOnFlush.
    if (per_write() && options_.fsync == VectorFsync::kOnFlush) {
      Status s = gen_.log->Sync();
      if (!s.ok()) {
        poisoned_ = Status::FailedPrecondition(
            "vector store: the operation log could not be synced; reopen the store (" +
            s.ToString() + ")");
        return s;
      }
    }
    gen_.log_end = gen_.log->size();
    gen_.log_sequence = *seq;
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (size_t i = 0; i < row_count; i++) gen_.rows->Append(new_rows.data() + i * dim_);
  for (const VectorOp& op : ops) {
    Status s = gen_.state->Apply(op, gen_.rows->rows());
    if (!s.ok()) {  // cannot happen: the ops were built from this state
      poisoned_ = Status::FailedPrecondition("vector store: internal error: " + s.ToString());
      return poisoned_;
    }
  }
  return Status::OK();
}

Status VectorStoreImpl::CreateCollection(const std::string& name) {
  URD_RETURN_IF_ERROR(CheckWritable());
  URD_RETURN_IF_ERROR(ValidateCollectionName(name));
  std::lock_guard<std::mutex> w(write_mu_);
  WriteScope scope(this);
  URD_RETURN_IF_ERROR(scope.Begin());
  if (gen_.state->Find(name)) return Status::OK();
  VectorOp op;
  op.type = OpType::kCreateCollection;
  op.collection = name;
  return CommitOps({op}, {}, 0);
}

Status VectorStoreImpl::DropCollection(const std::string& name) {
  URD_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard<std::mutex> w(write_mu_);
  WriteScope scope(this);
  URD_RETURN_IF_ERROR(scope.Begin());
  if (!gen_.state->Find(name)) return Status::OK();
  VectorOp op;
  op.type = OpType::kDropCollection;
  op.collection = name;
  return CommitOps({op}, {}, 0);
}

Status VectorStoreImpl::SetMeta(const std::string& name,
                                const std::map<std::string, std::string>& meta) {
  URD_RETURN_IF_ERROR(CheckWritable());
  URD_RETURN_IF_ERROR(ValidateCollectionName(name));
  URD_RETURN_IF_ERROR(ValidateMeta(meta));
  std::lock_guard<std::mutex> w(write_mu_);
  WriteScope scope(this);
  URD_RETURN_IF_ERROR(scope.Begin());
  VectorOp op;
  op.type = OpType::kSetMeta;
  op.collection = name;
  op.meta = meta;
  return CommitOps({op}, {}, 0);
}

Result<size_t> VectorStoreImpl::Upsert(const std::string& collection,
                                       std::span<const VectorRecord> records) {
  URD_RETURN_IF_ERROR(CheckWritable());
  URD_RETURN_IF_ERROR(ValidateCollectionName(collection));
  std::vector<float> rows(records.size() * dim_);
  for (size_t i = 0; i < records.size(); i++) {
    const VectorRecord& r = records[i];
    const std::string what = "record " + std::to_string(i) + " ('" + r.id.substr(0, 64) + "')";
    URD_RETURN_IF_ERROR(ValidateRecordId(r.id, options_.max_id_bytes).WithContext(what));
    URD_RETURN_IF_ERROR(ValidateVector(r.vector, dim_, what + " vector"));
    URD_RETURN_IF_ERROR(ValidateAttrs(r.attrs).WithContext(what));
    float* dst = rows.data() + i * dim_;
    std::memcpy(dst, r.vector.data(), dim_ * sizeof(float));
    if (!NormalizeInPlace(dst, dim_)) {
      return Status::InvalidArgument(what + " vector cannot be normalised");
    }
  }
  std::lock_guard<std::mutex> w(write_mu_);
  WriteScope scope(this);
  URD_RETURN_IF_ERROR(scope.Begin());
  const uint64_t base = gen_.rows->rows();
  if (options_.max_vector_bytes &&
      (base + records.size()) * dim_ * 4 > *options_.max_vector_bytes) {
    return Status::FailedPrecondition(
        "upsert of " + std::to_string(records.size()) + " rows would exceed max_vector_bytes (" +
        std::to_string(*options_.max_vector_bytes) + "); Compact() reclaims dead rows");
  }
  std::vector<VectorOp> ops;
  ops.reserve(records.size() + 1);
  if (!gen_.state->Find(collection)) {
    ops.emplace_back();
    ops.back().type = OpType::kCreateCollection;
    ops.back().collection = collection;
  }
  for (size_t i = 0; i < records.size(); i++) {
    VectorOp op;
    op.type = OpType::kUpsert;
    op.collection = collection;
    op.id = records[i].id;
    op.row = base + i;
    op.row_crc = RowChecksum(rows.data() + i * dim_, dim_);
    op.attrs = records[i].attrs;
    ops.push_back(std::move(op));
  }
  try {
    URD_RETURN_IF_ERROR(CommitOps(ops, rows, records.size()));
  } catch (const std::bad_alloc&) {
    poisoned_ = Status::FailedPrecondition("vector store: out of memory after a commit; reopen");
    return poisoned_;
  }
  return records.size();
}

Result<size_t> VectorStoreImpl::Delete(const std::string& collection,
                                       std::span<const std::string> ids) {
  URD_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard<std::mutex> w(write_mu_);
  WriteScope scope(this);
  URD_RETURN_IF_ERROR(scope.Begin());
  return DeleteLocked(collection, ids);
}

Result<size_t> VectorStoreImpl::DeleteLocked(const std::string& collection,
                                             std::span<const std::string> ids) {
  const CollectionState* c = gen_.state->Find(collection);
  if (c == nullptr) return size_t{0};
  std::set<std::string> present;  // id order: reproducible log bytes (V4)
  for (const std::string& id : ids) {
    if (c->rows_by_id.count(id)) present.insert(id);
  }
  if (present.empty()) return size_t{0};
  std::vector<VectorOp> ops;
  for (const std::string& id : present) {
    VectorOp op;
    op.type = OpType::kDelete;
    op.collection = collection;
    op.id = id;
    ops.push_back(std::move(op));
  }
  URD_RETURN_IF_ERROR(CommitOps(ops, {}, 0));
  return present.size();
}

// Matches and deletes in one hold of write_mu_ (and, per-write, of the lock), so
// the deletion is atomic with the match.
Result<size_t> VectorStoreImpl::DeleteWhere(const std::string& collection, const Filter& filter) {
  URD_RETURN_IF_ERROR(CheckWritable());
  URD_RETURN_IF_ERROR(filter.Validate());
  std::lock_guard<std::mutex> w(write_mu_);
  WriteScope scope(this);
  URD_RETURN_IF_ERROR(scope.Begin());
  const CollectionState* c = gen_.state->Find(collection);
  if (c == nullptr) return size_t{0};
  std::vector<std::string> ids;
  for (const auto& [id, row] : c->rows_by_id) {
    if (filter.Matches(gen_.state->row(row).attrs)) ids.push_back(id);
  }
  return DeleteLocked(collection, ids);
}

// Per-write mode syncs every call before releasing the lock unless fsync is kNever;
// then Flush takes the lock to sync the files of the live generation.
Status VectorStoreImpl::Flush() {
  URD_RETURN_IF_ERROR(CheckWritable());
  if (in_memory()) return Status::OK();
  if (per_write() && options_.fsync != VectorFsync::kNever) return Status::OK();
  std::lock_guard<std::mutex> w(write_mu_);
  WriteScope scope(this);
  URD_RETURN_IF_ERROR(scope.Begin());
  URD_RETURN_IF_ERROR(gen_.vectors->Sync());
  return gen_.log->Sync();
}

Status VectorStoreImpl::Compact() {
  URD_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard<std::mutex> w(write_mu_);
  WriteScope scope(this);
  URD_RETURN_IF_ERROR(scope.Begin());
  try {
    return CompactLocked();
  } catch (const std::bad_alloc&) {
    return Status::IOError("vector store: out of memory while compacting");
  }
}

}  // namespace urd::vec
