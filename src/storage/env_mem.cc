// Copyright urd authors. NewMemEnv(): an in-memory file system for tests.
//
// Model: a map from normalised path to shared file contents, plus a set of
// directories. "/" and "." always exist. Paths are normalised before lookup
// ("a//b/" and "./a/b" name "a/b"; ".." is not resolved). Handles share the
// file's contents with the map, so a reader sees later appends and a file
// removed or renamed away stays readable through handles already open, as an
// unlinked inode does on POSIX.
//
// Locking: MemEnv::mu_ guards the namespace (files_, dirs_); MemFile::mu guards
// one file's bytes. The order is MemEnv::mu_ before MemFile::mu; handles take
// only MemFile::mu.

#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "urd/env.h"

namespace urd {
namespace {

struct MemFile {
  mutable std::mutex mu;
  std::string data;  // guarded by mu
};

// "<op> <path>: <strerror>"; NotFound for ENOENT, IOError otherwise, as PosixEnv.
Status MemError(std::string_view op, const std::string& path, int err) {
  std::string context(op);
  context += ' ';
  context += path;
  Status status = Status::FromErrno(context, err);
  if (err == ENOENT) return Status::NotFound(status.message());
  return status;
}

Status ClosedError(std::string_view op, const std::string& path) {
  std::string msg(op);
  msg += ' ';
  msg += path;
  msg += ": file is closed";
  return Status::FailedPrecondition(msg);
}

// Drops empty and "." components and trailing slashes: "/" and "." are the roots.
std::string Normalize(std::string_view path) {
  const bool absolute = !path.empty() && path.front() == '/';
  std::string out;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (!out.empty() || absolute) out += '/';
    out += part;
  }
  if (out.empty()) return absolute ? "/" : ".";
  return out;
}

std::string BaseName(const std::string& normalized) {
  const size_t slash = normalized.rfind('/');
  return slash == std::string::npos ? normalized : normalized.substr(slash + 1);
}

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(std::string path, std::shared_ptr<MemFile> file)
      : path_(std::move(path)), file_(std::move(file)) {}

  Status Append(std::string_view data) override {
    if (closed_) return ClosedError("write", path_);
    std::lock_guard<std::mutex> lock(file_->mu);
    file_->data.append(data);
    return Status::OK();
  }

  Status Sync() override {
    if (closed_) return ClosedError("fdatasync", path_);
    return Status::OK();
  }

  Status Truncate(uint64_t size) override {
    if (closed_) return ClosedError("ftruncate", path_);
    std::lock_guard<std::mutex> lock(file_->mu);
    file_->data.resize(size, '\0');
    return Status::OK();
  }

  Status Close() override {
    closed_ = true;
    return Status::OK();
  }

  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(file_->mu);
    return file_->data.size();
  }

 private:
  const std::string path_;
  const std::shared_ptr<MemFile> file_;
  bool closed_ = false;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::shared_ptr<MemFile> file) : file_(std::move(file)) {}

  Status Read(uint64_t offset, size_t n, char* scratch, size_t* bytes_read) const override {
    std::lock_guard<std::mutex> lock(file_->mu);
    const std::string& data = file_->data;
    *bytes_read = 0;
    if (offset >= data.size()) return Status::OK();
    *bytes_read = data.copy(scratch, n, static_cast<size_t>(offset));
    return Status::OK();
  }

  Result<uint64_t> Size() const override {
    std::lock_guard<std::mutex> lock(file_->mu);
    return static_cast<uint64_t>(file_->data.size());
  }

 private:
  const std::shared_ptr<MemFile> file_;
};

class MemEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        WriteMode mode) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string p = Normalize(path);
    if (IsDir(p)) return MemError("open", path, EISDIR);
    URD_RETURN_IF_ERROR(CheckParent("open", path, p));
    std::shared_ptr<MemFile>& file = files_[p];
    if (file == nullptr) {
      file = std::make_shared<MemFile>();
    } else if (mode == WriteMode::kCreateNew) {
      return Status::InvalidArgument("create " + path + ": file already exists");
    } else if (mode == WriteMode::kTruncate) {
      std::lock_guard<std::mutex> file_lock(file->mu);
      file->data.clear();
    }
    return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(path, file));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string p = Normalize(path);
    auto it = files_.find(p);
    if (it == files_.end()) return MemError("open", path, IsDir(p) ? EISDIR : ENOENT);
    return std::unique_ptr<RandomAccessFile>(std::make_unique<MemRandomAccessFile>(it->second));
  }

  bool FileExists(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string p = Normalize(path);
    return files_.count(p) != 0 || IsDir(p);
  }

  Result<uint64_t> GetFileSize(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string p = Normalize(path);
    auto it = files_.find(p);
    if (it == files_.end()) {
      if (IsDir(p)) return uint64_t{0};
      return MemError("stat", path, ENOENT);
    }
    std::lock_guard<std::mutex> file_lock(it->second->mu);
    return static_cast<uint64_t>(it->second->data.size());
  }

  Result<std::vector<std::string>> GetChildren(const std::string& dir) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string d = Normalize(dir);
    if (!IsDir(d)) return MemError("opendir", dir, files_.count(d) ? ENOTDIR : ENOENT);
    std::set<std::string> names;  // sorted, as files and directories interleave
    for (const auto& [path, file] : files_) {
      if (DirName(path) == d) names.insert(BaseName(path));
    }
    for (const std::string& path : dirs_) {
      if (path != d && DirName(path) == d) names.insert(BaseName(path));
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

  Status RemoveFile(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string p = Normalize(path);
    if (files_.erase(p) == 0) return MemError("unlink", path, IsDir(p) ? EISDIR : ENOENT);
    return Status::OK();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string f = Normalize(from);
    const std::string t = Normalize(to);
    const std::string what = from + " to " + to;
    auto it = files_.find(f);
    if (it == files_.end()) {
      if (IsDir(f)) return Status::NotSupported("rename " + what + ": MemEnv renames files only");
      return MemError("rename", what, ENOENT);
    }
    if (IsDir(t)) return MemError("rename", what, EISDIR);
    URD_RETURN_IF_ERROR(CheckParent("rename", what, t));
    if (f == t) return Status::OK();
    std::shared_ptr<MemFile> file = std::move(it->second);
    files_.erase(it);
    files_[t] = std::move(file);
    return Status::OK();
  }

  Status CreateDir(const std::string& dir) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string d = Normalize(dir);
    if (IsDir(d)) return Status::OK();
    if (files_.count(d) != 0) return MemError("mkdir", dir, EEXIST);
    URD_RETURN_IF_ERROR(CheckParent("mkdir", dir, d));
    dirs_.insert(d);
    return Status::OK();
  }

  Status RemoveDir(const std::string& dir) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string d = Normalize(dir);
    if (d == "/" || d == ".") return MemError("rmdir", dir, EBUSY);
    if (dirs_.count(d) == 0) return MemError("rmdir", dir, files_.count(d) ? ENOTDIR : ENOENT);
    if (HasChildren(d)) return MemError("rmdir", dir, ENOTEMPTY);
    dirs_.erase(d);
    return Status::OK();
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string p = Normalize(path);
    auto it = files_.find(p);
    if (it == files_.end()) return MemError("open", path, IsDir(p) ? EISDIR : ENOENT);
    std::lock_guard<std::mutex> file_lock(it->second->mu);
    it->second->data.resize(size, '\0');
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string d = Normalize(dir);
    if (!IsDir(d)) return MemError("open directory", dir, files_.count(d) ? ENOTDIR : ENOENT);
    return Status::OK();
  }

 private:
  // REQUIRES: mu_ held (for this and the helpers below).
  bool IsDir(const std::string& normalized) const {
    return normalized == "/" || normalized == "." || dirs_.count(normalized) != 0;
  }

  // NotFound unless the parent directory of `normalized` exists.
  Status CheckParent(std::string_view op, const std::string& path,
                     const std::string& normalized) const {
    const std::string parent = DirName(normalized);
    if (IsDir(parent)) return Status::OK();
    return MemError(op, path, files_.count(parent) ? ENOTDIR : ENOENT);
  }

  bool HasChildren(const std::string& dir) const {
    for (const auto& [path, file] : files_) {
      if (DirName(path) == dir) return true;
    }
    for (const std::string& path : dirs_) {
      if (path != dir && DirName(path) == dir) return true;
    }
    return false;
  }

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<MemFile>> files_;  // guarded by mu_
  std::set<std::string> dirs_;  // guarded by mu_; never holds "/" or "."
};

}  // namespace

std::unique_ptr<Env> NewMemEnv() { return std::make_unique<MemEnv>(); }

}  // namespace urd
