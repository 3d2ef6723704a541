// Copyright urd authors.

#include "storage/writer_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <thread>
#include <utility>

namespace urd {
namespace {

constexpr char kLockFileName[] = "LOCK";
// The holder's metadata is short; anything longer than this is not ours.
constexpr size_t kMaxLockText = 4096;
// Sleeps between reads of a holder's metadata that is not written yet (~50 ms).
constexpr int kHolderReadDelaysMs[] = {1, 2, 4, 8, 15, 20};
constexpr std::chrono::milliseconds kFirstPoll{1};
constexpr std::chrono::milliseconds kMaxPoll{20};

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string FormatUtc(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --secs;
  }
  struct tm tm {};
  if (gmtime_r(&secs, &tm) == nullptr) return "time " + std::to_string(ms) + " ms";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

std::string DefaultOwner() {
  std::string name;
  if (FILE* f = std::fopen("/proc/self/comm", "re")) {
    char buf[64];
    if (std::fgets(buf, sizeof(buf), f) != nullptr) name = buf;
    std::fclose(f);
  }
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
  for (char& c : name) {
    if (IsControl(c)) c = '?';
  }
  return name.empty() ? "urd" : name;
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "unknown";
  std::string host(buf);
  for (char& c : host) {
    if (IsControl(c)) c = '?';
  }
  return host;
}

std::string Serialize(const LockHolder& h) {
  return "pid=" + std::to_string(h.pid) + "\nowner=" + h.owner + "\nhost=" + h.host +
         "\nacquired_at_ms=" + std::to_string(h.acquired_at_ms) + "\n";
}

struct flock WholeFile(short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;  // to the end of the file, however long it grows
  fl.l_pid = 0;  // must be 0 for OFD locks
  return fl;
}

// "nfs (f_type 0x6969)" for the file system holding `fd`.
std::string FileSystemName(int fd) {
  struct statfs st {};
  if (fstatfs(fd, &st) != 0) return "of unknown type";
  const auto type = static_cast<unsigned long>(st.f_type) & 0xffffffffUL;
  const char* name = "unknown";
  switch (type) {
    case 0x6969UL:
      name = "nfs";
      break;
    case 0xFF534D42UL:
      name = "cifs";
      break;
    case 0xFE534D42UL:
      name = "smb2";
      break;
    case 0x517BUL:
      name = "smb";
      break;
    case 0x65735546UL:
      name = "fuse";
      break;
    case 0x01021997UL:
      name = "9p";
      break;
    case 0x794C7630UL:
      name = "overlayfs";
      break;
    case 0x01021994UL:
      name = "tmpfs";
      break;
    case 0xEF53UL:
      name = "ext2/3/4";
      break;
    case 0x58465342UL:
      name = "xfs";
      break;
    case 0x9123683EUL:
      name = "btrfs";
      break;
    case 0x2FC12FC1UL:
      name = "zfs";
      break;
    case 0xCA451A4EUL:
      name = "bcachefs";
      break;
    case 0x00C36400UL:
      name = "ceph";
      break;
    case 0x6E736673UL:
      name = "nsfs";
      break;
    default:
      break;
  }
  char hex[32];
  std::snprintf(hex, sizeof(hex), "0x%lx", type);
  return std::string(name) + " (f_type " + hex + ")";
}

Status LockError(const std::string& what, const std::string& path, int fd, int err) {
  if (err == EINVAL) {
    return Status::NotSupported(
        "open-file-description locks (F_OFD_*) are not supported by "
        "this kernel or by the file system " +
        FileSystemName(fd) + " holding " + path);
  }
  if (err == ENOLCK) {
    return Status::FromErrno(what + " " + path + " on file system " + FileSystemName(fd), err);
  }
  return Status::FromErrno(what + " " + path, err);
}

// Tries once to take the write lock. true: acquired; false: held by someone else.
Result<bool> TryLock(int fd, const std::string& path) {
  struct flock fl = WholeFile(F_WRLCK);
  for (;;) {
    if (fcntl(fd, F_OFD_SETLK, &fl) == 0) return true;
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EACCES) return false;
    return LockError("cannot lock", path, fd, err);
  }
}

// The whole text of the file, or "" when it cannot be read (the caller retries).
std::string ReadText(int fd) {
  std::string text(kMaxLockText, '\0');
  size_t have = 0;
  while (have < text.size()) {
    const ssize_t n = pread(fd, text.data() + have, text.size() - have, static_cast<off_t>(have));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<size_t>(n);
  }
  text.resize(have);
  return text;
}

struct ObservedHolder {
  LockHolder holder;  // pid == 0: no complete metadata
  bool maybe_stale = false;
};

// Metadata naming a process of this host that does not exist was most likely left by
// a holder that died; the current holder may not have replaced it yet.
bool DeadOnThisHost(const LockHolder& h) {
  if (h.host != HostName()) return false;
  if (h.pid <= 0 || static_cast<pid_t>(h.pid) != h.pid) return true;
  return kill(static_cast<pid_t>(h.pid), 0) != 0 && errno == ESRCH;
}

// Reads the metadata of whoever holds the lock on `fd`'s file. The holder writes it
// only after taking the lock, so empty, incomplete or dead-looking text is re-read
// for ~50 ms before giving up.
ObservedHolder ReadHolder(int fd) {
  ObservedHolder seen;
  for (size_t attempt = 0;; ++attempt) {
    std::optional<LockHolder> parsed = LockHolder::Parse(ReadText(fd));
    if (parsed.has_value()) {
      seen.holder = std::move(*parsed);
      seen.maybe_stale = DeadOnThisHost(seen.holder);
      if (!seen.maybe_stale) return seen;
    }
    if (attempt == std::size(kHolderReadDelaysMs)) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(kHolderReadDelaysMs[attempt]));
  }
}

std::string DescribeHolder(const ObservedHolder& seen, const std::string& path) {
  std::string out = "store is locked by " + seen.holder.ToString();
  if (seen.maybe_stale) {
    out += " [no such process on this host: the metadata may be an earlier holder's]";
  }
  return out + ": " + path;
}

Status WriteMetadata(int fd, const std::string& path, const LockHolder& holder, bool sync) {
  const std::string text = Serialize(holder);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Status::FromErrno("cannot write lock metadata to " + path, n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
  // Cut what is left of a longer text (a holder that died without releasing).
  if (ftruncate(fd, static_cast<off_t>(text.size())) != 0) {
    return Status::FromErrno("cannot truncate lock file " + path, errno);
  }
  // The text only informs operators, yet a failed fdatasync is still an error: it
  // says this file system cannot make data durable right now (EIO, ENOSPC, a lost
  // network mount), and the store's log lives beside this file. After a failed sync
  // the state of the page cache is unknown, so the writer's first commit could not
  // be trusted either; refusing here, before the caller wrote anything, is the
  // cheapest and clearest place to stop.
  if (sync && fdatasync(fd) != 0) return Status::FromErrno("cannot sync lock file " + path, errno);
  return Status::OK();
}

// Closes a descriptor at the end of its scope unless release()d.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

int OpenRetrying(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = open(path.c_str(), flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Takes the lock on `fd`, polling with back-off for up to `wait`. OK: held.
// Otherwise Busy (wait 0) or TimedOut describing the holder, or the fcntl error.
Status LockWaiting(int fd, const std::string& path, std::chrono::milliseconds wait) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + wait;
  auto pause = kFirstPoll;
  for (;;) {
    URD_ASSIGN_OR_RETURN(const bool got, TryLock(fd, path));
    if (got) return Status::OK();
    const auto now = std::chrono::steady_clock::now();
    if (wait.count() == 0) return Status::Busy(DescribeHolder(ReadHolder(fd), path));
    if (now >= deadline) {
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - start);
      return Status::TimedOut("gave up after waiting " + std::to_string(waited.count()) + " ms; " +
                              DescribeHolder(ReadHolder(fd), path));
    }
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, kMaxPoll);
  }
}

// Best-effort undo of an Acquire that got the lock but failed afterwards.
void UnlockAfterFailure(int fd) {
  (void)!ftruncate(fd, 0);
  struct flock fl = WholeFile(F_UNLCK);
  (void)fcntl(fd, F_OFD_SETLK, &fl);
}

Result<std::string> LockPathFor(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("store directory path is empty");
  return dir.back() == '/' ? dir + kLockFileName : dir + "/" + kLockFileName;
}

// An open() of the lock file failed with `err`: NotFound if `dir` itself is missing.
Status OpenError(const std::string& dir, const std::string& path, int err) {
  struct stat st {};
  if (err == ENOENT && stat(dir.c_str(), &st) != 0 && errno == ENOENT) {
    return Status::NotFound("store directory does not exist: " + dir + " (lock file " + path + ")");
  }
  return Status::FromErrno("cannot open lock file " + path, err);
}

}  // namespace

std::string LockHolder::ToString() const {
  if (pid == 0) return "pid unknown";
  return "pid " + std::to_string(pid) + " (owner " + owner + ", host " + host + ", since " +
         FormatUtc(acquired_at_ms) + ")";
}

std::optional<LockHolder> LockHolder::Parse(std::string_view text) {
  LockHolder h;
  bool have_pid = false, have_owner = false, have_host = false, have_time = false;
  auto parse_int = [](std::string_view v, int64_t* out) {
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
    return ec == std::errc() && end == v.data() + v.size() && !v.empty();
  };
  size_t pos = 0;
  for (size_t nl; (nl = text.find('\n', pos)) != std::string_view::npos; pos = nl + 1) {
    const std::string_view line = text.substr(pos, nl - pos);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "pid" && !have_pid) {
      if (!parse_int(value, &h.pid) || h.pid <= 0) return std::nullopt;
      have_pid = true;
    } else if (key == "owner" && !have_owner) {
      h.owner = value;
      have_owner = true;
    } else if (key == "host" && !have_host) {
      h.host = value;
      have_host = true;
    } else if (key == "acquired_at_ms" && !have_time) {
      if (!parse_int(value, &h.acquired_at_ms)) return std::nullopt;
      have_time = true;
    }
  }
  if (!(have_pid && have_owner && have_host && have_time)) return std::nullopt;
  return h;
}

WriterLock::WriterLock(int fd, std::string path, LockHolder holder)
    : fd_(fd), path_(std::move(path)), holder_(std::move(holder)), owner_pid_(getpid()) {}

WriterLock::~WriterLock() { (void)Release(); }

Result<std::unique_ptr<WriterLock>> WriterLock::Acquire(const std::string& dir,
                                                        const LockOptions& options) {
  URD_ASSIGN_OR_RETURN(std::string path, LockPathFor(dir));
  for (char c : options.owner) {
    if (IsControl(c)) {
      return Status::InvalidArgument("lock owner contains a control character: " + path);
    }
  }
  if (options.wait.count() < 0) {
    return Status::InvalidArgument("negative lock wait for " + path);
  }

  const int raw_fd = OpenRetrying(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (raw_fd < 0) return OpenError(dir, path, errno);
  ScopedFd fd(raw_fd);
  URD_RETURN_IF_ERROR(LockWaiting(fd.get(), path, options.wait));

  LockHolder me;
  me.pid = getpid();
  me.owner = options.owner.empty() ? DefaultOwner() : options.owner;
  me.host = HostName();
  me.acquired_at_ms = NowMs();
  if (Status s = WriteMetadata(fd.get(), path, me, options.sync_metadata); !s.ok()) {
    UnlockAfterFailure(fd.get());
    return s;
  }
  return std::unique_ptr<WriterLock>(new WriterLock(fd.release(), std::move(path), std::move(me)));
}

Status WriterLock::Release() {
  if (fd_ < 0) return Status::OK();
  const int fd = std::exchange(fd_, -1);
  Status first;
  // In a forked child the descriptor shares the parent's open file description:
  // unlocking or truncating would take the lock from the parent. Only close.
  if (getpid() == owner_pid_) {
    if (ftruncate(fd, 0) != 0)
      first = Status::FromErrno("cannot truncate lock file " + path_, errno);
    struct flock fl = WholeFile(F_UNLCK);
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0 && first.ok()) {
      first = Status::FromErrno("cannot unlock " + path_, errno);
    }
  }
  // On Linux the descriptor is closed even when close() fails (EINTR included).
  if (close(fd) != 0 && first.ok()) first = Status::FromErrno("cannot close " + path_, errno);
  return first;
}

Result<std::optional<LockHolder>> WriterLock::Probe(const std::string& dir) {
  URD_ASSIGN_OR_RETURN(std::string path, LockPathFor(dir));
  const int raw_fd = OpenRetrying(path, O_RDONLY | O_CLOEXEC, 0);
  if (raw_fd < 0) {
    const int err = errno;
    Status s = OpenError(dir, path, err);
    if (err == ENOENT && !s.IsNotFound()) return std::optional<LockHolder>();  // no file
    return s;
  }
  ScopedFd fd(raw_fd);
  // A fresh open file description holds no lock itself, so any lock on the file,
  // including one held by another WriterLock of this process, is reported.
  struct flock fl = WholeFile(F_WRLCK);
  int rc;
  do {
    rc = fcntl(fd.get(), F_OFD_GETLK, &fl);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return LockError("cannot query the lock on", path, fd.get(), errno);
  if (fl.l_type == F_UNLCK) return std::optional<LockHolder>();
  return std::optional<LockHolder>(ReadHolder(fd.get()).holder);
}

}  // namespace urd
