// Copyright urd authors. VectorStore compaction: a new generation with live rows
// only, switched atomically by replacing CURRENT (docs/format.md §3).

#include <algorithm>
#include <cstring>

#include "vector/vector_store_impl.h"

namespace urd::vec {

namespace {

constexpr size_t kOpsPerBatch = 4096;

// The operations that rebuild `state`'s live contents with rows renumbered in
// (collection, id) order; `order` receives the old row of each new row.
std::vector<VectorOp> LiveOps(const StoreState& state, const RowStore& rows,
                              std::vector<uint32_t>* order) {
  std::vector<VectorOp> ops;
  for (const auto& [name, c] : state.collections()) {
    VectorOp create;
    create.type = OpType::kCreateCollection;
    create.collection = name;
    ops.push_back(create);
    if (!c->meta.empty()) {
      VectorOp meta;
      meta.type = OpType::kSetMeta;
      meta.collection = name;
      meta.meta = c->meta;
      ops.push_back(std::move(meta));
    }
    std::vector<std::pair<std::string, uint32_t>> ids(c->rows_by_id.begin(), c->rows_by_id.end());
    std::sort(ids.begin(), ids.end());
    for (const auto& [id, old_row] : ids) {
      VectorOp op;
      op.type = OpType::kUpsert;
      op.collection = name;
      op.id = id;
      op.row = order->size();
      op.row_crc = RowChecksum(rows.Row(old_row), rows.dimension());
      op.attrs = state.row(old_row).attrs;
      order->push_back(old_row);
      ops.push_back(std::move(op));
    }
  }
  return ops;
}

}  // namespace

// Writes vectors.<number> and ops.<number> for the given contents and syncs them.
Status VectorStoreImpl::WriteGeneration(uint64_t number, const RowStore& rows,
                                        const StoreState& state, Generation* out) {
  (void)state;
  const std::string vpath = PathOf(VectorsFileName(number));
  const std::string opath = PathOf(OpsFileName(number));
  {
    URD_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(vpath, WriteMode::kTruncate));
    URD_RETURN_IF_ERROR(f->Append(EncodeVectorsHeader(static_cast<uint32_t>(dim_), number)));
    const size_t stride = RowStrideBytes(dim_);
    std::string buf;
    for (uint64_t r = 0; r < rows.rows(); r++) {
      size_t at = buf.size();
      buf.resize(at + stride, '\0');
      std::memcpy(buf.data() + at, rows.Row(r), dim_ * 4);
      if (buf.size() >= (8u << 20) || r + 1 == rows.rows()) {
        URD_RETURN_IF_ERROR(f->Append(buf));
        buf.clear();
      }
    }
    URD_RETURN_IF_ERROR(f->Sync());
    URD_RETURN_IF_ERROR(f->Close());
  }
  if (env_->FileExists(opath)) URD_RETURN_IF_ERROR(env_->RemoveFile(opath));
  LogOptions lo;
  lo.kind = LogKind::kVector;
  lo.fsync = FsyncPolicy::kCallerDriven;
  URD_ASSIGN_OR_RETURN(out->log, LogWriter::Open(env_, opath, lo, nullptr, nullptr));
  return env_->SyncDir(dir_);
}

Status VectorStoreImpl::CompactLocked() {
  std::vector<uint32_t> order;
  std::vector<VectorOp> ops = LiveOps(*gen_.state, *gen_.rows, &order);
  Generation next;
  next.number = gen_.number + 1;
  next.rows = std::make_unique<RowStore>(dim_, options_.keep_int8, options_.keep_f16);
  next.state = std::make_unique<StoreState>();
  for (uint32_t old_row : order) next.rows->Append(gen_.rows->Row(old_row));
  for (const VectorOp& op : ops) URD_RETURN_IF_ERROR(next.state->Apply(op, next.rows->rows()));
  if (in_memory()) {
    std::unique_lock<std::shared_mutex> lock(mu_);
    gen_ = std::move(next);
    return Status::OK();
  }
  const std::string vpath = PathOf(VectorsFileName(next.number));
  const std::string opath = PathOf(OpsFileName(next.number));
  auto abandon = [&](const Status& why) {
    next.log.reset();
    (void)env_->RemoveFile(vpath);
    (void)env_->RemoveFile(opath);
    return why.WithContext("compaction (the store is unchanged)");
  };
  Status s = WriteGeneration(next.number, *next.rows, *next.state, &next);
  for (size_t i = 0; s.ok() && i < ops.size(); i += kOpsPerBatch) {
    std::vector<std::string> enc(std::min(kOpsPerBatch, ops.size() - i));
    std::vector<std::string_view> views(enc.size());
    for (size_t j = 0; j < enc.size(); j++) {
      EncodeOp(ops[i + j], &enc[j]);
      views[j] = enc[j];
    }
    s = next.log->Append(views).status();
  }
  if (s.ok()) s = next.log->Sync();
  if (s.ok()) s = next.log->Close();
  if (!s.ok()) return abandon(s);
  next.log.reset();
  // The switch point.
  const std::string current = PathOf(CurrentFileName());
  s = WriteFileAtomic(env_, current, EncodeCurrent({next.number, static_cast<uint32_t>(dim_)}));
  if (!s.ok()) {
    auto text = ReadFileToString(env_, current);
    auto now = text.ok() ? DecodeCurrent(*text, current) : Result<CurrentInfo>(text.status());
    if (now.ok() && now->generation == gen_.number) return abandon(s);
    poisoned_ = Status::FailedPrecondition(
        "vector store: compaction switched generations but could not confirm it (" +
        s.ToString() + "); reopen the store");
    return poisoned_;
  }
  // From here on the new generation is the store; reopen its files for appending.
  LogOptions lo;
  lo.kind = LogKind::kVector;
  lo.fsync = LogPolicy(options_.fsync);
  lo.create_if_missing = false;
  auto log = LogWriter::Open(env_, opath, lo, nullptr, nullptr);
  auto vectors = env_->NewWritableFile(vpath, WriteMode::kAppend);
  if (!log.ok() || !vectors.ok()) {
    poisoned_ = Status::FailedPrecondition("vector store: compacted, but reopening its files "
                                           "failed; reopen the store");
    return poisoned_;
  }
  next.log = std::move(*log);
  next.vectors = std::move(*vectors);
  next.log_end = next.log->size();
  next.log_sequence = next.log->last_sequence();
  const uint64_t old = gen_.number;
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    if (gen_.log) (void)gen_.log->Close();
    if (gen_.vectors) (void)gen_.vectors->Close();
    gen_ = std::move(next);
  }
  RemoveStaleFiles(gen_.number);
  (void)old;
  return Status::OK();
}

}  // namespace urd::vec
