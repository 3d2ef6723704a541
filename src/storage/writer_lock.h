// Copyright urd authors. WriterLock: one writer per store directory, across processes.
//
// What the lock guarantees
//   While a WriterLock object for `<dir>` is alive, no other WriterLock for the same
//   `<dir>` can be acquired: not by another process, and not by another Acquire in
//   this process (another thread, or the same thread twice). The lock is an
//   open-file-description (OFD) record lock, fcntl(F_OFD_SETLK), on the whole file
//   `<dir>/LOCK`. The kernel owns it: when the holder dies for any reason, SIGKILL
//   and power loss included, the lock is gone. There is no stale lock to clean up
//   and no time-to-live guess about whether a holder is still alive. The LOCK file
//   itself is never deleted (deleting it would let two processes lock two different
//   inodes under the same name); its presence means nothing, only the kernel lock
//   does.
//
//   The file's text is metadata for operators, never part of the protocol:
//     pid=<pid>\nowner=<owner>\nhost=<hostname>\nacquired_at_ms=<ms since epoch>\n
//   It is written once the lock is held and truncated to zero bytes on release,
//   while the lock is still held. After a crash the text of the dead holder stays
//   in the file until the next writer replaces it; Probe() and the Busy message
//   only show text when the kernel says the lock is held.
//
// Thread-safety
//   A WriterLock object is not shared between threads: Release(), the destructor
//   and the accessors need external synchronisation if it is. Acquire() and Probe()
//   are static and may be called from any thread at any time. Two threads of one
//   process that both call Acquire() conflict correctly (one gets the lock, the
//   other Busy or TimedOut), because OFD locks belong to the open file description,
//   not to the process as classic POSIX locks do.
//
// fork and exec
//   The descriptor is opened with O_CLOEXEC, so an exec'd program does not inherit
//   the lock. A child created by fork() shares the open file description, so the
//   lock stays held while either process keeps it open. Destroying or Release()-ing
//   the inherited object in a forked child only closes the child's descriptor: it
//   neither unlocks nor truncates, so the parent keeps its lock intact.
//
// Read-only opens take no lock
//   Readers never call Acquire(). A read-only store opens its files directly and
//   catches up with the writer by reading the log tail; Probe() tells operators
//   whether a writer is present without taking or disturbing the lock.
//
// Per-batch locking (several long-running writer processes sharing one store)
//   The lock may also be held per write batch instead of for the whole life of a
//   writer: before each batch call Acquire(dir, {.wait = <bound>}) with wait > 0
//   (and sync_metadata = false when every batch is synced anyway),
//   then RE-READ THE LOG TAIL (another process may have committed since this process
//   last held the lock; append at the real end of the log, never at a remembered
//   offset), write and sync the batch, and destroy the lock right after it. Each
//   acquisition costs an open, an fcntl, and a metadata write + fdatasync; the
//   release costs an ftruncate. Waiting is polling with back-off (1 ms growing to
//   20 ms), so it is not fair: a process that re-acquires in a tight loop can
//   starve others for a while; keep batches short. See the PerBatchLock test.
//
// Network file systems
//   OFD/POSIX locks on NFS depend on the server's lock manager (NLM for NFSv3,
//   leases for NFSv4). After a client crash the server may keep the lock until the
//   client's lease expires (often 90 s), and a network partition can make a live
//   client lose its lock. On file systems without lock support the call fails
//   (NotSupported or IOError) rather than pretend to lock. Do not put a store on a
//   network file system shared by several hosts unless its locking is known to work.
//
// The lock uses POSIX calls on the real file system directly, not the Env
// abstraction: an in-memory Env has nothing for other processes to conflict with.

#ifndef URD_STORAGE_WRITER_LOCK_H_
#define URD_STORAGE_WRITER_LOCK_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "urd/result.h"
#include "urd/status.h"

namespace urd {

struct LockOptions {
  // Written to the lock file for operators. Default (empty): the program name from
  // /proc/self/comm, or "urd" when that cannot be read. Must not contain control
  // characters (newline, NUL, ...): Acquire returns InvalidArgument.
  std::string owner;
  // How long Acquire waits for a lock held by someone else. Default 0: fail at once
  // with Busy. > 0: poll until acquired or the time has passed, then TimedOut.
  std::chrono::milliseconds wait{0};
  // Whether the metadata text is fdatasync'ed before Acquire returns (default: a
  // file system that cannot sync fails here, before anything is written). A writer
  // that takes the lock per batch and syncs every batch it writes sets false: its
  // batch's own sync catches a failing file system, and the lock costs no sync.
  bool sync_metadata = true;
};

// The metadata in a lock file. pid == 0 means the text was missing or incomplete.
struct LockHolder {
  int64_t pid = 0;
  std::string owner, host;
  int64_t acquired_at_ms = 0;  // ms since the Unix epoch, UTC

  // "pid 123 (owner urd, host box, since 2024-01-15T10:00:00.000Z)", or
  // "pid unknown" when pid == 0.
  std::string ToString() const;

  // Parses lock-file text. Returns nullopt unless all four lines (pid, owner, host,
  // acquired_at_ms) are present and newline-terminated with a positive pid. For each
  // key the first line wins, so text followed by the leftover tail of an older,
  // longer text (a writer between its pwrite and its ftruncate) parses correctly.
  static std::optional<LockHolder> Parse(std::string_view text);
};

class WriterLock {
 public:
  // Acquires the writer lock of store directory `dir` (the file `<dir>/LOCK`,
  // created with mode 0644 if absent; `dir` itself must exist).
  // On success: the lock is held until Release() or destruction, and the lock file
  // holds this process's metadata, synced with fdatasync.
  // Held by someone else (another process, or another WriterLock in this process):
  //   options.wait == 0: Busy("store is locked by pid <pid> (owner <o>, host <h>,
  //                      since <ISO-8601 UTC>): <dir>/LOCK"), "pid unknown" when the
  //                      holder has not written its metadata within ~50 ms.
  //   options.wait > 0:  TimedOut with the same holder description once the wait ran
  //                      out without getting the lock.
  // `dir` missing: NotFound naming the path. The file cannot be opened or created
  // (permissions, read-only file system) or an fcntl/write/sync fails: IOError
  // naming the path. The file system (or kernel) does not support OFD locks:
  // NotSupported naming the file system. Bad options.owner, negative options.wait
  // or empty `dir`: InvalidArgument.
  // On any error nothing is held.
  static Result<std::unique_ptr<WriterLock>> Acquire(const std::string& dir,
                                                     const LockOptions& options);

  // Whether `<dir>/LOCK` is held right now, by anyone (this process included), and
  // the holder's metadata (pid 0 if the holder's text is missing or incomplete after
  // ~50 ms of re-reading; in the instant between a new holder taking the lock and
  // writing its text, the text of an earlier holder that died may be shown).
  // Opens the file read-only; never creates it, never takes or disturbs the lock.
  // Returns nullopt when the lock is free or the file does not exist; NotFound when
  // `dir` does not exist; IOError on other failures. The answer may be stale as soon
  // as it is returned.
  static Result<std::optional<LockHolder>> Probe(const std::string& dir);

  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // Releases as Release() does; errors are ignored (call Release() to see them).
  ~WriterLock();

  // Truncates the metadata to zero bytes while still holding the lock, unlocks and
  // closes the file. Returns the first error; the descriptor is closed and the lock
  // is gone (closing releases it) even then. Idempotent: later calls return OK.
  Status Release();

  // This process's metadata as written to the lock file.
  const LockHolder& holder() const { return holder_; }
  // `<dir>/LOCK`.
  const std::string& path() const { return path_; }

 private:
  WriterLock(int fd, std::string path, LockHolder holder);

  int fd_;  // -1 once released
  std::string path_;
  LockHolder holder_;
  int64_t owner_pid_;  // getpid() at acquisition: a forked child must not unlock
};

}  // namespace urd

#endif  // URD_STORAGE_WRITER_LOCK_H_
