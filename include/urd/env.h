// Copyright urd authors. Env: every file-system operation urd performs.
//
// All of urd's file I/O goes through an Env, so tests can run the same code over
// an in-memory file system (NewMemEnv) or one that injects failures and simulates
// power loss (storage/fault_env.h).
//
// Thread-safety: an Env is safe for concurrent use from many threads. A file handle
// (WritableFile, RandomAccessFile) is safe for concurrent const calls; non-const
// calls need external synchronisation.
//
// Paths are plain strings with '/' separators. Errors name the path and the
// operation; OS errors carry strerror text.

#ifndef URD_ENV_H_
#define URD_ENV_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "urd/result.h"
#include "urd/status.h"

namespace urd {

// An open file that is written at its end only.
class WritableFile {
 public:
  virtual ~WritableFile() = default;

  // Appends `data` at the end. On error some prefix of `data` may have reached the
  // file; callers that need all-or-nothing truncate back (see Truncate).
  virtual Status Append(std::string_view data) = 0;

  // Makes everything appended so far durable (fdatasync). A failure means some
  // appended bytes may be lost on power failure; callers must treat the handle
  // as poisoned (no later write may be acknowledged).
  virtual Status Sync() = 0;

  // Shrinks (or extends with zeros) the file to `size` bytes; the next Append
  // writes at `size`. Not durable until Sync().
  virtual Status Truncate(uint64_t size) = 0;

  // Closes the handle. Does not sync. Later Append, Sync and Truncate calls fail
  // with FailedPrecondition; Size() keeps returning the last size. Idempotent.
  virtual Status Close() = 0;

  // The file's size as seen through this handle (bytes appended included).
  virtual uint64_t Size() const = 0;
};

// An open file read at arbitrary offsets.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;

  // Reads up to `n` bytes at `offset` into `scratch` (REQUIRES: room for n bytes)
  // and stores the number of bytes read in *bytes_read. Fewer than n bytes are read
  // only at end of file; that is not an error.
  virtual Status Read(uint64_t offset, size_t n, char* scratch, size_t* bytes_read) const = 0;

  // The file's current size in bytes.
  virtual Result<uint64_t> Size() const = 0;
};

enum class WriteMode {
  kTruncate,   // create the file, or empty an existing one
  kAppend,     // create the file if missing; writes go to its end
  kCreateNew,  // create the file; fail with InvalidArgument if it exists
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never deleted; safe to use from any thread.
  static Env* Default();

  // Opens `path` for appending. NotFound when the parent directory is missing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                WriteMode mode) = 0;

  // Opens an existing file for reading. NotFound when it does not exist.
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;

  // NotFound when the file does not exist.
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;

  // Names (not paths) of the entries of `dir`, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> GetChildren(const std::string& dir) = 0;

  // NotFound when the file does not exist.
  virtual Status RemoveFile(const std::string& path) = 0;

  // Atomically replaces `to` with `from` (rename(2)). Durable once the parent
  // directory is synced (SyncDir).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;

  // Creates `dir`; OK when it already exists as a directory. Parents must exist.
  virtual Status CreateDir(const std::string& dir) = 0;

  // Removes an empty directory.
  virtual Status RemoveDir(const std::string& dir) = 0;

  // Sets the size of the closed file `path` to `size` and syncs it.
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;

  // Makes the directory's entries (creations, renames, removals) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
};

// A new, empty in-memory Env. Directories are tracked; nothing touches the disk.
std::unique_ptr<Env> NewMemEnv();

// Reads the whole file into a string.
Result<std::string> ReadFileToString(Env* env, const std::string& path);

// Replaces `path` with `data` atomically and durably: writes `<path>.tmp`, syncs it,
// renames it over `path`, syncs the parent directory. On any failure before the
// rename completes, `path` keeps its old contents (or stays absent) and the
// temporary file is removed when possible. If only the final directory sync fails,
// `path` already holds the new contents but the replacement may not survive a power
// failure; the error is still returned. Errors name the failed step and `path`.
// Any existing `<path>.tmp` is overwritten.
Status WriteFileAtomic(Env* env, const std::string& path, std::string_view data);

// The directory part of `path` ("." when there is none): "a/b" -> "a", "/a" -> "/",
// "a" -> ".", "a/b/" -> "a". Repeated slashes count as one.
std::string DirName(const std::string& path);

// Joins `dir` and `name` with one '/' ("a/" + "b" -> "a/b"). Returns `name` when
// `dir` is empty.
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace urd

#endif  // URD_ENV_H_
