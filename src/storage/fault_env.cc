// Copyright urd authors.

#include "storage/fault_env.h"

#include <algorithm>
#include <utility>

namespace urd {
namespace {

// SplitMix64: a tiny generator whose output is the same on every platform, so a
// seed reproduces the same simulated power loss everywhere.
uint64_t NextRandom(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A number in [0, n). REQUIRES: n > 0.
uint64_t Uniform(uint64_t* state, uint64_t n) { return NextRandom(state) % n; }

size_t Index(FaultOp op) { return static_cast<size_t>(op); }

Status ClosedError(std::string_view op, const std::string& path) {
  std::string msg(op);
  msg += ' ';
  msg += path;
  msg += ": file is closed";
  return Status::FailedPrecondition(msg);
}

}  // namespace

class FaultInjectionEnv::FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base,
                    std::shared_ptr<Tracked> tracked)
      : env_(env), path_(std::move(path)), base_(std::move(base)), tracked_(std::move(tracked)) {}

  Status Append(std::string_view data) override {
    if (closed_) return ClosedError("write", path_);
    size_t partial = 0;
    Status fault = env_->Check(FaultOp::kWrite, &partial);
    if (!fault.ok()) {
      if (partial > 0) {
        static_cast<void>(base_->Append(data.substr(0, std::min(partial, data.size()))));
      }
      return fault;
    }
    return base_->Append(data);
  }

  Status Sync() override {
    if (closed_) return ClosedError("fdatasync", path_);
    URD_RETURN_IF_ERROR(env_->Check(FaultOp::kSync));
    URD_RETURN_IF_ERROR(base_->Sync());
    env_->SetSynced(tracked_.get(), base_->Size());
    return Status::OK();
  }

  Status Truncate(uint64_t size) override {
    if (closed_) return ClosedError("ftruncate", path_);
    URD_RETURN_IF_ERROR(env_->Check(FaultOp::kTruncate));
    URD_RETURN_IF_ERROR(base_->Truncate(size));
    env_->LowerSynced(tracked_.get(), size);
    return Status::OK();
  }

  Status Close() override {
    if (closed_) return Status::OK();
    closed_ = true;
    return base_->Close();
  }

  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultInjectionEnv* const env_;
  const std::string path_;
  const std::unique_ptr<WritableFile> base_;
  const std::shared_ptr<Tracked> tracked_;
  bool closed_ = false;
};

class FaultInjectionEnv::FaultRandomAccessFile final : public RandomAccessFile {
 public:
  FaultRandomAccessFile(FaultInjectionEnv* env, std::unique_ptr<RandomAccessFile> base)
      : env_(env), base_(std::move(base)) {}

  Status Read(uint64_t offset, size_t n, char* scratch, size_t* bytes_read) const override {
    bool short_read = false;
    Status fault = env_->Check(FaultOp::kRead, nullptr, &short_read);
    if (fault.ok()) return base_->Read(offset, n, scratch, bytes_read);
    *bytes_read = 0;
    if (!short_read) return fault;
    URD_RETURN_IF_ERROR(base_->Read(offset, n, scratch, bytes_read));
    *bytes_read /= 2;
    return Status::OK();
  }

  Result<uint64_t> Size() const override { return base_->Size(); }

 private:
  FaultInjectionEnv* const env_;
  const std::unique_ptr<RandomAccessFile> base_;
};

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base) {}

FaultInjectionEnv::~FaultInjectionEnv() = default;

// ---- Failure injection.

void FaultInjectionEnv::FailNth(FaultOp op, int n, Status error) {
  if (error.ok()) error = Status::IOError("injected fault");
  std::lock_guard<std::mutex> lock(mu_);
  faults_[Index(op)] = Fault{true, false, std::max(n, 1), std::move(error)};
}

void FaultInjectionEnv::FailFrom(FaultOp op, int n, Status error) {
  if (error.ok()) error = Status::IOError("injected fault");
  std::lock_guard<std::mutex> lock(mu_);
  faults_[Index(op)] = Fault{true, true, std::max(n, 1), std::move(error)};
}

Status FaultInjectionEnv::DiskFullError() {
  return Status::IOError("no space left on device (injected)");
}

void FaultInjectionEnv::SetPartialWriteBytes(size_t k) {
  std::lock_guard<std::mutex> lock(mu_);
  partial_write_bytes_ = k;
}

void FaultInjectionEnv::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.fill(Fault{});
  partial_write_bytes_ = 0;
  short_reads_ = false;
}

int FaultInjectionEnv::Calls(FaultOp op) const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_[Index(op)];
}

void FaultInjectionEnv::ResetCounts() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.fill(0);
}

void FaultInjectionEnv::SetShortReads(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  short_reads_ = on;
}

Status FaultInjectionEnv::Check(FaultOp op, size_t* partial_bytes, bool* short_read) {
  std::lock_guard<std::mutex> lock(mu_);
  ++calls_[Index(op)];
  Fault& fault = faults_[Index(op)];
  if (!fault.armed) return Status::OK();
  if (fault.calls_left > 1) {
    --fault.calls_left;
    return Status::OK();
  }
  Status error = fault.error;
  if (!fault.sticky) fault = Fault{};
  if (partial_bytes != nullptr) *partial_bytes = partial_write_bytes_;
  if (short_read != nullptr) *short_read = short_reads_;
  return error;
}

// ---- Durability tracking.

std::shared_ptr<FaultInjectionEnv::Tracked> FaultInjectionEnv::TrackOpened(
    const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Tracked>& tracked = tracked_[path];
  if (tracked == nullptr) {
    tracked = std::make_shared<Tracked>(Tracked{size});
  } else {
    tracked->synced_size = std::min(tracked->synced_size, size);
  }
  return tracked;
}

void FaultInjectionEnv::SetSynced(Tracked* tracked, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  tracked->synced_size = size;
}

void FaultInjectionEnv::LowerSynced(Tracked* tracked, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  tracked->synced_size = std::min(tracked->synced_size, size);
}

std::optional<uint64_t> FaultInjectionEnv::SyncedSize(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tracked_.find(path);
  if (it == tracked_.end()) return std::nullopt;
  return it->second->synced_size;
}

Status FaultInjectionEnv::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mu_);
  Status first;
  for (const auto& [path, tracked] : tracked_) {
    Status status = DropFileLocked(path, tracked.get(), nullptr);
    if (first.ok()) first = std::move(status);
  }
  return first;
}

Status FaultInjectionEnv::DropUnsyncedDataKeepingPrefix(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t rng_state = seed;
  Status first;
  for (const auto& [path, tracked] : tracked_) {  // in path order: deterministic
    Status status = DropFileLocked(path, tracked.get(), &rng_state);
    if (first.ok()) first = std::move(status);
  }
  return first;
}

// Without a generator, keeps no unsynced byte.
Status FaultInjectionEnv::DropFileLocked(const std::string& path, Tracked* tracked,
                                         uint64_t* rng_state) {
  Result<uint64_t> size = base_->GetFileSize(path);
  if (!size.ok()) {
    if (size.status().IsNotFound()) return Status::OK();  // removed behind our back
    return size.status().WithContext("drop unsynced data");
  }
  const uint64_t synced = std::min(tracked->synced_size, *size);
  tracked->synced_size = synced;
  if (*size == synced) return Status::OK();
  const uint64_t keep = rng_state == nullptr ? 0 : Uniform(rng_state, *size - synced + 1);
  Status status = keep == 0 ? base_->TruncateFile(path, synced)
                            : KeepPrefixLocked(path, synced, keep, rng_state);
  if (!status.ok()) return status.WithContext("drop unsynced data of " + path);
  tracked->synced_size = synced + keep;
  return Status::OK();
}

// Cuts the file at synced + keep; half the time also zeroes a random non-empty
// range of the kept bytes [synced, synced + keep). REQUIRES: keep > 0.
Status FaultInjectionEnv::KeepPrefixLocked(const std::string& path, uint64_t synced,
                                           uint64_t keep, uint64_t* rng_state) {
  if (NextRandom(rng_state) % 2 == 0) return base_->TruncateFile(path, synced + keep);
  std::string kept(static_cast<size_t>(keep), '\0');
  {
    URD_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> in, base_->NewRandomAccessFile(path));
    size_t got = 0;
    URD_RETURN_IF_ERROR(in->Read(synced, kept.size(), kept.data(), &got));
    kept.resize(got);
  }
  if (kept.empty()) return base_->TruncateFile(path, synced);
  const size_t offset = static_cast<size_t>(Uniform(rng_state, kept.size()));
  const size_t length = 1 + static_cast<size_t>(Uniform(rng_state, kept.size() - offset));
  std::fill_n(kept.begin() + static_cast<std::ptrdiff_t>(offset), length, '\0');
  URD_RETURN_IF_ERROR(base_->TruncateFile(path, synced));
  URD_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out,
                       base_->NewWritableFile(path, WriteMode::kAppend));
  URD_RETURN_IF_ERROR(out->Append(kept));
  URD_RETURN_IF_ERROR(out->Sync());
  return out->Close();
}

// ---- Env.

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& path,
                                                                         WriteMode mode) {
  URD_RETURN_IF_ERROR(Check(FaultOp::kOpen));
  URD_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, base_->NewWritableFile(path, mode));
  std::shared_ptr<Tracked> tracked = TrackOpened(path, file->Size());
  return std::unique_ptr<WritableFile>(
      std::make_unique<FaultWritableFile>(this, path, std::move(file), std::move(tracked)));
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionEnv::NewRandomAccessFile(
    const std::string& path) {
  URD_RETURN_IF_ERROR(Check(FaultOp::kOpen));
  URD_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, base_->NewRandomAccessFile(path));
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<FaultRandomAccessFile>(this, std::move(file)));
}

bool FaultInjectionEnv::FileExists(const std::string& path) { return base_->FileExists(path); }

Result<uint64_t> FaultInjectionEnv::GetFileSize(const std::string& path) {
  return base_->GetFileSize(path);
}

Result<std::vector<std::string>> FaultInjectionEnv::GetChildren(const std::string& dir) {
  return base_->GetChildren(dir);
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  URD_RETURN_IF_ERROR(Check(FaultOp::kRemove));
  URD_RETURN_IF_ERROR(base_->RemoveFile(path));
  std::lock_guard<std::mutex> lock(mu_);
  tracked_.erase(path);
  return Status::OK();
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  URD_RETURN_IF_ERROR(Check(FaultOp::kRename));
  URD_RETURN_IF_ERROR(base_->RenameFile(from, to));
  std::lock_guard<std::mutex> lock(mu_);
  auto node = tracked_.extract(from);
  tracked_.erase(to);  // the old `to` is gone
  if (!node.empty()) {
    node.key() = to;
    tracked_.insert(std::move(node));
  }
  return Status::OK();
}

Status FaultInjectionEnv::CreateDir(const std::string& dir) { return base_->CreateDir(dir); }

Status FaultInjectionEnv::RemoveDir(const std::string& dir) { return base_->RemoveDir(dir); }

Status FaultInjectionEnv::TruncateFile(const std::string& path, uint64_t size) {
  URD_RETURN_IF_ERROR(Check(FaultOp::kTruncate));
  URD_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tracked_.find(path);
  if (it != tracked_.end()) it->second->synced_size = size;
  return Status::OK();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  URD_RETURN_IF_ERROR(Check(FaultOp::kSyncDir));
  return base_->SyncDir(dir);
}

}  // namespace urd
