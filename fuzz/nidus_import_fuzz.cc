// Copyright urd authors. Fuzz target `nidus_import`: the nidus 0.3.0 store reader
// (ReadNidusStore, src/vector/nidus_reader.h) over a store directory made from the
// input in the in-memory Env.
//
// Input: a flags byte, a dimension byte (D = 1 + byte % 8), then sections
// separated by "|^|" (kSep).
//   structured (flags bit 0 clear): section 0 is the rows of `data` (appended to a
//     valid 64-byte header for D); every later section is one op payload (bincode),
//     framed into `log` with its length and a valid CRC-32; flags bit 1 writes the
//     last section unframed instead, as a torn tail.
//   raw (bit 0 set): sections 0 and 1 are `data` and `log` verbatim.
// Flags bit 2 leaves `data` out, bit 3 leaves `log` out.
//
// Asserts, beyond "does not crash" (and beyond DecodeNidusOp on every payload):
//  * on success the store is consistent: `rows` and `ignored_partial_row_bytes`
//    match the size of `data` and the dimension; every doc has D floats; ids are
//    unique and sorted within a collection; skipped Upserts <= ops;
//  * errors are only those documented (Corruption, NotSupported);
//  * reading is deterministic: a second read gives the same store.

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/varint.h"
#include "fuzz/fuzz_util.h"
#include "urd/env.h"
#include "vector/nidus_reader.h"

namespace {

using urd::vec::NidusStore;

const std::string kDir = "/nidus";

std::string Frame(std::string_view payload) {
  std::string out;
  urd::PutFixed32(&out, static_cast<uint32_t>(payload.size()));
  out.append(payload);
  const uLong crc =
      crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size()));
  urd::PutFixed32(&out, static_cast<uint32_t>(crc));
  return out;
}

bool SameStore(const NidusStore& a, const NidusStore& b) {
  if (a.dimension != b.dimension || a.rows != b.rows || a.dead_rows != b.dead_rows ||
      a.ops != b.ops || a.skipped_upserts != b.skipped_upserts ||
      a.ignored_torn_log_bytes != b.ignored_torn_log_bytes ||
      a.ignored_partial_row_bytes != b.ignored_partial_row_bytes ||
      a.collections.size() != b.collections.size()) {
    return false;
  }
  for (auto i = a.collections.begin(), j = b.collections.begin(); i != a.collections.end();
       ++i, ++j) {
    if (i->first != j->first || i->second.meta != j->second.meta ||
        i->second.docs.size() != j->second.docs.size()) {
      return false;
    }
    for (size_t d = 0; d < i->second.docs.size(); ++d) {
      const auto& x = i->second.docs[d];
      const auto& y = j->second.docs[d];
      if (x.id != y.id || x.vector.size() != y.vector.size() || x.attrs != y.attrs ||
          std::memcmp(x.vector.data(), y.vector.data(), x.vector.size() * sizeof(float)) != 0) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  const uint32_t dim = 1 + data[1] % 8;
  const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::vector<std::string_view> sections = urd::fuzz::Split(body, urd::fuzz::kSep);

  std::string data_file, log_file;
  if (flags & 1) {
    data_file = sections[0];
    if (sections.size() > 1) log_file = sections[1];
  } else {
    data_file.assign(urd::vec::kNidusMagic, urd::vec::kNidusMagicSize);
    urd::PutFixed16(&data_file, urd::vec::kNidusDataVersion);
    urd::PutFixed32(&data_file, dim);
    data_file.resize(urd::vec::kNidusHeaderSize, '\0');
    data_file += sections[0];
    for (size_t i = 1; i < sections.size(); ++i) {
      urd::vec::NidusOp op;
      (void)urd::vec::DecodeNidusOp(sections[i], &op);
      const bool torn = (flags & 2) && i + 1 == sections.size();
      log_file += torn ? std::string(sections[i]) : Frame(sections[i]);
    }
  }

  std::unique_ptr<urd::Env> env = urd::NewMemEnv();
  URD_FUZZ_CHECK(env->CreateDir(kDir).ok());
  if (!(flags & 4)) URD_FUZZ_CHECK(urd::WriteFileAtomic(env.get(), kDir + "/data", data_file).ok());
  if (!(flags & 8)) URD_FUZZ_CHECK(urd::WriteFileAtomic(env.get(), kDir + "/log", log_file).ok());

  auto store = urd::vec::ReadNidusStore(env.get(), kDir);
  if (!store.ok()) {
    URD_FUZZ_CHECK(store.status().IsCorruption() || store.status().IsNotSupported());
    return 0;
  }
  const NidusStore& s = *store;
  const bool has_data = !(flags & 4) && !data_file.empty();
  if (s.dimension == 0) {
    URD_FUZZ_CHECK(s.collections.empty() && s.rows == 0);
  } else {
    URD_FUZZ_CHECK(has_data && data_file.size() >= urd::vec::kNidusHeaderSize);
    const uint64_t row_bytes = uint64_t{s.dimension} * 4;
    const uint64_t payload = data_file.size() - urd::vec::kNidusHeaderSize;
    URD_FUZZ_CHECK(s.rows == payload / row_bytes);
    URD_FUZZ_CHECK(s.ignored_partial_row_bytes == payload % row_bytes);
  }
  URD_FUZZ_CHECK(s.skipped_upserts <= s.ops);
  for (const auto& [name, c] : s.collections) {
    for (size_t d = 0; d < c.docs.size(); ++d) {
      URD_FUZZ_CHECK(c.docs[d].vector.size() == s.dimension);
      if (d > 0) URD_FUZZ_CHECK(c.docs[d - 1].id < c.docs[d].id);
    }
  }
  auto again = urd::vec::ReadNidusStore(env.get(), kDir);
  URD_FUZZ_CHECK(again.ok() && SameStore(*again, s));
  return 0;
}
