// Copyright urd authors. Helpers shared by the tests that run the built `urd`
// binary (URD_BINARY, defined for every test target in CMakeLists.txt): a gtest
// fixture that runs it in a fresh temporary directory and captures its stdout,
// stderr and exit status; shell quoting; whole-file reads and writes. Test-only.

#ifndef URD_APP_CLI_TEST_UTIL_H_
#define URD_APP_CLI_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace urd::cli_test {

// Single-quotes `s` for the shell.
inline std::string Q(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// What one command run gave.
struct Outcome {
  int rc = -1;  // the exit status; -1 if it did not start or did not exit normally
  std::string out, err;
};

// A fixture whose test runs in a fresh temporary directory, made as
// $TMPDIR/PREFIX.XXXXXX (/tmp when TMPDIR is unset or empty) and removed after the
// test. Commands run there with sh and with URD_DIR unset; stdin comes from the
// file .stdin and stderr goes to the file .stderr, both in that directory.
class CliFixture : public testing::Test {
 protected:
  explicit CliFixture(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix_ + ".XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `urd ARGS` (ARGS shell-quoted by the caller) in the temp directory, stdin
  // from `stdin_text`, stderr captured apart (never a terminal). `env` (VAR=VALUE
  // words, shell-quoted by the caller) is set for the command, so it may set URD_DIR.
  Outcome Urd(const std::string& args, const std::string& stdin_text = "",
              const std::string& env = "") {
    WriteAll(Path(".stdin"), stdin_text);
    return Run((env.empty() ? "" : env + " ") + Q(URD_BINARY) + " " + args + " <" +
               Q(Path(".stdin")) + " 2>" + Q(Path(".stderr")));
  }

  // Runs `env -u URD_DIR CMD` with sh in the temp directory. out is its stdout; err
  // is the file .stderr, empty unless CMD writes it.
  Outcome Run(const std::string& cmd) {
    std::filesystem::remove(Path(".stderr"));
    const std::string full = "cd " + Q(dir_) + " && env -u URD_DIR " + cmd;
    Outcome r;
    FILE* p = popen(full.c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
    const int status = pclose(p);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = ReadAll(Path(".stderr"));
    return r;
  }

  // Runs `urd ARGS`, which must exit 0.
  void Ok(const std::string& args, const std::string& stdin_text = "") {
    Outcome r = Urd(args, stdin_text);
    ASSERT_EQ(r.rc, 0) << args << "\nstderr: " << r.err;
  }

  // Runs `urd ARGS --json`, expects exit `rc` and returns the parsed output.
  nlohmann::json Json(const std::string& args, int rc = 0) {
    Outcome r = Urd(args + " --json");
    EXPECT_EQ(r.rc, rc) << args << "\nstderr: " << r.err;
    try {
      return nlohmann::json::parse(r.out);
    } catch (const std::exception&) {
      ADD_FAILURE() << args << ": output is not JSON: " << r.out;
      return nlohmann::json();
    }
  }

  // Runs `urd ARGS`; expects exit code `rc` and a message on stderr containing
  // `needle`.
  void ExpectFails(const std::string& args, int rc, const std::string& needle,
                   const std::string& stdin_text = "") {
    Outcome r = Urd(args, stdin_text);
    EXPECT_EQ(r.rc, rc) << args << "\nstdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_TRUE(Contains(r.err, needle))
        << args << "\nstderr: " << r.err << "\nexpected to contain: " << needle;
  }

  // `rel` inside the temp directory.
  std::string Path(const std::string& rel) const { return dir_ + "/" + rel; }

  std::string dir_;

 private:
  std::string prefix_;
};

}  // namespace urd::cli_test

#endif  // URD_APP_CLI_TEST_UTIL_H_
