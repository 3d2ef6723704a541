// Copyright urd authors. The vector store's files (docs/format.md §3): constants,
// the CURRENT file, the vectors.G header, and the operations of ops.G.
//
// Thread-safety: pure functions and value types.

#ifndef URD_VECTOR_VECTOR_FORMAT_H_
#define URD_VECTOR_VECTOR_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "urd/result.h"
#include "urd/value.h"

namespace urd::vec {

inline constexpr char kVectorsMagic[8] = {'\x89', 'U', 'R', 'D', 'V', 'E', 'C', '\n'};
inline constexpr uint32_t kVectorsVersion = 1;
inline constexpr size_t kVectorsHeaderSize = 64;
inline constexpr size_t kMaxDimension = 65536;
inline constexpr uint32_t kCurrentVersion = 1;
inline constexpr size_t kMaxCollectionNameBytes = 256;

// Row stride in bytes for a dimension: D*4 rounded up to 64.
inline size_t RowStrideBytes(size_t dim) { return (dim * 4 + 63) / 64 * 64; }

std::string CurrentFileName();                      // "CURRENT"
std::string VectorsFileName(uint64_t generation);   // "vectors.<G>"
std::string OpsFileName(uint64_t generation);       // "ops.<G>"

struct CurrentInfo {
  uint64_t generation = 0;
  uint32_t dimension = 0;
};
std::string EncodeCurrent(const CurrentInfo& info);
// Corruption / NotSupported naming `path` on bad contents.
Result<CurrentInfo> DecodeCurrent(std::string_view text, const std::string& path);

std::string EncodeVectorsHeader(uint32_t dimension, uint64_t generation);
// Checks magic, version, checksum, stride and that dimension/generation match.
Status CheckVectorsHeader(std::string_view header, uint32_t dimension, uint64_t generation,
                          const std::string& path);

enum class OpType : uint8_t {
  kCreateCollection = 1,
  kDropCollection = 2,
  kSetMeta = 3,
  kUpsert = 4,
  kDelete = 5,
};

struct VectorOp {
  OpType type = OpType::kCreateCollection;
  std::string collection;
  std::string id;                           // kUpsert, kDelete
  uint64_t row = 0;                         // kUpsert
  uint32_t row_crc = 0;                     // kUpsert: masked CRC32C of the row's D*4 bytes
  Attrs attrs;                              // kUpsert
  std::map<std::string, std::string> meta;  // kSetMeta
};

void EncodeOp(const VectorOp& op, std::string* out);
// Corruption with a reason on any malformed input (no trailing bytes allowed).
Status DecodeOp(std::string_view in, VectorOp* op);

// Masked CRC32C of a row's first `dim` floats (little-endian bytes).
uint32_t RowChecksum(const float* row, size_t dim);

// Why a stored row referenced by an UPSERT with checksum `crc` is corrupt
// (docs/format.md §3.2): "fails its checksum", "holds a non-finite component"; null
// when it is sound.
const char* RowProblem(const float* row, size_t dim, uint32_t crc);

}  // namespace urd::vec

#endif  // URD_VECTOR_VECTOR_FORMAT_H_
