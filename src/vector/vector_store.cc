// Copyright urd authors. VectorStore: opening, loading a generation, refreshing.

#include <algorithm>
#include <cstring>
#include <new>
#include <thread>

#include "vector/kernels.h"
#include "vector/vector_store_impl.h"

namespace urd {

using vec::VectorStoreImpl;

Result<std::unique_ptr<VectorStore>> VectorStore::Open(const std::string& dir,
                                                       const VectorOptions& options) {
  try {
    return VectorStoreImpl::OpenFiles(dir, options);
  } catch (const std::bad_alloc&) {
    return Status::IOError(dir + ": out of memory while opening the vector store");
  }
}

Result<std::unique_ptr<VectorStore>> VectorStore::OpenInMemory(size_t dim,
                                                               const VectorOptions& options) {
  return VectorStoreImpl::OpenMemory(dim, options);
}

const char* VectorStore::SimdLevel() { return vec::SimdLevelName(vec::ActiveSimdLevel()); }

namespace vec {

LogBatchCallback DecodeInto(std::vector<VectorOp>* ops) {
  return [ops](const LogBatch& b) {
    for (std::string_view rec : b.records) {
      ops->emplace_back();
      URD_RETURN_IF_ERROR(DecodeOp(rec, &ops->back()));
    }
    return Status::OK();
  };
}

FsyncPolicy LogPolicy(VectorFsync f) {
  switch (f) {
    case VectorFsync::kEveryCall: return FsyncPolicy::kEveryCommit;
    case VectorFsync::kOnFlush: return FsyncPolicy::kCallerDriven;
    case VectorFsync::kNever: return FsyncPolicy::kNever;
  }
  return FsyncPolicy::kEveryCommit;
}

namespace {

size_t ThreadCount(int configured) {
  if (configured > 0) return static_cast<size_t>(configured);
  return std::max(1u, std::thread::hardware_concurrency());
}

// Appends rows [first, end) of an open vectors file to *out, reading in chunks.
Status ReadRowsFrom(const RandomAccessFile& file, const std::string& path, size_t dim,
                    uint64_t first, uint64_t end, RowStore* out) {
  const size_t stride = RowStrideBytes(dim);
  const uint64_t chunk_rows = kBlockRows;
  std::vector<char> buf(std::min<uint64_t>(chunk_rows, end - first) * stride);
  for (uint64_t r = first; r < end; r += chunk_rows) {
    const uint64_t m = std::min(chunk_rows, end - r);
    size_t got = 0;
    URD_RETURN_IF_ERROR(file.Read(kVectorsHeaderSize + r * stride, m * stride, buf.data(), &got));
    if (got != m * stride) return Status::IOError(path + ": short read while loading rows");
    for (uint64_t i = 0; i < m; i++) {
      out->Append(reinterpret_cast<const float*>(buf.data() + i * stride));
    }
  }
  return Status::OK();
}

// The row count `ops` need after `have` rows; Corruption unless their UPSERT rows
// increase strictly from `have` on (what StoreState::Apply accepts).
Result<uint64_t> RowsNeeded(const std::vector<VectorOp>& ops, uint64_t have) {
  uint64_t need = have;
  for (const VectorOp& op : ops) {
    if (op.type != OpType::kUpsert) continue;
    if (op.row < need) {
      return Status::Corruption("record '" + op.id + "' references row " +
                                std::to_string(op.row) + ", which is already in use");
    }
    need = op.row + 1;
  }
  return need;
}

Status CheckOptions(const VectorOptions& o, size_t dim) {
  if (dim > kMaxDimension) {
    return Status::InvalidArgument("dimension " + std::to_string(dim) + " exceeds the maximum " +
                                   std::to_string(kMaxDimension));
  }
  if (o.auto_compact && !(*o.auto_compact >= 0 && *o.auto_compact <= 1)) {
    return Status::InvalidArgument("auto_compact threshold must be within [0, 1]");
  }
  if (o.max_id_bytes == 0) return Status::InvalidArgument("max_id_bytes must be positive");
  if (o.lock_wait.count() < 0) return Status::InvalidArgument("lock_wait must not be negative");
  return Status::OK();
}

}  // namespace

VectorStoreImpl::VectorStoreImpl(std::string dir, const VectorOptions& options, size_t dim)
    : dir_(std::move(dir)),
      options_(options),
      dim_(dim),
      env_(options.env ? options.env : Env::Default()),
      pool_(std::make_unique<ThreadPool>(ThreadCount(options.scan_threads) - 1)) {}

VectorStoreImpl::~VectorStoreImpl() {
  std::lock_guard<std::mutex> w(write_mu_);
  if (gen_.log) (void)gen_.log->Close();
  if (gen_.vectors) {
    if (options_.fsync == VectorFsync::kOnFlush && poisoned_.ok()) (void)gen_.vectors->Sync();
    (void)gen_.vectors->Close();
  }
}

Result<std::unique_ptr<VectorStore>> VectorStoreImpl::OpenMemory(size_t dim,
                                                                 const VectorOptions& options) {
  if (dim == 0) return Status::InvalidArgument("dimension must be positive");
  URD_RETURN_IF_ERROR(CheckOptions(options, dim));
  std::unique_ptr<VectorStoreImpl> s(new VectorStoreImpl("", options, dim));
  s->gen_.number = 1;
  s->gen_.rows = std::make_unique<RowStore>(dim, options.keep_int8, options.keep_f16);
  s->gen_.state = std::make_unique<StoreState>();
  return std::unique_ptr<VectorStore>(std::move(s));
}

Result<std::unique_ptr<VectorStore>> VectorStoreImpl::OpenFiles(const std::string& dir,
                                                                const VectorOptions& options) {
  if (dir.empty()) return Status::InvalidArgument("vector store directory is empty");
  Env* env = options.env ? options.env : Env::Default();
  const bool writable = !options.read_only;
  // Bad options are refused before anything is created (bad input changes nothing).
  URD_RETURN_IF_ERROR(CheckOptions(options, options.dimension));
  if (!env->FileExists(dir)) {
    if (!writable || !options.create_if_missing) {
      return Status::NotFound(dir + ": no such vector store directory");
    }
    if (options.dimension == 0) {
      return Status::InvalidArgument(dir + ": a dimension is required to create a vector store");
    }
    URD_RETURN_IF_ERROR(env->CreateDir(dir));
  }
  std::unique_ptr<WriterLock> lock;
  if (writable) {
    URD_ASSIGN_OR_RETURN(lock, AcquireLock(env, dir, options));
  }
  const std::string current_path = JoinPath(dir, CurrentFileName());
  CurrentInfo current;
  if (!env->FileExists(current_path)) {
    if (!writable) return Status::NotFound(dir + ": no vector store here (no CURRENT file)");
    if (!options.create_if_missing) return Status::NotFound(dir + ": no vector store here");
    if (options.dimension == 0) {
      return Status::InvalidArgument(dir + ": a dimension is required to create a vector store");
    }
    current = {1, static_cast<uint32_t>(options.dimension)};
  } else {
    URD_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, current_path));
    URD_ASSIGN_OR_RETURN(current, DecodeCurrent(text, current_path));
    if (options.dimension != 0 && options.dimension != current.dimension) {
      return Status::InvalidArgument(dir + ": dimension mismatch: the store has dimension " +
                                     std::to_string(current.dimension) + ", " +
                                     std::to_string(options.dimension) + " was requested");
    }
  }
  URD_RETURN_IF_ERROR(CheckOptions(options, current.dimension));
  std::unique_ptr<VectorStoreImpl> s(new VectorStoreImpl(dir, options, current.dimension));
  s->lock_ = std::move(lock);
  if (!env->FileExists(current_path)) URD_RETURN_IF_ERROR(s->CreateStore());
  if (writable) s->RemoveStaleFiles(current.generation);
  URD_RETURN_IF_ERROR(s->LoadGeneration(current.generation, writable, &s->gen_));
  const StoreState& st = *s->gen_.state;
  if (writable && options.auto_compact &&
      static_cast<double>(st.dead_rows()) /
              static_cast<double>(std::max<uint64_t>(st.rows_referenced(), 1)) >
          *options.auto_compact) {
    std::lock_guard<std::mutex> w(s->write_mu_);
    URD_RETURN_IF_ERROR(s->CompactLocked());
  }
  if (s->per_write()) {  // recovered; from now on each call takes the lock itself
    std::lock_guard<std::mutex> w(s->write_mu_);
    s->CloseWriteFiles();
    s->lock_.reset();  // releases
  }
  return std::unique_ptr<VectorStore>(std::move(s));
}

Result<std::unique_ptr<WriterLock>> VectorStoreImpl::AcquireLock(Env* env, const std::string& dir,
                                                                 const VectorOptions& options) {
  if (env != Env::Default()) return std::unique_ptr<WriterLock>();
  LockOptions lo;
  lo.owner = options.lock_owner;
  lo.wait = options.lock_wait;
  return WriterLock::Acquire(dir, lo);
}

Result<uint64_t> VectorStoreImpl::ReadCurrentGeneration() const {
  const std::string path = PathOf(CurrentFileName());
  URD_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env_, path));
  URD_ASSIGN_OR_RETURN(CurrentInfo current, DecodeCurrent(text, path));
  if (current.dimension != dim_) {
    return Status::Corruption(path + ": dimension changed to " +
                              std::to_string(current.dimension) + " under an open store");
  }
  return current.generation;
}

// Writes generation 1 (empty files), then CURRENT: the store exists from then on.
Status VectorStoreImpl::CreateStore() {
  const uint32_t d = static_cast<uint32_t>(dim_);
  URD_RETURN_IF_ERROR(WriteFileAtomic(env_, PathOf(VectorsFileName(1)), EncodeVectorsHeader(d, 1)));
  LogOptions lo;
  lo.kind = LogKind::kVector;
  std::string ops = PathOf(OpsFileName(1));
  if (env_->FileExists(ops)) URD_RETURN_IF_ERROR(env_->RemoveFile(ops));
  URD_ASSIGN_OR_RETURN(auto log, LogWriter::Open(env_, ops, lo, nullptr, nullptr));
  URD_RETURN_IF_ERROR(log->Close());
  return WriteFileAtomic(env_, PathOf(CurrentFileName()), EncodeCurrent({1, d}));
}

void VectorStoreImpl::RemoveStaleFiles(uint64_t live) {
  auto children = env_->GetChildren(dir_);
  if (!children.ok()) return;
  const std::string keep_v = VectorsFileName(live), keep_o = OpsFileName(live);
  bool removed = false;
  for (const std::string& name : *children) {
    bool ours = name.rfind("vectors.", 0) == 0 || name.rfind("ops.", 0) == 0 ||
                name == CurrentFileName() + ".tmp";
    if (!ours || name == keep_v || name == keep_o) continue;
    removed |= env_->RemoveFile(PathOf(name)).ok();
  }
  if (removed) (void)env_->SyncDir(dir_);
}

Status VectorStoreImpl::LoadRows(uint64_t number, RowStore* rows, uint64_t* rows_in_file) {
  const std::string path = PathOf(VectorsFileName(number));
  URD_ASSIGN_OR_RETURN(auto file, env_->NewRandomAccessFile(path));
  URD_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  char header[kVectorsHeaderSize];
  size_t got = 0;
  URD_RETURN_IF_ERROR(file->Read(0, sizeof(header), header, &got));
  URD_RETURN_IF_ERROR(CheckVectorsHeader(std::string_view(header, got),
                                         static_cast<uint32_t>(dim_), number, path));
  const size_t stride = RowStrideBytes(dim_);
  const uint64_t n = (size - kVectorsHeaderSize) / stride;
  if (options_.max_vector_bytes && n * dim_ * 4 > *options_.max_vector_bytes) {
    return Status::FailedPrecondition(path + ": " + std::to_string(n) + " rows of " +
                                      std::to_string(dim_ * 4) + " bytes exceed max_vector_bytes (" +
                                      std::to_string(*options_.max_vector_bytes) + ")");
  }
  URD_RETURN_IF_ERROR(ReadRowsFrom(*file, path, dim_, 0, n, rows));
  *rows_in_file = n;
  return Status::OK();
}

Status VectorStoreImpl::ReadRows(uint64_t number, uint64_t first, uint64_t end,
                                 RowStore* out) const {
  if (first == end) return Status::OK();
  const std::string path = PathOf(VectorsFileName(number));
  URD_ASSIGN_OR_RETURN(auto file, env_->NewRandomAccessFile(path));
  URD_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  const uint64_t in_file =
      size < kVectorsHeaderSize ? 0 : (size - kVectorsHeaderSize) / RowStrideBytes(dim_);
  if (in_file < end) {
    return Status::Corruption(path + ": a committed operation references row " +
                              std::to_string(end - 1) + " but the file holds " +
                              std::to_string(in_file) + " rows");
  }
  return ReadRowsFrom(*file, path, dim_, first, end, out);
}

Status VectorStoreImpl::ReplayLog(Generation* gen, uint64_t rows_in_file, bool writable,
                                  std::vector<std::pair<uint64_t, uint32_t>>* deferred) {
  RowStore* rows = gen->rows.get();
  StoreState* state = gen->state.get();
  const size_t dim = dim_;
  auto apply = [rows, state, rows_in_file, dim, deferred](const LogBatch& b) -> Status {
    VectorOp op;
    for (std::string_view rec : b.records) {
      Status s = DecodeOp(rec, &op);
      if (!s.ok()) return s.WithContext("batch " + std::to_string(b.sequence));
      URD_RETURN_IF_ERROR(state->Apply(op, rows_in_file));
      if (op.type != OpType::kUpsert) continue;
      if (deferred) {
        deferred->emplace_back(op.row, op.row_crc);
      } else if (const char* bad = RowProblem(rows->Row(op.row), dim, op.row_crc)) {
        return Status::Corruption("row " + std::to_string(op.row) + " (record '" + op.id +
                                  "') " + bad);
      }
    }
    return Status::OK();
  };
  const std::string path = PathOf(OpsFileName(gen->number));
  if (writable) {
    LogOptions lo;
    lo.kind = LogKind::kVector;
    lo.fsync = LogPolicy(options_.fsync);
    lo.salvage = options_.salvage;
    lo.create_if_missing = false;
    LogRecovery rec;
    URD_ASSIGN_OR_RETURN(gen->log, LogWriter::Open(env_, path, lo, apply, &rec));
    gen->truncated_log_bytes = rec.truncated_bytes;
    gen->log_end = gen->log->size();
    gen->log_sequence = gen->log->last_sequence();
    return Status::OK();
  }
  URD_ASSIGN_OR_RETURN(gen->reader, LogReader::Open(env_, path, LogKind::kVector));
  URD_ASSIGN_OR_RETURN(LogScan scan, gen->reader->Scan(kLogHeaderSize, 0, apply));
  if (scan.tail == LogTail::kCorrupt) {
    return Status::Corruption(path + ": " + scan.reason + " at offset " +
                              std::to_string(scan.bad_offset) + ", followed by later batches");
  }
  gen->log_end = scan.end;
  gen->log_sequence = scan.last_sequence;
  return Status::OK();
}

Status VectorStoreImpl::LoadGeneration(uint64_t number, bool writable, Generation* gen) {
  gen->number = number;
  gen->rows = std::make_unique<RowStore>(dim_, options_.keep_int8, options_.keep_f16);
  gen->state = std::make_unique<StoreState>();
  uint64_t rows_in_file = 0;
  if (!writable) {
    // A writer may be appending: read the rows before the log, so every batch the
    // log scan finds has its rows loaded (they are synced before the batch).
    URD_RETURN_IF_ERROR(LoadRows(number, gen->rows.get(), &rows_in_file));
    gen->state->ReserveRows(rows_in_file);
    URD_RETURN_IF_ERROR(ReplayLog(gen, rows_in_file, writable, nullptr));
  } else {
    // We hold the lock, so the files are still: load the rows on a second thread
    // while the log replays, then check the row checksums in parallel.
    const std::string vpath = PathOf(VectorsFileName(number));
    URD_ASSIGN_OR_RETURN(uint64_t vsize, env_->GetFileSize(vpath));
    const uint64_t expect = vsize < kVectorsHeaderSize
                                ? 0 : (vsize - kVectorsHeaderSize) / RowStrideBytes(dim_);
    Status loaded;
    std::thread loader([&] {
      try {
        loaded = LoadRows(number, gen->rows.get(), &rows_in_file);
      } catch (const std::bad_alloc&) {
        loaded = Status::IOError(vpath + ": out of memory while loading rows");
      }
    });
    std::vector<std::pair<uint64_t, uint32_t>> checks;
    gen->state->ReserveRows(expect);
    Status replayed;
    try {
      replayed = ReplayLog(gen, expect, writable, &checks);
    } catch (const std::bad_alloc&) {
      replayed = Status::IOError(vpath + ": out of memory while replaying");
    }
    loader.join();
    URD_RETURN_IF_ERROR(loaded);
    URD_RETURN_IF_ERROR(replayed);
    if (rows_in_file != expect) return Status::IOError(vpath + ": changed size during open");
    URD_RETURN_IF_ERROR(VerifyRows(*gen->rows, checks));
  }
  gen->rows->Truncate(gen->state->rows_referenced());  // orphans of uncommitted calls
  if (!writable) return Status::OK();
  return OpenVectorsForAppend(gen);
}

Status VectorStoreImpl::OpenVectorsForAppend(Generation* gen) {
  const std::string path = PathOf(VectorsFileName(gen->number));
  const uint64_t want = kVectorsHeaderSize + gen->rows->rows() * RowStrideBytes(dim_);
  URD_ASSIGN_OR_RETURN(uint64_t size, env_->GetFileSize(path));
  if (size > want) {
    URD_RETURN_IF_ERROR(env_->TruncateFile(path, want).WithContext("drop orphan rows"));
    gen->truncated_vector_bytes += size - want;
  }
  URD_ASSIGN_OR_RETURN(gen->vectors, env_->NewWritableFile(path, WriteMode::kAppend));
  if (gen->vectors->Size() != want) {
    return Status::Corruption(path + ": holds " + std::to_string(gen->vectors->Size()) +
                              " bytes, fewer than its committed rows need (" +
                              std::to_string(want) + ")");
  }
  return Status::OK();
}

Status VectorStoreImpl::VerifyRows(const RowStore& rows,
                                   const std::vector<std::pair<uint64_t, uint32_t>>& checks) const {
  const size_t parts = std::min<size_t>(pool_->workers() + 1, checks.size() / 4096 + 1);
  std::vector<int64_t> bad(parts, -1);
  std::vector<const char*> why(parts, nullptr);
  pool_->ParallelFor(parts, [&](size_t p) {
    const size_t begin = checks.size() * p / parts, end = checks.size() * (p + 1) / parts;
    for (size_t i = begin; i < end; i++) {
      if (const char* problem = RowProblem(rows.Row(checks[i].first), dim_, checks[i].second)) {
        bad[p] = static_cast<int64_t>(checks[i].first);
        why[p] = problem;
        return;
      }
    }
  });
  for (size_t p = 0; p < parts; p++) {
    if (bad[p] >= 0) return Status::Corruption("row " + std::to_string(bad[p]) + " " + why[p]);
  }
  return Status::OK();
}

Status VectorStoreImpl::Refresh() {
  if (in_memory() || (!options_.read_only && !per_write())) return Status::OK();
  std::lock_guard<std::mutex> w(write_mu_);
  try {
    Status s = CatchUp();
    if (s.ok()) return s;
    // A compaction may have removed the files we were reading: follow it.
    auto live = ReadCurrentGeneration();
    return live.ok() && *live != gen_.number ? CatchUp() : s;
  } catch (const std::bad_alloc&) {
    return Status::IOError(dir_ + ": out of memory while refreshing");
  }
}

Status VectorStoreImpl::SwitchGeneration(uint64_t number, bool writable) {
  Generation fresh;
  URD_RETURN_IF_ERROR(LoadGeneration(number, writable, &fresh));
  std::unique_lock<std::shared_mutex> lock(mu_);
  gen_ = std::move(fresh);
  return Status::OK();
}

// Follows a new generation, or reads the batches committed since gen_.log_end.
// Takes no lock and never writes: a torn or uncommitted tail is left alone.
Status VectorStoreImpl::CatchUp() {
  URD_ASSIGN_OR_RETURN(uint64_t live, ReadCurrentGeneration());
  if (live != gen_.number) return SwitchGeneration(live, false);
  const std::string path = PathOf(OpsFileName(gen_.number));
  if (!gen_.reader) {
    URD_ASSIGN_OR_RETURN(gen_.reader, LogReader::Open(env_, path, LogKind::kVector));
  }
  std::vector<VectorOp> ops;
  URD_ASSIGN_OR_RETURN(LogScan scan,
                       gen_.reader->Scan(gen_.log_end, gen_.log_sequence, DecodeInto(&ops)));
  if (scan.tail == LogTail::kCorrupt) {
    return Status::Corruption(path + ": " + scan.reason + " at offset " +
                              std::to_string(scan.bad_offset));
  }
  // Rows are durable before the log batch that references them, so reading the
  // vectors file after the log finds every row the new batches need. Rows past
  // those are orphans of a call in flight (or killed): a writer may still truncate
  // and rewrite them, so they are never read.
  return ApplyCommitted(ops, scan.end, scan.last_sequence);
}

Status VectorStoreImpl::ApplyCommitted(const std::vector<VectorOp>& ops, uint64_t end,
                                       uint64_t sequence) {
  const uint64_t have = gen_.rows->rows();
  URD_ASSIGN_OR_RETURN(uint64_t need, RowsNeeded(ops, have));
  RowStore extra(dim_, false, false);
  URD_RETURN_IF_ERROR(ReadRows(gen_.number, have, need, &extra));
  for (const VectorOp& op : ops) {
    if (op.type != OpType::kUpsert) continue;
    if (const char* bad = RowProblem(extra.Row(op.row - have), dim_, op.row_crc)) {
      return Status::Corruption("row " + std::to_string(op.row) + " (record '" + op.id + "') " +
                                bad);
    }
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (uint64_t r = 0; r < extra.rows(); r++) gen_.rows->Append(extra.Row(r));
  for (const VectorOp& op : ops) {
    Status s = gen_.state->Apply(op, gen_.rows->rows());
    if (!s.ok()) {  // cannot happen: RowsNeeded checked what Apply checks
      poisoned_ = Status::FailedPrecondition("vector store: internal error: " + s.ToString());
      return poisoned_;
    }
  }
  gen_.log_end = end;
  gen_.log_sequence = sequence;
  return Status::OK();
}

}  // namespace vec
}  // namespace urd
