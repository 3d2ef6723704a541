// Copyright urd authors. Env::Default(): the POSIX file system.
//
// Every descriptor is opened with O_CLOEXEC. Writable files are opened O_APPEND,
// so every write lands at the current end of file, including right after a
// Truncate(). System calls interrupted by a signal (EINTR) are retried; every
// other failure becomes a Status naming the operation and the path, with ENOENT
// mapped to NotFound.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "urd/env.h"

namespace urd {
namespace {

// "<op> <path>: <strerror>"; NotFound for ENOENT, IOError otherwise.
Status PosixError(std::string_view op, const std::string& path, int err) {
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

// Calls `fn` until it does not fail with EINTR; returns its last result.
template <typename Fn>
auto RetryOnEintr(Fn fn) {
  for (;;) {
    auto result = fn();
    if (result != -1 || errno != EINTR) return result;
  }
}

// Closes a descriptor when it goes out of scope, unless released.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;

  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Closes `fd`; EINTR still closes the descriptor on Linux, so it is not an error.
Status CloseFd(int fd, const std::string& path) {
  if (::close(fd) != 0 && errno != EINTR) return PosixError("close", path, errno);
  return Status::OK();
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  Status Append(std::string_view data) override {
    if (fd_ < 0) return ClosedError("write", path_);
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("write", path_, errno);
      }
      if (n == 0) return Status::IOError("write " + path_ + ": wrote no bytes");
      size_ += static_cast<uint64_t>(n);
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }

  Status Sync() override {
    if (fd_ < 0) return ClosedError("fdatasync", path_);
    if (RetryOnEintr([&] { return ::fdatasync(fd_); }) != 0) {
      return PosixError("fdatasync", path_, errno);
    }
    return Status::OK();
  }

  Status Truncate(uint64_t size) override {
    if (fd_ < 0) return ClosedError("ftruncate", path_);
    if (RetryOnEintr([&] { return ::ftruncate(fd_, static_cast<off_t>(size)); }) != 0) {
      return PosixError("ftruncate", path_, errno);
    }
    size_ = size;
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    return CloseFd(std::exchange(fd_, -1), path_);
  }

  uint64_t Size() const override { return size_; }

 private:
  const std::string path_;
  int fd_;  // -1 once closed
  uint64_t size_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  PosixRandomAccessFile(const PosixRandomAccessFile&) = delete;
  PosixRandomAccessFile& operator=(const PosixRandomAccessFile&) = delete;

  Status Read(uint64_t offset, size_t n, char* scratch, size_t* bytes_read) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t got = RetryOnEintr([&] {
        return ::pread(fd_, scratch + done, n - done, static_cast<off_t>(offset + done));
      });
      if (got < 0) {
        *bytes_read = done;
        return PosixError("pread", path_, errno);
      }
      if (got == 0) break;  // end of file
      done += static_cast<size_t>(got);
    }
    *bytes_read = done;
    return Status::OK();
  }

  Result<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return PosixError("fstat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  const std::string path_;
  const int fd_;
};

int OpenFlags(WriteMode mode) {
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
  switch (mode) {
    case WriteMode::kTruncate: return flags | O_TRUNC;
    case WriteMode::kAppend: return flags;
    case WriteMode::kCreateNew: return flags | O_EXCL;
  }
  return flags;
}

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        WriteMode mode) override {
    ScopedFd fd(RetryOnEintr([&] { return ::open(path.c_str(), OpenFlags(mode), 0644); }));
    if (fd.get() < 0) {
      if (errno == EEXIST && mode == WriteMode::kCreateNew) {
        return Status::InvalidArgument("create " + path + ": file already exists");
      }
      return PosixError("open", path, errno);
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return PosixError("fstat", path, errno);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(
        path, fd.release(), static_cast<uint64_t>(st.st_size)));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    int fd = RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return PosixError("open", path, errno);
    return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixRandomAccessFile>(path, fd));
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Result<uint64_t> GetFileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return PosixError("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::vector<std::string>> GetChildren(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError("opendir", dir, errno);
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      const struct dirent* entry = ::readdir(d);
      if (entry == nullptr) break;
      std::string_view name(entry->d_name);
      if (name != "." && name != "..") names.emplace_back(name);
    }
    const int read_errno = errno;
    ::closedir(d);
    if (read_errno != 0) return PosixError("readdir", dir, read_errno);
    std::sort(names.begin(), names.end());
    return names;
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError("unlink", path, errno);
    return Status::OK();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return PosixError("rename", from + " to " + to, errno);
    }
    return Status::OK();
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return Status::OK();
    const int err = errno;
    struct stat st;
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return Status::OK();
    }
    return PosixError("mkdir", dir, err);
  }

  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return PosixError("rmdir", dir, errno);
    return Status::OK();
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    ScopedFd fd(RetryOnEintr([&] { return ::open(path.c_str(), O_WRONLY | O_CLOEXEC); }));
    if (fd.get() < 0) return PosixError("open", path, errno);
    if (RetryOnEintr([&] { return ::ftruncate(fd.get(), static_cast<off_t>(size)); }) != 0) {
      return PosixError("ftruncate", path, errno);
    }
    if (RetryOnEintr([&] { return ::fsync(fd.get()); }) != 0) {
      return PosixError("fsync", path, errno);
    }
    return CloseFd(fd.release(), path);
  }

  Status SyncDir(const std::string& dir) override {
    ScopedFd fd(RetryOnEintr(
        [&] { return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); }));
    if (fd.get() < 0) return PosixError("open directory", dir, errno);
    if (RetryOnEintr([&] { return ::fsync(fd.get()); }) != 0) {
      return PosixError("fsync directory", dir, errno);
    }
    return CloseFd(fd.release(), dir);
  }
};

}  // namespace

Env* Env::Default() {
  static Env* const env = new PosixEnv();
  return env;
}

}  // namespace urd
