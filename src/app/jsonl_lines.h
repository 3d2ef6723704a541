// Copyright urd authors. Splitting a JSON-lines file (docs/format.md §8) into its
// lines, for the `urd import jsonl` readers.
//
// Thread-safety: a pure function.

#ifndef URD_APP_JSONL_LINES_H_
#define URD_APP_JSONL_LINES_H_

#include <cstddef>
#include <functional>
#include <string_view>

#include "urd/status.h"

namespace urd::app {

// Calls fn(number, line) for each line of `bytes` that is not blank, in order;
// `number` counts every line from 1, blank ones included. A UTF-8 byte order mark
// before the first line and a CR before each LF are dropped. Stops at, and returns,
// the first error fn returns.
inline Status ForEachJsonlLine(std::string_view bytes,
                               const std::function<Status(size_t, std::string_view)>& fn) {
  size_t number = 0;
  for (size_t pos = 0; pos < bytes.size();) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    URD_RETURN_IF_ERROR(fn(number, line));
  }
  return Status::OK();
}

}  // namespace urd::app

#endif  // URD_APP_JSONL_LINES_H_
