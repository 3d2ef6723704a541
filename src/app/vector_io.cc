// Copyright urd authors. Reading vectors and records for the `urd` command.

#include "app/vector_io.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <iostream>
#include <iterator>
#include <string>

#include "vector/value_json.h"
#include "vector/vector_store_impl.h"

namespace urd::app {
namespace {

using nlohmann::json;

Status Invalid(std::string_view path, const std::string& what) {
  return Status::InvalidArgument(path.empty() ? what : std::string(path) + ": " + what);
}

std::string Indexed(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; drop that.
std::string JsonReason(const std::exception& e) {
  std::string_view what = e.what();
  if (!what.empty() && what[0] == '[') {
    size_t end = what.find("] ");
    if (end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  return std::string(what);
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

// Calls fn(line_number, line) for every non-blank line of `text` (a trailing '\r'
// removed); stops at the first error, which it prefixes with "line N".
template <typename Fn>
Status ForEachLine(std::string_view text, Fn&& fn) {
  size_t line_no = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (IsBlank(line)) continue;
    Status s = fn(line);
    if (!s.ok()) return s.WithContext("line " + std::to_string(line_no));
  }
  return Status::OK();
}

uint32_t LoadLE32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// Reads exactly `n` bytes at `offset` (fewer only at end of file).
Status ReadAt(const RandomAccessFile& file, uint64_t offset, size_t n, std::vector<char>* buf,
              size_t* got) {
  buf->resize(n);
  *got = 0;
  while (*got < n) {
    size_t r = 0;
    URD_RETURN_IF_ERROR(file.Read(offset + *got, n - *got, buf->data() + *got, &r));
    if (r == 0) break;
    *got += r;
  }
  return Status::OK();
}

Status CheckRow(std::span<const float> row, size_t dim, uint64_t index, const std::string& path) {
  Status s = vec::ValidateVector(row, dim, "row " + std::to_string(index));
  return s.ok() ? s : s.WithContext(path);
}

Status ReadF32(const RandomAccessFile& file, uint64_t size, const std::string& path, size_t dim,
               size_t batch_rows, const RowsCallback& fn) {
  const uint64_t row_bytes = uint64_t{dim} * 4;
  if (size % row_bytes != 0) {
    return Status::InvalidArgument(path + ": " + std::to_string(size) +
                                   " bytes is not a whole number of " +
                                   std::to_string(row_bytes) + "-byte rows (dimension " +
                                   std::to_string(dim) + ")");
  }
  const uint64_t rows = size / row_bytes;
  std::vector<char> buf;
  std::vector<float> floats;
  for (uint64_t first = 0; first < rows; first += batch_rows) {
    const uint64_t n = std::min<uint64_t>(batch_rows, rows - first);
    size_t got = 0;
    URD_RETURN_IF_ERROR(ReadAt(file, first * row_bytes, n * row_bytes, &buf, &got));
    if (got != n * row_bytes) return Status::IOError(path + ": the file shrank while being read");
    floats.resize(n * dim);
    const auto* p = reinterpret_cast<const unsigned char*>(buf.data());
    for (size_t i = 0; i < floats.size(); i++) floats[i] = std::bit_cast<float>(LoadLE32(p + 4 * i));
    for (uint64_t r = 0; r < n; r++) {
      URD_RETURN_IF_ERROR(CheckRow({floats.data() + r * dim, dim}, dim, first + r, path));
    }
    URD_RETURN_IF_ERROR(fn(first, floats));
  }
  return Status::OK();
}

Status ReadFvecs(const RandomAccessFile& file, uint64_t size, const std::string& path, size_t dim,
                 size_t batch_rows, const RowsCallback& fn) {
  const uint64_t stride = 4 + uint64_t{dim} * 4;
  std::vector<char> buf;
  std::vector<float> floats;
  uint64_t first = 0;
  for (uint64_t offset = 0; offset < size;) {
    const uint64_t rows_left = (size - offset) / stride + 1;  // +1: a truncated last one
    const uint64_t want =
        std::min<uint64_t>(std::min<uint64_t>(batch_rows, rows_left) * stride, size - offset);
    size_t got = 0;
    URD_RETURN_IF_ERROR(ReadAt(file, offset, want, &buf, &got));
    if (got != want) return Status::IOError(path + ": the file shrank while being read");
    const auto* p = reinterpret_cast<const unsigned char*>(buf.data());
    floats.clear();
    uint64_t n = 0, pos = 0;
    for (; pos < got; pos += stride, n++) {
      const std::string where = "vector " + std::to_string(first + n) + " at offset " +
                                std::to_string(offset + pos);
      if (got - pos >= 4) {
        const auto d = static_cast<int32_t>(LoadLE32(p + pos));
        if (d < 0 || static_cast<uint64_t>(d) != dim) {
          return Status::InvalidArgument(path + ": " + where + " declares dimension " +
                                         std::to_string(d) + "; expected " + std::to_string(dim));
        }
      }
      if (got - pos < stride) return Status::InvalidArgument(path + ": " + where + " is truncated");
      for (size_t i = 0; i < dim; i++) {
        floats.push_back(std::bit_cast<float>(LoadLE32(p + pos + 4 + 4 * i)));
      }
      URD_RETURN_IF_ERROR(CheckRow({floats.data() + n * dim, dim}, dim, first + n, path));
    }
    URD_RETURN_IF_ERROR(fn(first, floats));
    first += n;
    offset += pos;
  }
  return Status::OK();
}

}  // namespace

Result<json> ParseJsonText(std::string_view text, std::string_view what) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    return Invalid(what, "invalid JSON: " + JsonReason(e));
  }
  URD_RETURN_IF_ERROR(vec::CheckJsonIntegerLiterals(text, what.empty() ? "JSON" : what));
  return j;
}

Result<std::vector<float>> VectorFromJson(const json& j, std::string_view path, size_t dim) {
  if (!j.is_array()) {
    return Invalid(path, "must be an array of numbers, got " + std::string(j.type_name()));
  }
  if (j.empty()) return Invalid(path, "is empty");
  std::vector<float> v;
  v.reserve(j.size());
  for (size_t i = 0; i < j.size(); i++) {
    const json& e = j[i];
    if (!e.is_number()) {
      return Invalid(Indexed(path, i), "expected a number, got " + std::string(e.type_name()));
    }
    const double d = e.get<double>();
    if (!std::isfinite(d)) return Invalid(Indexed(path, i), "number is not finite");
    if (std::fabs(d) > FLT_MAX) {
      return Invalid(Indexed(path, i), e.dump() + " is outside the range of a 32-bit float");
    }
    v.push_back(static_cast<float>(d));
  }
  // The store's rules: the dimension, and not all zeros.
  Status s = vec::ValidateVector(v, dim == 0 ? v.size() : dim, std::string(path));
  if (!s.ok()) return s;
  return v;
}

Result<std::vector<float>> ParseVectorText(std::string_view text, std::string_view path,
                                           size_t dim) {
  URD_ASSIGN_OR_RETURN(json j, ParseJsonText(text, path));
  return VectorFromJson(j, path, dim);
}

Result<VectorRecord> RecordFromJson(const json& j, size_t dim, size_t max_id_bytes) {
  if (!j.is_object()) {
    return Status::InvalidArgument(
        "expected a JSON object {\"id\", \"vector\", \"attrs\"}, got " + std::string(j.type_name()));
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != "id" && it.key() != "vector" && it.key() != "attrs") {
      return Status::InvalidArgument("unknown key \"" + it.key() +
                                     "\" (expected \"id\", \"vector\", \"attrs\")");
    }
  }
  VectorRecord rec;
  auto id = j.find("id");
  if (id == j.end()) return Status::InvalidArgument("missing \"id\"");
  if (!id->is_string()) {
    return Status::InvalidArgument("id must be a string, got " + std::string(id->type_name()));
  }
  rec.id = id->get<std::string>();
  URD_RETURN_IF_ERROR(vec::ValidateRecordId(rec.id, max_id_bytes));
  auto vector = j.find("vector");
  if (vector == j.end()) return Status::InvalidArgument("missing \"vector\"");
  URD_ASSIGN_OR_RETURN(rec.vector, VectorFromJson(*vector, "vector", dim));
  auto attrs = j.find("attrs");
  if (attrs != j.end() && !attrs->is_null()) {
    URD_ASSIGN_OR_RETURN(rec.attrs, vec::AttrsFromJson(*attrs, "attrs"));
  }
  return rec;
}

Result<std::vector<VectorRecord>> ParseRecordsJsonl(std::string_view text, size_t dim,
                                                    size_t max_id_bytes) {
  std::vector<VectorRecord> out;
  Status s = ForEachLine(text, [&](std::string_view line) -> Status {
    URD_ASSIGN_OR_RETURN(json j, ParseJsonText(line, ""));
    URD_ASSIGN_OR_RETURN(VectorRecord rec, RecordFromJson(j, dim, max_id_bytes));
    if (dim == 0) dim = rec.vector.size();
    out.push_back(std::move(rec));
    return Status::OK();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<float>> ParseQueriesJsonl(std::string_view text, size_t dim) {
  std::vector<float> out;
  Status s = ForEachLine(text, [&](std::string_view line) -> Status {
    URD_ASSIGN_OR_RETURN(json j, ParseJsonText(line, ""));
    std::vector<float> q;
    if (j.is_object()) {
      auto v = j.find("vector");
      if (v == j.end()) return Status::InvalidArgument("missing \"vector\"");
      URD_ASSIGN_OR_RETURN(q, VectorFromJson(*v, "vector", dim));
    } else if (j.is_array()) {
      URD_ASSIGN_OR_RETURN(q, VectorFromJson(j, "query", dim));
    } else {
      return Status::InvalidArgument(
          "expected an array of numbers or an object with \"vector\", got " +
          std::string(j.type_name()));
    }
    out.insert(out.end(), q.begin(), q.end());
    return Status::OK();
  });
  if (!s.ok()) return s;
  if (out.empty()) return Status::InvalidArgument("no queries (every line is blank)");
  return out;
}

Result<std::string> ReadInput(Env* env, const std::string& path) {
  if (path != "-") return ReadFileToString(env, path);
  std::string text(std::istreambuf_iterator<char>(std::cin), {});
  if (std::cin.bad()) return Status::IOError("reading standard input failed");
  return text;
}

Result<size_t> FvecsDimension(Env* env, const std::string& path) {
  URD_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(path));
  std::vector<char> buf;
  size_t got = 0;
  URD_RETURN_IF_ERROR(ReadAt(*file, 0, 4, &buf, &got));
  if (got < 4) return Status::InvalidArgument(path + ": too short for an fvecs file");
  const auto d = static_cast<int32_t>(LoadLE32(reinterpret_cast<const unsigned char*>(buf.data())));
  if (d <= 0) {
    return Status::InvalidArgument(path + ": the first vector declares dimension " +
                                   std::to_string(d));
  }
  return static_cast<size_t>(d);
}

Status ReadVectorFile(Env* env, const std::string& path, VectorFileFormat format, size_t dim,
                      size_t batch_rows, const RowsCallback& fn) {
  if (dim == 0 || batch_rows == 0) {
    return Status::InvalidArgument("ReadVectorFile: dimension and batch size must be positive");
  }
  URD_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(path));
  URD_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  if (format == VectorFileFormat::kF32) return ReadF32(*file, size, path, dim, batch_rows, fn);
  return ReadFvecs(*file, size, path, dim, batch_rows, fn);
}

}  // namespace urd::app
