// Copyright urd authors. Small helpers shared by the tests that run the built
// `urd` binary (cmd_*_test.cc): shell quoting and whole-file reads and writes.

#ifndef URD_APP_CLI_TEST_UTIL_H_
#define URD_APP_CLI_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>
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

}  // namespace urd::cli_test

#endif  // URD_APP_CLI_TEST_UTIL_H_
