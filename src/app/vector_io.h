// Copyright urd authors. Reading vectors and records for the `urd` command: JSON
// vectors (--vector), JSONL records (vec upsert --jsonl), JSONL queries (vec search
// --queries), raw little-endian f32 rows (--f32) and fvecs files (--fvecs).
//
// Thread-safety: pure functions over their arguments.
//
// Every function validates what it returns, so that an import can reject bad input
// before it writes anything: vectors have exactly the dimension asked for, every
// component a finite number inside the float range, not all zeros (the store's
// rules, vec::ValidateVector); ids and attributes follow the store's rules too.
// Errors are InvalidArgument naming where the problem is: "line 3: vector[1]: ...",
// "<file>: row 7: ...". JSON integers and floats are both accepted as components.

#ifndef URD_APP_VECTOR_IO_H_
#define URD_APP_VECTOR_IO_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "urd/env.h"
#include "urd/result.h"
#include "urd/vector_store.h"

namespace urd::app {

// Parses JSON text. InvalidArgument "<what>: invalid JSON: <reason>" otherwise.
// Integer literals outside int64 are rejected too (vec::CheckJsonIntegerLiterals).
Result<nlohmann::json> ParseJsonText(std::string_view text, std::string_view what);

// Converts a JSON array of numbers to floats. `path` names the array in errors
// ("vector[2]: expected a number, got string"). Rejects non-arrays, non-numbers,
// values outside the float range and (from hand-built json) non-finite numbers.
// With `dim` > 0 the array must have exactly `dim` components; in any case it must
// not be empty or all zeros.
Result<std::vector<float>> VectorFromJson(const nlohmann::json& j, std::string_view path,
                                          size_t dim);

// VectorFromJson of the JSON text `text` (e.g. the --vector argument).
Result<std::vector<float>> ParseVectorText(std::string_view text, std::string_view path,
                                           size_t dim);

// One JSONL record: an object {"id": string, "vector": [numbers], "attrs": object};
// "attrs" is optional (empty); other keys are rejected. `dim` as VectorFromJson.
Result<VectorRecord> RecordFromJson(const nlohmann::json& j, size_t dim, size_t max_id_bytes);

// Parses JSONL text of records, one per line; lines holding only whitespace are
// skipped. `dim` 0 takes the dimension of the first record and holds every other
// one to it. Errors: "line N: <reason>" (N counts from 1, blank lines included).
Result<std::vector<VectorRecord>> ParseRecordsJsonl(std::string_view text, size_t dim,
                                                    size_t max_id_bytes);

// Parses JSONL text of queries: each line an array of numbers or an object with a
// "vector" array (other keys ignored); blank lines skipped. Returns the queries
// row-major (count = size / dim). Errors as ParseRecordsJsonl; no query at all is
// an error too.
Result<std::vector<float>> ParseQueriesJsonl(std::string_view text, size_t dim);

// Reads a whole file through `env`, or standard input when `path` is "-".
Result<std::string> ReadInput(Env* env, const std::string& path);

// Binary vector files.
enum class VectorFileFormat {
  kF32,    // rows of `dim` little-endian f32, nothing else; size = rows * dim * 4
  kFvecs,  // per vector: little-endian int32 d, then d little-endian f32
};

// The dimension an fvecs file declares (its first int32). InvalidArgument for an
// empty or short file, or a non-positive dimension.
Result<size_t> FvecsDimension(Env* env, const std::string& path);

// Called with consecutive rows: `first_row` is the index of the first, `rows`
// holds rows.size() / dim rows, row-major.
using RowsCallback = std::function<Status(uint64_t first_row, std::span<const float> rows)>;

// Reads `path` in chunks of at most `batch_rows` rows, checking every row
// (dimension, finite, not all zeros), and calls `fn` with each chunk; stops at the
// first error, of the file or of `fn`. File errors name the file and the row:
// "<path>: 100 bytes is not a whole number of 12-byte rows (dimension 3)",
// "<path>: row 4: vector has a non-finite component at index 0",
// "<path>: vector 2 at offset 40 declares dimension 4; expected 3",
// "<path>: vector 5 at offset 80 is truncated". An empty file has no rows (OK).
// REQUIRES: dim > 0, batch_rows > 0.
Status ReadVectorFile(Env* env, const std::string& path, VectorFileFormat format, size_t dim,
                      size_t batch_rows, const RowsCallback& fn);

}  // namespace urd::app

#endif  // URD_APP_VECTOR_IO_H_
