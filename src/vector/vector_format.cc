// Copyright urd authors.

#include "vector/vector_format.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "base/crc32c.h"
#include "base/varint.h"
#include "vector/attr_codec.h"

namespace urd::vec {

namespace {

void PutString(std::string* out, std::string_view s) {
  PutVarint64(out, s.size());
  out->append(s);
}

bool GetString(std::string_view* in, std::string* s) {
  uint64_t n = 0;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  s->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

Status Bad(const std::string& why) { return Status::Corruption("vector operation: " + why); }

}  // namespace

std::string CurrentFileName() { return "CURRENT"; }
std::string VectorsFileName(uint64_t g) { return "vectors." + std::to_string(g); }
std::string OpsFileName(uint64_t g) { return "ops." + std::to_string(g); }

std::string EncodeCurrent(const CurrentInfo& info) {
  std::string body = "urd-vectors " + std::to_string(kCurrentVersion) + "\n";
  body += "generation " + std::to_string(info.generation) + "\n";
  body += "dimension " + std::to_string(info.dimension) + "\n";
  char hex[16];
  std::snprintf(hex, sizeof(hex), "%08x", Crc32cMask(Crc32cValue(body.data(), body.size())));
  return body + "checksum " + hex + "\n";
}

Result<CurrentInfo> DecodeCurrent(std::string_view text, const std::string& path) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption(path + ": not a valid CURRENT file: " + why);
  };
  size_t cut = text.rfind("checksum ");
  if (cut == std::string_view::npos) return bad("no checksum line");
  std::string_view body = text.substr(0, cut);
  unsigned stored = 0;
  char tail = 0;
  std::string check(text.substr(cut));
  if (std::sscanf(check.c_str(), "checksum %8x%c", &stored, &tail) != 2 || tail != '\n' ||
      check.size() != 18) {
    return bad("malformed checksum line");
  }
  if (Crc32cMask(Crc32cValue(body.data(), body.size())) != stored) return bad("checksum mismatch");
  unsigned version = 0;
  unsigned long long gen = 0, dim = 0;
  int used = 0;
  std::string b(body);
  if (std::sscanf(b.c_str(), "urd-vectors %u\ngeneration %llu\ndimension %llu\n%n", &version, &gen,
                  &dim, &used) != 3 ||
      static_cast<size_t>(used) != b.size()) {
    return bad("malformed lines");
  }
  if (version != kCurrentVersion) {
    return Status::NotSupported(path + ": vector store format version " + std::to_string(version) +
                                " (this build reads version 1)");
  }
  if (gen == 0 || dim == 0 || dim > kMaxDimension) return bad("generation or dimension out of range");
  return CurrentInfo{gen, static_cast<uint32_t>(dim)};
}

std::string EncodeVectorsHeader(uint32_t dimension, uint64_t generation) {
  std::string h(kVectorsMagic, sizeof(kVectorsMagic));
  PutFixed32(&h, kVectorsVersion);
  PutFixed32(&h, dimension);
  PutFixed32(&h, static_cast<uint32_t>(RowStrideBytes(dimension)));
  PutFixed64(&h, generation);
  h.append(32, '\0');
  PutFixed32(&h, Crc32cMask(Crc32cValue(h.data(), 60)));
  return h;
}

Status CheckVectorsHeader(std::string_view h, uint32_t dimension, uint64_t generation,
                          const std::string& path) {
  if (h.size() < kVectorsHeaderSize) {
    return Status::Corruption(path + ": vectors header truncated to " + std::to_string(h.size()) +
                              " bytes");
  }
  if (std::memcmp(h.data(), kVectorsMagic, sizeof(kVectorsMagic)) != 0) {
    return Status::Corruption(path + ": not an urd vectors file: bad magic");
  }
  if (Crc32cMask(Crc32cValue(h.data(), 60)) != DecodeFixed32(h.data() + 60)) {
    return Status::Corruption(path + ": vectors header checksum mismatch");
  }
  uint32_t version = DecodeFixed32(h.data() + 8);
  if (version != kVectorsVersion) {
    return Status::NotSupported(path + ": vectors format version " + std::to_string(version));
  }
  if (DecodeFixed32(h.data() + 12) != dimension ||
      DecodeFixed32(h.data() + 16) != RowStrideBytes(dimension) ||
      DecodeFixed64(h.data() + 20) != generation) {
    return Status::Corruption(path + ": vectors header does not match CURRENT (dimension " +
                              std::to_string(DecodeFixed32(h.data() + 12)) + ", generation " +
                              std::to_string(DecodeFixed64(h.data() + 20)) + ")");
  }
  return Status::OK();
}

void EncodeOp(const VectorOp& op, std::string* out) {
  out->push_back(static_cast<char>(op.type));
  PutString(out, op.collection);
  switch (op.type) {
    case OpType::kCreateCollection:
    case OpType::kDropCollection:
      break;
    case OpType::kSetMeta:
      PutVarint64(out, op.meta.size());
      for (const auto& [k, v] : op.meta) {
        PutString(out, k);
        PutString(out, v);
      }
      break;
    case OpType::kUpsert:
      PutString(out, op.id);
      PutVarint64(out, op.row);
      PutFixed32(out, op.row_crc);
      EncodeAttrs(op.attrs, out);
      break;
    case OpType::kDelete:
      PutString(out, op.id);
      break;
  }
}

Status DecodeOp(std::string_view in, VectorOp* op) {
  *op = VectorOp();
  if (in.empty()) return Bad("empty record");
  uint8_t t = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if (t < 1 || t > 5) return Bad("unknown operation " + std::to_string(t));
  op->type = static_cast<OpType>(t);
  if (!GetString(&in, &op->collection)) return Bad("truncated collection name");
  switch (op->type) {
    case OpType::kCreateCollection:
    case OpType::kDropCollection:
      break;
    case OpType::kSetMeta: {
      uint64_t n = 0;
      if (!GetVarint64(&in, &n) || n > in.size() / 2) return Bad("bad metadata count");
      for (uint64_t i = 0; i < n; i++) {
        std::string k, v;
        if (!GetString(&in, &k) || !GetString(&in, &v)) return Bad("truncated metadata");
        if (!op->meta.empty() && !(op->meta.rbegin()->first < k)) {
          return Bad("metadata keys not ascending");
        }
        op->meta.emplace(std::move(k), std::move(v));
      }
      break;
    }
    case OpType::kUpsert: {
      if (!GetString(&in, &op->id)) return Bad("truncated id");
      if (!GetVarint64(&in, &op->row) || in.size() < 4) return Bad("truncated row");
      op->row_crc = DecodeFixed32(in.data());
      in.remove_prefix(4);
      Status s = DecodeAttrs(&in, &op->attrs);
      if (!s.ok()) return s.WithContext("vector operation attrs");
      break;
    }
    case OpType::kDelete:
      if (!GetString(&in, &op->id)) return Bad("truncated id");
      break;
  }
  if (!in.empty()) return Bad(std::to_string(in.size()) + " trailing bytes");
  return Status::OK();
}

uint32_t RowChecksum(const float* row, size_t dim) {
  static_assert(std::endian::native == std::endian::little, "row bytes are little-endian");
  return Crc32cMask(Crc32cValue(reinterpret_cast<const char*>(row), dim * sizeof(float)));
}

const char* RowProblem(const float* row, size_t dim, uint32_t crc) {
  if (RowChecksum(row, dim) != crc) return "fails its checksum";
  for (size_t i = 0; i < dim; i++) {
    if (!std::isfinite(row[i])) return "holds a non-finite component";
  }
  return nullptr;
}

}  // namespace urd::vec
