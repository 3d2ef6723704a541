// Copyright urd authors. FaultInjectionEnv: an Env that fails chosen calls and
// simulates power loss, for tests and crash tools.
//
// It wraps a base Env (not owned; it must outlive this object) and forwards every
// call to it, except that:
//   * a call of a chosen kind can be made to fail (FailNth, FailFrom) without
//     being performed, optionally after writing a torn prefix (SetPartialWriteBytes);
//     a read can instead come back short, without an error (SetShortReads);
//   * it remembers, per file written through it, how many bytes were durable at
//     the last successful Sync, and can throw the rest away (DropUnsyncedData).
//
// Thread-safety: safe for concurrent use from many threads, like any Env. Handles
// follow the Env contract. Every handle returned must be destroyed before this
// object is.
//
// What the power-loss simulation models, and what it does not
//   Modelled: file *contents*. A file written through this env loses every byte
//   past its synced size (DropUnsyncedData), or keeps a random prefix of those
//   bytes with some of them zeroed (DropUnsyncedDataKeepingPrefix), as a disk
//   that wrote some sectors, or wrote them garbled, before the power went.
//   Synced size: WritableFile::Sync() sets it to the handle's Size();
//   Env::TruncateFile() (which syncs) sets it to the new size; a
//   WritableFile::Truncate() below it lowers it (the shrink is treated as durable
//   at once). A file first opened for writing through this env starts with its
//   size right after the open (0 for a new or truncated file, the existing size
//   for kAppend); reopening a tracked file keeps its synced size, lowered to the
//   size after the open.
//   NOT modelled:
//   * Directory entries are never rolled back. A file created, renamed or
//     removed through this env stays created, renamed or removed after
//     DropUnsyncedData, whether or not SyncDir was called. A rename moves the
//     tracked state to the new name; a removal forgets it.
//   * kTruncate opens: the old contents of a truncated file do not come back.
//   * Files not opened for writing through this env (files written through the
//     base env directly, files only read) are left untouched.
//   * Synced bytes are never damaged; writes are not reordered within a file.
//   * Paths are compared as strings: use one spelling per file.
//   DropUnsynced* rewrite files through the base env; call them when no handle is
//   in use any more (as after a crash). A handle still open afterwards may report
//   a stale Size().

#ifndef URD_STORAGE_FAULT_ENV_H_
#define URD_STORAGE_FAULT_ENV_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "urd/env.h"

namespace urd {

// The kinds of call that can be made to fail.
enum class FaultOp {
  kOpen,      // Env::NewWritableFile, Env::NewRandomAccessFile
  kWrite,     // WritableFile::Append
  kSync,      // WritableFile::Sync
  kRename,    // Env::RenameFile
  kTruncate,  // WritableFile::Truncate, Env::TruncateFile
  kSyncDir,   // Env::SyncDir
  kRead,      // RandomAccessFile::Read
  kRemove,    // Env::RemoveFile
};
inline constexpr int kNumFaultOps = 8;

// Other calls (FileExists, GetFileSize, GetChildren, CreateDir, RemoveDir,
// WritableFile::Close and Size, RandomAccessFile::Size) are forwarded as they are.
// Calls on a closed WritableFile fail with FailedPrecondition and are not counted.
class FaultInjectionEnv final : public Env {
 public:
  // REQUIRES: `base` outlives this object.
  explicit FaultInjectionEnv(Env* base);
  ~FaultInjectionEnv() override;
  FaultInjectionEnv(const FaultInjectionEnv&) = delete;
  FaultInjectionEnv& operator=(const FaultInjectionEnv&) = delete;

  // ---- Failure injection. Each op has at most one armed fault; arming a new one
  // for the same op replaces the old.

  // The n-th call of `op` counted from now (n = 1: the next one) returns `error`
  // without performing the operation; later calls succeed again.
  // REQUIRES: n >= 1, !error.ok().
  void FailNth(FaultOp op, int n, Status error = Status::IOError("injected fault"));

  // Like FailNth, but that call and every later call of `op` fail, until
  // ClearFaults(). With kWrite and DiskFullError() this models a full disk.
  void FailFrom(FaultOp op, int n, Status error);

  // IOError "no space left on device (injected)".
  static Status DiskFullError();

  // When an injected kWrite failure fires, first append min(k, data size) bytes of
  // the data to the file (a torn write), then fail. 0 (the default) writes nothing.
  void SetPartialWriteBytes(size_t k);

  // With `on`, an injected kRead failure is not an error: the read is performed and
  // returns OK with half the bytes it read (rounded down: none of a 1-byte read), as
  // if the file ended there at that moment (a file shrinking under the reader, or a
  // file system that breaks the Env contract). Default off.
  void SetShortReads(bool on);

  // Disarms every fault, sets the partial-write bytes back to 0 and short reads off.
  void ClearFaults();

  // Calls of `op` so far, failed ones included.
  int Calls(FaultOp op) const;
  void ResetCounts();

  // ---- Power loss (see the top of this file for what is modelled).

  // Truncates every tracked file to its synced size through the base env. Files
  // that no longer exist are skipped. Tries every file; returns the first error.
  Status DropUnsyncedData();

  // Like DropUnsyncedData, but keeps a pseudo-random prefix (0 to all) of each
  // file's unsynced bytes and, for about half of the files that keep any, sets a
  // random non-empty range of the kept unsynced bytes to zero. The same seed on the
  // same files gives the same result. Afterwards every tracked file counts as
  // synced at its new size.
  Status DropUnsyncedDataKeepingPrefix(uint64_t seed);

  // The synced size tracked for `path`, or nullopt when it is not tracked.
  std::optional<uint64_t> SyncedSize(const std::string& path) const;

  // ---- Env.
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        WriteMode mode) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status CreateDir(const std::string& dir) override;
  Status RemoveDir(const std::string& dir) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;

 private:
  class FaultWritableFile;
  class FaultRandomAccessFile;

  // Durability state of one file; shared with its open handles so that it
  // follows the file through renames.
  struct Tracked {
    uint64_t synced_size = 0;  // guarded by mu_
  };
  struct Fault {
    bool armed = false;
    bool sticky = false;  // FailFrom: keeps failing once it fired
    int calls_left = 0;   // fires on the call that brings it to 0
    Status error;
  };

  // Counts a call of `op`; returns the injected error when a fault fires. Then
  // *partial_bytes (when not null) receives the torn-write size, and *short_read
  // (when not null) whether short reads are on.
  Status Check(FaultOp op, size_t* partial_bytes = nullptr, bool* short_read = nullptr);
  std::shared_ptr<Tracked> TrackOpened(const std::string& path, uint64_t size);
  void SetSynced(Tracked* tracked, uint64_t size);
  void LowerSynced(Tracked* tracked, uint64_t size);
  // DropUnsyncedData* on one file. REQUIRES: mu_ held.
  Status DropFileLocked(const std::string& path, Tracked* tracked, uint64_t* rng_state);
  Status KeepPrefixLocked(const std::string& path, uint64_t synced, uint64_t keep,
                          uint64_t* rng_state);

  Env* const base_;
  mutable std::mutex mu_;
  std::array<int, kNumFaultOps> calls_{};         // guarded by mu_
  std::array<Fault, kNumFaultOps> faults_;        // guarded by mu_
  size_t partial_write_bytes_ = 0;                // guarded by mu_
  bool short_reads_ = false;                      // guarded by mu_
  std::map<std::string, std::shared_ptr<Tracked>> tracked_;  // guarded by mu_
};

}  // namespace urd

#endif  // URD_STORAGE_FAULT_ENV_H_
