// Copyright urd authors. Fuzz target `vector_replay`: VectorStore::Open on a store
// directory (docs/format.md §3) whose operation log and vectors file come from the
// input, in the in-memory Env (VectorOptions::env).
//
// Input: a flags byte, a dimension byte (D = 1 + byte % 8), then sections
// separated by "|^|" (kSep).
//   structured (flags bit 0 clear): section 0 is the rows of vectors.1 (appended to
//     a valid 64-byte header); every later section is one operation (docs/format.md
//     §3.3) of ops.1, framed with valid CRCs; an empty section ends a batch (the last
//     batch is committed too, unless flags bit 4 leaves it torn: no COMMIT frame).
//     An UPSERT that decodes and names a whole row gets that row's checksum, so the
//     fuzzer gets past the row check to replay itself.
//   raw (bit 0 set): sections 0, 1 and 2 are vectors.1, ops.1 and CURRENT verbatim
//     (CURRENT is generated when there is no section 2).
// Other flags: bit 1 read-only open; bit 2 salvage; bit 3 keep the int8 and f16
// copies; bit 5 open with dimension 0 ("whatever it has"); bit 6 no auto-compaction.
//
// Asserts, beyond "does not crash": Open returns an error or a store on which
//  * every collection lists, counts and gets: CountRecords == GetAll's size, Get of
//    every id returns that record, every vector has D components;
//  * Search and SearchBatch succeed with min(k, records) hits in score order, every
//    hit readable with Get (int8/f16 scans too when kept);
//  * the content survives a writable reopen (torn tails and orphan rows cut), and a
//    Compact() followed by a reopen: the same collections, metadata and records.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "storage/log_reader.h"
#include "storage/log_writer.h"
#include "urd/env.h"
#include "urd/vector_store.h"
#include "vector/vector_format.h"

namespace {

using urd::VectorRecord;
using urd::VectorStore;

const std::string kDir = "/store";

// Value equality with floats compared bit for bit (NaN equals itself).
bool SameValue(const urd::Value& a, const urd::Value& b) {
  if (a.is_float() && b.is_float()) {
    const double x = a.as_float(), y = b.as_float();
    return std::memcmp(&x, &y, sizeof(double)) == 0;
  }
  return a == b;
}

bool SameRecord(const VectorRecord& a, const VectorRecord& b) {
  if (a.id != b.id || a.vector.size() != b.vector.size() || a.attrs.size() != b.attrs.size()) {
    return false;
  }
  if (!a.vector.empty() &&
      std::memcmp(a.vector.data(), b.vector.data(), a.vector.size() * sizeof(float)) != 0) {
    return false;
  }
  for (auto i = a.attrs.begin(), j = b.attrs.begin(); i != a.attrs.end(); ++i, ++j) {
    if (i->first != j->first || !SameValue(i->second, j->second)) return false;
  }
  return true;
}

struct Collection {
  std::map<std::string, std::string> meta;
  std::vector<VectorRecord> records;
};
using Snapshot = std::map<std::string, Collection>;

bool SameSnapshot(const Snapshot& a, const Snapshot& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
    if (i->first != j->first || i->second.meta != j->second.meta ||
        i->second.records.size() != j->second.records.size()) {
      return false;
    }
    for (size_t r = 0; r < i->second.records.size(); ++r) {
      if (!SameRecord(i->second.records[r], j->second.records[r])) return false;
    }
  }
  return true;
}

// Reads everything through the API and checks the read calls agree.
Snapshot Read(const VectorStore& store, size_t dim) {
  Snapshot snap;
  for (const std::string& name : store.ListCollections()) {
    URD_FUZZ_CHECK(store.HasCollection(name));
    Collection& c = snap[name];
    auto meta = store.GetMeta(name);
    URD_FUZZ_CHECK(meta.ok());
    c.meta = *meta;
    auto all = store.GetAll(name);
    URD_FUZZ_CHECK(all.ok());
    c.records = std::move(*all);
    auto count = store.CountRecords(name);
    URD_FUZZ_CHECK(count.ok() && *count == c.records.size());
    for (size_t i = 0; i < c.records.size(); ++i) {
      const VectorRecord& r = c.records[i];
      URD_FUZZ_CHECK(r.vector.size() == dim);
      if (i > 0) URD_FUZZ_CHECK(c.records[i - 1].id < r.id);
      auto got = store.Get(name, r.id);
      URD_FUZZ_CHECK(got.ok() && SameRecord(*got, r));
    }
  }
  return snap;
}

void CheckSearch(const VectorStore& store, size_t dim, const Snapshot& snap, bool compressed) {
  size_t total = 0;
  for (const auto& [name, c] : snap) total += c.records.size();
  URD_FUZZ_CHECK(store.GetFootprint().doc_count == total);
  std::vector<float> query(dim);
  for (size_t i = 0; i < dim; ++i) query[i] = 1.0f / static_cast<float>(i + 1);
  urd::SearchOptions o;
  o.top_k = 5;
  o.threads = 1;
  std::vector<urd::ScanMode> modes = {urd::ScanMode::kExact};
  if (compressed) {
    modes.push_back(urd::ScanMode::kInt8);
    modes.push_back(urd::ScanMode::kF16);
  }
  for (urd::ScanMode mode : modes) {
    o.mode = mode;
    auto hits = store.Search(urd::Scope::All(), query, o);
    URD_FUZZ_CHECK(hits.ok());
    URD_FUZZ_CHECK(hits->size() == std::min(o.top_k, total));
    for (size_t i = 0; i < hits->size(); ++i) {
      const urd::Hit& h = (*hits)[i];
      URD_FUZZ_CHECK(store.Get(h.collection, h.id).ok());
      if (i > 0 && !std::isnan(h.score) && !std::isnan((*hits)[i - 1].score)) {
        URD_FUZZ_CHECK((*hits)[i - 1].score >= h.score);
      }
    }
    std::vector<float> two(query);
    two.insert(two.end(), query.begin(), query.end());
    auto batch = store.SearchBatch(urd::Scope::All(), two, o);
    URD_FUZZ_CHECK(batch.ok() && batch->size() == 2);
    URD_FUZZ_CHECK((*batch)[0].size() == hits->size());
  }
}

// Builds the store directory from the input (see the file comment). Returns the
// dimension the files carry.
size_t BuildStore(urd::Env* env, uint8_t flags, uint8_t dim_byte, std::string_view body) {
  const size_t dim = 1 + dim_byte % 8;
  const std::vector<std::string_view> sections = urd::fuzz::Split(body, urd::fuzz::kSep);
  std::string vectors, ops, current;
  current = urd::vec::EncodeCurrent({1, static_cast<uint32_t>(dim)});
  if (flags & 1) {
    vectors = sections[0];
    if (sections.size() > 1) ops = sections[1];
    if (sections.size() > 2) current = sections[2];
  } else {
    vectors = urd::vec::EncodeVectorsHeader(static_cast<uint32_t>(dim), 1);
    vectors += sections[0];
    const size_t stride = urd::vec::RowStrideBytes(dim);
    const uint64_t rows = (vectors.size() - urd::vec::kVectorsHeaderSize) / stride;
    ops = urd::EncodeLogHeader(urd::LogKind::kVector);
    std::vector<std::string> batch;
    uint64_t sequence = 0;
    auto flush = [&](bool commit) {
      std::vector<std::string_view> views(batch.begin(), batch.end());
      std::string frames;
      urd::LogWriter::EncodeBatch(++sequence, views, &frames);
      if (!commit) frames.resize(frames.size() - urd::kFrameHeaderSize - urd::kCommitPayloadSize);
      ops += frames;
      batch.clear();
    };
    for (size_t i = 1; i < sections.size(); ++i) {
      if (sections[i].empty()) {
        flush(true);
        continue;
      }
      std::string op(sections[i]);
      urd::vec::VectorOp decoded;
      if (urd::vec::DecodeOp(op, &decoded).ok() && decoded.type == urd::vec::OpType::kUpsert &&
          decoded.row < rows) {
        std::vector<float> row(dim);
        std::memcpy(row.data(),
                    vectors.data() + urd::vec::kVectorsHeaderSize + decoded.row * stride,
                    dim * sizeof(float));
        decoded.row_crc = urd::vec::RowChecksum(row.data(), dim);
        op.clear();
        urd::vec::EncodeOp(decoded, &op);
      }
      batch.push_back(std::move(op));
    }
    if (!batch.empty()) flush((flags & 16) == 0);
  }
  URD_FUZZ_CHECK(env->CreateDir(kDir).ok());
  URD_FUZZ_CHECK(
      urd::WriteFileAtomic(env, kDir + "/" + urd::vec::VectorsFileName(1), vectors).ok());
  URD_FUZZ_CHECK(urd::WriteFileAtomic(env, kDir + "/" + urd::vec::OpsFileName(1), ops).ok());
  URD_FUZZ_CHECK(urd::WriteFileAtomic(env, kDir + "/" + urd::vec::CurrentFileName(), current).ok());
  return dim;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  std::unique_ptr<urd::Env> env = urd::NewMemEnv();
  const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t dim = BuildStore(env.get(), flags, data[1], body);

  urd::VectorOptions o;
  o.env = env.get();
  o.fsync = urd::VectorFsync::kNever;
  o.create_if_missing = false;
  o.read_only = (flags & 2) != 0;
  o.salvage = (flags & 4) != 0;
  o.keep_int8 = o.keep_f16 = (flags & 8) != 0;
  o.dimension = (flags & 32) ? 0 : dim;
  if (flags & 64) o.auto_compact.reset();
  o.scan_threads = 1;

  Snapshot first;
  size_t store_dim = 0;
  {
    auto store = VectorStore::Open(kDir, o);
    if (!store.ok()) return 0;
    store_dim = (*store)->dimension();
    if (o.dimension != 0) URD_FUZZ_CHECK(store_dim == dim);
    first = Read(**store, store_dim);
    CheckSearch(**store, store_dim, first, o.keep_int8);
  }

  // A writable reopen sees the same content (and, if the first open was
  // read-only, cuts what it ignored).
  o.read_only = false;
  o.dimension = store_dim;
  {
    auto store = VectorStore::Open(kDir, o);
    URD_FUZZ_CHECK(store.ok());
    URD_FUZZ_CHECK(SameSnapshot(Read(**store, store_dim), first));
    URD_FUZZ_CHECK((*store)->Compact().ok());
    URD_FUZZ_CHECK(SameSnapshot(Read(**store, store_dim), first));
  }
  {
    auto store = VectorStore::Open(kDir, o);
    URD_FUZZ_CHECK(store.ok());
    const Snapshot compacted = Read(**store, store_dim);
    URD_FUZZ_CHECK(SameSnapshot(compacted, first));
    CheckSearch(**store, store_dim, compacted, o.keep_int8);
  }
  return 0;
}
