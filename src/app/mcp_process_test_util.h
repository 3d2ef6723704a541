// Copyright urd authors. Test helpers: `urd mcp` (URD_BINARY) as a child process
// with its stdin and stdout on pipes, and request/response helpers. Test-only.

#ifndef URD_APP_MCP_PROCESS_TEST_UTIL_H_
#define URD_APP_MCP_PROCESS_TEST_UTIL_H_

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace urd::app {


class McpProcess {
 public:
  explicit McpProcess(const std::string& dir) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[0]);
      close(in[1]);
      close(out[0]);
      close(out[1]);
      execl(URD_BINARY, URD_BINARY, "mcp", "--dir", dir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_child_ = in[1];
    from_child_ = out[0];
  }
  ~McpProcess() {
    if (killed_) return;
    CloseInput();
    if (from_child_ >= 0) close(from_child_);
    if (pid_ > 0) Wait();
  }

  bool started() const { return pid_ > 0; }

  bool Write(const std::string& line) {
    std::string data = line + "\n";
    return write(to_child_, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  }

  // The next stdout line, or false at end of output or after 30 s of silence.
  bool ReadLine(std::string* line) {
    for (;;) {
      size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        *line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return true;
      }
      pollfd p{from_child_, POLLIN, 0};
      if (poll(&p, 1, 30000) <= 0) return false;
      char buf[4096];
      ssize_t n = read(from_child_, buf, sizeof buf);
      if (n <= 0) return false;
      buffer_.append(buf, static_cast<size_t>(n));
    }
  }

  void CloseInput() {
    if (to_child_ >= 0) close(to_child_);
    to_child_ = -1;
  }

  // The exit code, or -1 when it did not exit normally.
  int Wait() {
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  const std::string& pending() const { return buffer_; }

  // SIGKILLs the server and reaps it.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    CloseInput();
    if (from_child_ >= 0) close(from_child_);
    from_child_ = -1;
    killed_ = true;
  }

 private:
  pid_t pid_ = -1;
  int to_child_ = -1, from_child_ = -1;
  std::string buffer_;
  bool killed_ = false;
};

// Sends `request` and reads one line back: a JSON-RPC 2.0 response to `id`.
inline nlohmann::json Exchange(McpProcess* p, const nlohmann::json& request) {
  EXPECT_TRUE(p->Write(request.dump()));
  std::string line;
  EXPECT_TRUE(p->ReadLine(&line)) << request.dump();
  nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
  EXPECT_TRUE(r.is_object()) << line;
  if (!r.is_object()) return nlohmann::json::object();
  EXPECT_EQ(r["jsonrpc"], "2.0") << line;
  EXPECT_EQ(r["id"], request["id"]) << line;
  EXPECT_TRUE(r.contains("result") != r.contains("error")) << line;
  return r;
}

inline nlohmann::json Req(int id, const std::string& method, const nlohmann::json& params) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
}

}  // namespace urd::app

#endif  // URD_APP_MCP_PROCESS_TEST_UTIL_H_
