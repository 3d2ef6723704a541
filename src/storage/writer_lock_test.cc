// Copyright urd authors. Tests of WriterLock with real processes (fork) and real files.
//
// Children are forked from the (single-threaded) test process, call the library,
// report over pipes and leave with _exit, so no gtest state runs twice.

#include "storage/writer_lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace urd {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/urd_lock_test_XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    for (auto& e : std::filesystem::recursive_directory_iterator(path_, ec)) {
      if (e.is_directory(ec)) chmod(e.path().c_str(), 0755);
    }
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string lock_path() const { return path_ + "/LOCK"; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::string out;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

struct Pipe {
  Pipe() {
    if (pipe2(fds, O_CLOEXEC) != 0) std::abort();
  }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (fds[0] >= 0) close(std::exchange(fds[0], -1));
  }
  void CloseWrite() {
    if (fds[1] >= 0) close(std::exchange(fds[1], -1));
  }
  void Write(const std::string& s) const {
    size_t done = 0;
    while (done < s.size()) {
      ssize_t n = write(fds[1], s.data() + done, s.size() - done);
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }
  // Reads one byte, waiting at most 10 s; '\0' on timeout or end of file.
  char ReadByte() const {
    struct pollfd p {
      fds[0], POLLIN, 0
    };
    if (poll(&p, 1, 10000) != 1) return '\0';
    char c = '\0';
    return read(fds[0], &c, 1) == 1 ? c : '\0';
  }
  // Reads until end of file (the writer closed or exited), at most 10 s.
  std::string ReadAll() const {
    std::string out;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      struct pollfd p {
        fds[0], POLLIN, 0
      };
      if (poll(&p, 1, 100) != 1) continue;
      char buf[512];
      ssize_t n = read(fds[0], buf, sizeof(buf));
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  int fds[2] = {-1, -1};
};

// A forked child running `body`; exits with its return value. The destructor kills
// and reaps a child that is still running, so a failed assertion leaks nothing.
class Child {
 public:
  explicit Child(const std::function<int()>& body) {
    pid_ = fork();
    if (pid_ < 0) std::abort();
    if (pid_ == 0) _exit(body());
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  pid_t pid() const { return pid_; }
  // Waits for the child; returns its raw wait status.
  int Wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }
  // Waits and returns the exit code, or -signal if it was killed.
  int ExitCode() {
    int status = Wait();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

LockOptions Owner(std::string owner, milliseconds wait = milliseconds(0)) {
  LockOptions o;
  o.owner = std::move(owner);
  o.wait = wait;
  return o;
}

// Child body: acquire, report 'L' (or 'E' + error), then hold until killed or told.
int HoldLock(const std::string& dir, const std::string& owner, const Pipe& report, const Pipe* go) {
  auto lock = WriterLock::Acquire(dir, Owner(owner));
  if (!lock.ok()) {
    report.Write("E" + lock.status().ToString());
    return 1;
  }
  report.Write("L");
  if (go == nullptr) {
    for (;;) pause();
  }
  go->ReadByte();  // returns on a byte or when the parent closes its end
  return (*lock)->Release().ok() ? 0 : 2;
}

TEST(WriterLock, AcquireWritesMetadataReleaseTruncates) {
  TempDir dir;
  auto lock = WriterLock::Acquire(dir.path(), Owner("test-owner"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_EQ((*lock)->path(), dir.lock_path());

  const std::string text = ReadFile(dir.lock_path());
  const LockHolder& me = (*lock)->holder();
  EXPECT_EQ(me.pid, getpid());
  EXPECT_EQ(me.owner, "test-owner");
  EXPECT_FALSE(me.host.empty());
  EXPECT_GT(me.acquired_at_ms, 1'600'000'000'000);
  EXPECT_EQ(text, "pid=" + std::to_string(getpid()) + "\nowner=test-owner\nhost=" + me.host +
                      "\nacquired_at_ms=" + std::to_string(me.acquired_at_ms) + "\n");
  auto parsed = LockHolder::Parse(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->pid, getpid());
  EXPECT_EQ(parsed->owner, "test-owner");

  ASSERT_TRUE((*lock)->Release().ok());
  EXPECT_TRUE(FileExists(dir.lock_path())) << "LOCK is never deleted";
  EXPECT_EQ(ReadFile(dir.lock_path()), "");
  EXPECT_TRUE((*lock)->Release().ok()) << "Release is idempotent";

  auto again = WriterLock::Acquire(dir.path(), LockOptions{});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE((*again)->holder().owner.empty()) << "default owner from /proc/self/comm";
}

TEST(WriterLock, SecondAcquireInSameProcessIsBusy) {
  TempDir dir;
  auto first = WriterLock::Acquire(dir.path(), Owner("first-owner"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();

  const auto start = Clock::now();
  auto second = WriterLock::Acquire(dir.path(), Owner("second-owner"));
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsBusy()) << second.status().ToString();
  const std::string msg(second.status().message());
  EXPECT_NE(msg.find("store is locked by pid " + std::to_string(getpid()) + " "), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("owner first-owner"), std::string::npos) << msg;
  EXPECT_NE(msg.find(dir.lock_path()), std::string::npos) << msg;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2)) << "wait=0 fails at once";

  auto probe = WriterLock::Probe(dir.path());
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  ASSERT_TRUE(probe->has_value());
  EXPECT_EQ((*probe)->pid, getpid());
  EXPECT_EQ((*probe)->owner, "first-owner");

  // The failed attempt must not have disturbed the holder's metadata.
  auto parsed = LockHolder::Parse(ReadFile(dir.lock_path()));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->owner, "first-owner");
}

TEST(WriterLock, ThreadsOfOneProcessExclude) {
  TempDir dir;
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> failures{0};
  auto worker = [&] {
    for (int i = 0; i < 30; ++i) {
      auto lock = WriterLock::Acquire(dir.path(), Owner("thread", milliseconds(5000)));
      if (!lock.ok()) {
        failures.fetch_add(1);
        continue;
      }
      if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      inside.fetch_sub(1);
      if (!(*lock)->Release().ok()) failures.fetch_add(1);
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(failures.load(), 0);
}

TEST(WriterLock, OtherProcessHoldsLockBusyAndProbe) {
  TempDir dir;
  Pipe report, go;
  Child child([&] {
    report.CloseRead();
    go.CloseWrite();
    return HoldLock(dir.path(), "child-writer", report, &go);
  });
  report.CloseWrite();
  go.CloseRead();
  ASSERT_EQ(report.ReadByte(), 'L') << report.ReadAll();

  auto mine = WriterLock::Acquire(dir.path(), Owner("parent"));
  ASSERT_FALSE(mine.ok());
  EXPECT_TRUE(mine.status().IsBusy()) << mine.status().ToString();
  const std::string msg(mine.status().message());
  EXPECT_NE(msg.find("pid " + std::to_string(child.pid()) + " "), std::string::npos) << msg;
  EXPECT_NE(msg.find("child-writer"), std::string::npos) << msg;
  EXPECT_NE(msg.find(" since 20"), std::string::npos) << msg;  // ISO-8601 year
  EXPECT_NE(msg.find(dir.lock_path()), std::string::npos) << msg;

  auto probe = WriterLock::Probe(dir.path());
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  ASSERT_TRUE(probe->has_value());
  EXPECT_EQ((*probe)->pid, child.pid());
  EXPECT_EQ((*probe)->owner, "child-writer");

  go.CloseWrite();  // tells the child to release and exit
  EXPECT_EQ(child.ExitCode(), 0);
  probe = WriterLock::Probe(dir.path());
  ASSERT_TRUE(probe.ok());
  EXPECT_FALSE(probe->has_value());
  EXPECT_EQ(ReadFile(dir.lock_path()), "") << "an orderly release truncates the metadata";
}

TEST(WriterLock, KilledHolderLeavesNoStaleLock) {
  TempDir dir;
  Pipe report;
  Child child([&] {
    report.CloseRead();
    return HoldLock(dir.path(), "child-writer-with-a-long-owner-name", report, nullptr);
  });
  report.CloseWrite();
  ASSERT_EQ(report.ReadByte(), 'L') << report.ReadAll();

  auto probe = WriterLock::Probe(dir.path());
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  ASSERT_TRUE(probe->has_value());
  EXPECT_EQ((*probe)->pid, child.pid());

  ASSERT_EQ(kill(child.pid(), SIGKILL), 0);
  EXPECT_EQ(child.ExitCode(), -SIGKILL);

  probe = WriterLock::Probe(dir.path());
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_FALSE(probe->has_value()) << "the kernel dropped the dead holder's lock";
  EXPECT_NE(ReadFile(dir.lock_path()).find("child-writer"), std::string::npos)
      << "the dead holder's text is still there, yet it means nothing";

  auto mine = WriterLock::Acquire(dir.path(), Owner("parent"));  // wait = 0
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_TRUE(FileExists(dir.lock_path()));
  const std::string text = ReadFile(dir.lock_path());
  EXPECT_EQ(text.find("child-writer"), std::string::npos) << "old text fully replaced: " << text;
  auto parsed = LockHolder::Parse(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->pid, getpid());
}

TEST(WriterLock, WaitAcquiresAfterHolderReleases) {
  TempDir dir;
  Pipe report;
  Child child([&] {
    report.CloseRead();
    auto lock = WriterLock::Acquire(dir.path(), Owner("brief-holder"));
    if (!lock.ok()) return 1;
    report.Write("L");
    std::this_thread::sleep_for(milliseconds(200));
    return (*lock)->Release().ok() ? 0 : 2;
  });
  report.CloseWrite();
  ASSERT_EQ(report.ReadByte(), 'L');

  auto busy = WriterLock::Acquire(dir.path(), Owner("parent"));
  EXPECT_TRUE(busy.status().IsBusy()) << busy.status().ToString();

  auto mine = WriterLock::Acquire(dir.path(), Owner("parent", milliseconds(5000)));
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_EQ((*mine)->holder().pid, getpid());
  EXPECT_EQ(child.ExitCode(), 0);
}

TEST(WriterLock, WaitTimesOutWhileHolderKeepsLock) {
  TempDir dir;
  Pipe report;
  Child child([&] {
    report.CloseRead();
    return HoldLock(dir.path(), "stubborn-holder", report, nullptr);
  });
  report.CloseWrite();
  ASSERT_EQ(report.ReadByte(), 'L');

  const auto start = Clock::now();
  auto mine = WriterLock::Acquire(dir.path(), Owner("parent", milliseconds(100)));
  const auto elapsed = Clock::now() - start;
  ASSERT_FALSE(mine.ok());
  EXPECT_TRUE(mine.status().IsTimedOut()) << mine.status().ToString();
  EXPECT_GE(elapsed, milliseconds(100));
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  const std::string msg(mine.status().message());
  EXPECT_NE(msg.find("pid " + std::to_string(child.pid()) + " "), std::string::npos) << msg;
  EXPECT_NE(msg.find("stubborn-holder"), std::string::npos) << msg;
  EXPECT_NE(msg.find(dir.lock_path()), std::string::npos) << msg;
}

// Per-batch locking: each batch acquires with wait > 0, finds the current end of the
// shared file (the "log tail") only after acquiring, and releases right after. The
// writes are deliberately racy without the lock: the end is read, then the line is
// written in two pwrites with sleeps in between, so two unlocked writers would
// overwrite or interleave each other's lines.
int AppendBatches(const std::string& dir, const Pipe& go) {
  go.ReadByte();  // both children start together
  const std::string shared = dir + "/shared.txt";
  for (int i = 0; i < 50; ++i) {
    auto lock = WriterLock::Acquire(dir, Owner("batch-writer", milliseconds(5000)));
    if (!lock.ok()) return 10;
    int fd = open(shared.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return 11;
    std::this_thread::sleep_for(std::chrono::microseconds(300));
    struct stat st {};
    if (fstat(fd, &st) != 0) return 12;
    const std::string head = std::to_string(getpid()) + " ";
    const std::string tail = std::to_string(i) + "\n";
    if (pwrite(fd, head.data(), head.size(), st.st_size) != static_cast<ssize_t>(head.size())) {
      return 13;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    if (pwrite(fd, tail.data(), tail.size(), st.st_size + static_cast<off_t>(head.size())) !=
        static_cast<ssize_t>(tail.size())) {
      return 14;
    }
    if (close(fd) != 0) return 15;
    if (!(*lock)->Release().ok()) return 16;
  }
  return 0;
}

TEST(WriterLock, PerBatchLockSerialisesTwoProcesses) {
  TempDir dir;
  Pipe go;
  Child a([&] {
    go.CloseWrite();
    return AppendBatches(dir.path(), go);
  });
  Child b([&] {
    go.CloseWrite();
    return AppendBatches(dir.path(), go);
  });
  const pid_t pid_a = a.pid(), pid_b = b.pid();
  go.CloseWrite();  // start
  EXPECT_EQ(a.ExitCode(), 0);
  EXPECT_EQ(b.ExitCode(), 0);

  const std::string text = ReadFile(dir.path() + "/shared.txt");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::map<long, int> next;  // pid -> next expected batch number
  next[pid_a] = 0;
  next[pid_b] = 0;
  int lines = 0;
  size_t pos = 0;
  for (size_t nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1, ++lines) {
    const std::string line = text.substr(pos, nl - pos);
    long pid = 0;
    int i = -1, used = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%ld %d%n", &pid, &i, &used), 2) << "line: " << line;
    ASSERT_EQ(static_cast<size_t>(used), line.size()) << "line: " << line;
    ASSERT_TRUE(next.count(pid)) << "line: " << line;
    EXPECT_EQ(i, next[pid]) << "line: " << line;
    next[pid] = i + 1;
  }
  EXPECT_EQ(pos, text.size()) << "a torn last line";
  EXPECT_EQ(lines, 100);
  EXPECT_EQ(next[pid_a], 50);
  EXPECT_EQ(next[pid_b], 50);
}

TEST(WriterLock, ForkedChildDoesNotReleaseParentsLock) {
  TempDir dir;
  auto lock = WriterLock::Acquire(dir.path(), Owner("parent"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  Child child([&] {
    // The child inherited the descriptor (same open file description).
    Status s = (*lock)->Release();
    return s.ok() ? 0 : 1;
  });
  EXPECT_EQ(child.ExitCode(), 0);

  auto second = WriterLock::Acquire(dir.path(), Owner("intruder"));
  EXPECT_TRUE(second.status().IsBusy()) << second.status().ToString();
  auto parsed = LockHolder::Parse(ReadFile(dir.lock_path()));
  ASSERT_TRUE(parsed.has_value()) << "the child must not truncate the parent's metadata";
  EXPECT_EQ(parsed->pid, getpid());
}

TEST(WriterLock, HolderWithoutMetadataIsPidUnknown) {
  TempDir dir;
  // A holder that took the lock but has not written its text (yet).
  int fd = open(dir.lock_path().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  ASSERT_EQ(fcntl(fd, F_OFD_SETLK, &fl), 0);

  auto mine = WriterLock::Acquire(dir.path(), Owner("parent"));
  ASSERT_FALSE(mine.ok());
  EXPECT_TRUE(mine.status().IsBusy());
  EXPECT_EQ(std::string(mine.status().message()),
            "store is locked by pid unknown: " + dir.lock_path());
  auto probe = WriterLock::Probe(dir.path());
  ASSERT_TRUE(probe.ok());
  ASSERT_TRUE(probe->has_value());
  EXPECT_EQ((*probe)->pid, 0);
  close(fd);
}

TEST(WriterLock, ParseTakesFirstLineOfEachKey) {
  // A writer between its pwrite and its ftruncate: its text, then the tail of a
  // longer text left by a holder that died.
  auto h = LockHolder::Parse(
      "pid=42\nowner=a\nhost=h\nacquired_at_ms=1705312800000\nhost=old\nacquired_at_ms=9\n"
      "owner=x");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->pid, 42);
  EXPECT_EQ(h->owner, "a");
  EXPECT_EQ(h->host, "h");
  EXPECT_EQ(h->acquired_at_ms, 1705312800000);
  EXPECT_EQ(h->ToString(), "pid 42 (owner a, host h, since 2024-01-15T10:00:00.000Z)");

  EXPECT_FALSE(LockHolder::Parse("").has_value());
  EXPECT_FALSE(LockHolder::Parse("pid=42\nowner=a\nhost=h\nacquired_at_ms=17").has_value())
      << "last line not terminated";
  EXPECT_FALSE(LockHolder::Parse("pid=x\nowner=a\nhost=h\nacquired_at_ms=1\n").has_value());
  EXPECT_FALSE(LockHolder::Parse("pid=0\nowner=a\nhost=h\nacquired_at_ms=1\n").has_value());
  EXPECT_EQ(LockHolder{}.ToString(), "pid unknown");
}

TEST(WriterLock, OwnerWithNewlineIsInvalid) {
  TempDir dir;
  auto lock = WriterLock::Acquire(dir.path(), Owner("two\nlines"));
  EXPECT_TRUE(lock.status().IsInvalidArgument()) << lock.status().ToString();
}

TEST(WriterLock, MissingDirectoryIsNotFound) {
  TempDir dir;
  const std::string missing = dir.path() + "/no-such-store";
  auto lock = WriterLock::Acquire(missing, LockOptions{});
  ASSERT_FALSE(lock.ok());
  EXPECT_TRUE(lock.status().IsNotFound() || lock.status().IsIOError()) << lock.status().ToString();
  EXPECT_NE(lock.status().message().find(missing), std::string::npos) << lock.status().ToString();

  auto probe = WriterLock::Probe(missing);
  EXPECT_TRUE(probe.status().IsNotFound()) << probe.status().ToString();

  // An existing directory without a LOCK file: not held, and Probe creates nothing.
  probe = WriterLock::Probe(dir.path());
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_FALSE(probe->has_value());
  EXPECT_FALSE(FileExists(dir.lock_path()));
}

// The read-only case, run by the current user when not root; as root (which
// bypasses permissions) in a child that drops to nobody, or skipped if it cannot.
TEST(WriterLock, ReadOnlyDirectoryIsIOError) {
  TempDir dir;
  const std::string ro = dir.path() + "/ro";
  ASSERT_EQ(mkdir(ro.c_str(), 0755), 0);
  ASSERT_EQ(chmod(ro.c_str(), 0555), 0);
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);

  std::string result;
  if (geteuid() != 0) {
    result = WriterLock::Acquire(ro, LockOptions{}).status().ToString();
  } else {
    Pipe report;
    Child child([&] {
      report.CloseRead();
      constexpr uid_t kNobody = 65534;
      if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0) {
        return 77;
      }
      report.Write(WriterLock::Acquire(ro, LockOptions{}).status().ToString());
      return 0;
    });
    report.CloseWrite();
    result = report.ReadAll();
    const int code = child.ExitCode();
    if (code == 77) GTEST_SKIP() << "running as root and cannot drop privileges";
    ASSERT_EQ(code, 0);
  }
  EXPECT_EQ(result.rfind("IOError: ", 0), 0u) << result;
  EXPECT_NE(result.find(ro + "/LOCK"), std::string::npos) << result;
  EXPECT_FALSE(FileExists(ro + "/LOCK"));
}

}  // namespace
}  // namespace urd
