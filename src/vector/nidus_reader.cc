// Copyright urd authors.

#include "vector/nidus_reader.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>
#include <utility>

namespace urd::vec {

namespace {

uint16_t LoadU16(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>(b[0] | (b[1] << 8));
}

uint32_t LoadU32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint32_t>(b[0]) | (static_cast<uint32_t>(b[1]) << 8) |
         (static_cast<uint32_t>(b[2]) << 16) | (static_cast<uint32_t>(b[3]) << 24);
}

uint64_t LoadU64(const char* p) {
  return static_cast<uint64_t>(LoadU32(p)) | (static_cast<uint64_t>(LoadU32(p + 4)) << 32);
}

uint32_t Crc32(std::string_view data) {
  // zlib's crc32 takes a uInt length; feed it in pieces for payloads over 4 GiB.
  uLong crc = crc32(0L, Z_NULL, 0);
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

// Strict UTF-8 validation, as Rust's str::from_utf8: no overlong forms, no
// surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (n - i < len) return false;
    if (p[i + 1] < lo || p[i + 1] > hi) return false;
    for (size_t k = 2; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// Decodes bincode-1 legacy encoding from one payload. Every read checks the bytes
// left first; the first failure is kept in error_ and later reads return defaults.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t remaining() const { return in_.size(); }

  void Fail(std::string reason) {
    if (ok()) error_ = std::move(reason);
  }

  uint8_t U8() { return Take(1) ? static_cast<uint8_t>(last_[0]) : 0; }
  uint32_t U32() { return Take(4) ? LoadU32(last_) : 0; }
  uint64_t U64() { return Take(8) ? LoadU64(last_) : 0; }

  bool Bool() {
    const uint8_t b = U8();
    if (ok() && b > 1) Fail("invalid bool byte " + std::to_string(b));
    return b == 1;
  }

  std::string String(const char* what) {
    const uint64_t len = U64();
    if (!ok()) return {};
    if (len > in_.size()) {
      Fail(std::string(what) + " length " + std::to_string(len) + " exceeds the " +
           std::to_string(in_.size()) + " payload bytes left");
      return {};
    }
    std::string s(in_.substr(0, static_cast<size_t>(len)));
    in_.remove_prefix(static_cast<size_t>(len));
    if (!IsValidUtf8(s)) Fail(std::string(what) + " is not valid UTF-8");
    return s;
  }

  // Reads a u64 element count; fails when `count * min_size` bytes are not left.
  uint64_t Count(const char* what, size_t min_size) {
    const uint64_t count = U64();
    if (ok() && count > in_.size() / min_size) {
      Fail(std::string(what) + " count " + std::to_string(count) + " exceeds the " +
           std::to_string(in_.size()) + " payload bytes left");
      return 0;
    }
    return ok() ? count : 0;
  }

 private:
  bool Take(size_t n) {
    if (!ok()) return false;
    if (in_.size() < n) {
      Fail("payload ends early: " + std::to_string(n) + " bytes needed, " +
           std::to_string(in_.size()) + " left");
      return false;
    }
    last_ = in_.data();
    in_.remove_prefix(n);
    return true;
  }

  std::string_view in_;
  const char* last_ = nullptr;
  std::string error_;
};

Value DecodeValue(Decoder* d) {
  const uint32_t variant = d->U32();
  if (!d->ok()) return Value();
  switch (variant) {
    case 0:
      return Value::Null();
    case 1:
      return Value::String(d->String("string value"));
    case 2:
      return Value::Int(static_cast<int64_t>(d->U64()));
    case 3:
      return Value::Bool(d->Bool());
    case 4: {
      const uint64_t count = d->Count("list", 8);
      std::vector<std::string> items;
      items.reserve(static_cast<size_t>(count));
      for (uint64_t i = 0; i < count && d->ok(); ++i) items.push_back(d->String("list item"));
      return Value::List(std::move(items));
    }
    default:
      d->Fail("unknown value variant " + std::to_string(variant));
      return Value();
  }
}

std::map<std::string, std::string> DecodeMeta(Decoder* d) {
  std::map<std::string, std::string> meta;
  const uint64_t count = d->Count("meta map", 16);
  for (uint64_t i = 0; i < count && d->ok(); ++i) {
    std::string key = d->String("meta key");
    std::string value = d->String("meta value");
    meta.insert_or_assign(std::move(key), std::move(value));
  }
  return meta;
}

Attrs DecodeAttrs(Decoder* d) {
  Attrs attrs;
  const uint64_t count = d->Count("attrs map", 12);
  for (uint64_t i = 0; i < count && d->ok(); ++i) {
    std::string key = d->String("attr key");
    Value value = DecodeValue(d);
    attrs.insert_or_assign(std::move(key), std::move(value));
  }
  return attrs;
}

void DecodeOpFields(Decoder* d, NidusOp* op) {
  op->collection = d->String("collection");
  switch (op->type) {
    case NidusOpType::kCreateCollection:
    case NidusOpType::kDropCollection:
      break;
    case NidusOpType::kSetMeta:
      op->meta = DecodeMeta(d);
      break;
    case NidusOpType::kUpsert:
      op->id = d->String("id");
      op->row = d->U64();
      op->attrs = DecodeAttrs(d);
      break;
    case NidusOpType::kDelete:
      op->id = d->String("id");
      break;
  }
}

// ---- replay state (§2.5) ----

struct DocEntry {
  uint64_t row = 0;
  Attrs attrs;
};

struct CollectionState {
  std::map<std::string, std::string> meta;
  std::map<std::string, DocEntry> docs;
};

struct ReplayState {
  uint64_t rows = 0;  // the row-count snapshot taken from `data`
  std::map<std::string, CollectionState> collections;
  uint64_t dead_rows = 0;
  uint64_t ops = 0;
  uint64_t skipped_upserts = 0;

  void Apply(NidusOp&& op) {
    ++ops;
    switch (op.type) {
      case NidusOpType::kCreateCollection:
        collections.try_emplace(op.collection);
        break;
      case NidusOpType::kDropCollection:
        if (auto it = collections.find(op.collection); it != collections.end()) {
          dead_rows += it->second.docs.size();
          collections.erase(it);
        }
        break;
      case NidusOpType::kSetMeta:
        collections[op.collection].meta = std::move(op.meta);
        break;
      case NidusOpType::kUpsert:
        ApplyUpsert(std::move(op));
        break;
      case NidusOpType::kDelete:
        if (auto it = collections.find(op.collection); it != collections.end()) {
          dead_rows += it->second.docs.erase(op.id);
        }
        break;
    }
  }

  void ApplyUpsert(NidusOp&& op) {
    if (op.row >= rows) {  // the reader rule: the row is not (yet) in our snapshot
      ++skipped_upserts;
      return;
    }
    auto& docs = collections[op.collection].docs;
    auto [it, inserted] = docs.try_emplace(std::move(op.id));
    if (!inserted) ++dead_rows;
    it->second.row = op.row;
    it->second.attrs = std::move(op.attrs);
  }
};

std::string Where(const std::string& path) { return path + ": "; }

Status LogCorruption(const std::string& path, uint64_t offset, std::string_view reason) {
  return Status::Corruption(Where(path) + "log corruption at offset " + std::to_string(offset) +
                            ": " + std::string(reason));
}

// Verifies a frame's checksum, then decodes its payload into *op.
Status CheckFrame(std::string_view payload, uint32_t stored_crc, NidusOp* op) {
  if (Crc32(payload) != stored_crc) return Status::Corruption("checksum mismatch");
  return DecodeNidusOp(payload, op);
}

// Parses and replays every frame of `log` (§2.4). Returns the offset just past the
// last good frame; the bytes after it are the torn tail.
Result<uint64_t> ReplayLog(std::string_view log, const std::string& path, ReplayState* state) {
  uint64_t off = 0;
  std::string torn_reason;
  while (off < log.size()) {
    const uint64_t left = log.size() - off;
    if (left < 4) {
      torn_reason = "incomplete frame length";
      break;
    }
    const uint32_t len = LoadU32(log.data() + off);
    if (left - 4 < uint64_t{len} + 4) {
      torn_reason = "frame of " + std::to_string(len) + " payload bytes runs past end of file";
      break;
    }
    const std::string_view payload = log.substr(off + 4, len);
    const uint64_t frame_end = off + kNidusFrameOverhead + len;
    NidusOp op;
    const Status decoded = CheckFrame(payload, LoadU32(log.data() + off + 4 + len), &op);
    if (!decoded.ok()) {
      // nidus: a bad frame that is the last one is a torn write; one followed by
      // more bytes is corruption.
      if (frame_end < log.size()) return LogCorruption(path, off, decoded.message());
      torn_reason = std::string(decoded.message());
      break;
    }
    state->Apply(std::move(op));
    off = frame_end;
  }
  // nidus classifies a frame whose length field points past the end of the file as
  // a torn tail even in the middle of the file (spec §2.4, "observed edge"), and
  // silently truncates everything from there. This importer reads nidus's own
  // files, so it keeps that classification (a store nidus opens, we import) — but
  // a torn write is never longer than one frame being appended, so a "torn tail"
  // over 1 MiB is far more likely a corrupted length field hiding committed ops:
  // we report it as corruption instead of silently dropping that much data.
  const uint64_t torn = log.size() - off;
  if (torn > kNidusMaxTornTailBytes) {
    return LogCorruption(path, off,
                         "torn tail of " + std::to_string(torn) + " bytes (" + torn_reason +
                             ") is longer than " + std::to_string(kNidusMaxTornTailBytes) +
                             " bytes; a torn write is never that long");
  }
  return off;
}

Status ReadFully(const RandomAccessFile& file, uint64_t offset, size_t n, char* out,
                 const std::string& path) {
  size_t done = 0;
  while (done < n) {
    size_t got = 0;
    URD_RETURN_IF_ERROR(file.Read(offset + done, n - done, out + done, &got));
    if (got == 0) return Status::IOError(Where(path) + "file shrank while it was being read");
    done += got;
  }
  return Status::OK();
}

std::string_view MetricName(uint8_t metric) {
  switch (metric) {
    case 1:
      return "Euclidean";
    case 2:
      return "DotProduct";
    default:
      return "unknown";
  }
}

// Checks the 64-byte `data` header (§2.2) and returns the dimension.
Result<uint32_t> ParseDataHeader(const char* h, const std::string& path) {
  if (std::memcmp(h, kNidusMagic, kNidusMagicSize) != 0) {
    return Status::Corruption(Where(path) + "bad magic: not a nidus data file");
  }
  const uint16_t version = LoadU16(h + 6);
  if (version > kNidusDataVersion) {
    return Status::NotSupported(Where(path) + "data format version " + std::to_string(version) +
                                " is newer than the supported version 1 (nidus 0.3.0)");
  }
  if (version != kNidusDataVersion) {
    return Status::Corruption(Where(path) + "invalid data format version " +
                              std::to_string(version));
  }
  const uint32_t dim = LoadU32(h + 8);
  if (dim == 0) return Status::Corruption(Where(path) + "dimension is 0");
  const auto metric = static_cast<uint8_t>(h[kNidusMetricOffset]);
  if (metric != 0) {
    return Status::NotSupported(Where(path) + "distance metric " + std::string(MetricName(metric)) +
                                " (byte 12 = " + std::to_string(metric) +
                                ") was written by a later nidus; only cosine stores can be read");
  }
  for (size_t i = kNidusMetricOffset + 1; i < kNidusHeaderSize; ++i) {
    if (h[i] != 0) {
      return Status::NotSupported(Where(path) + "header byte " + std::to_string(i) +
                                  " is not zero; written by a later nidus version");
    }
  }
  return dim;
}

struct DataFile {
  std::unique_ptr<RandomAccessFile> file;  // null when `data` is missing
  uint64_t size = 0;
  uint32_t dim = 0;
  uint64_t rows = 0;
  uint64_t partial_bytes = 0;
};

// Opens `data`, checks its header and takes the row-count snapshot.
Result<DataFile> OpenData(Env* env, const std::string& path) {
  DataFile data;
  Result<std::unique_ptr<RandomAccessFile>> file = env->NewRandomAccessFile(path);
  if (!file.ok()) {
    if (file.status().IsNotFound()) return data;
    return std::move(file).status();
  }
  data.file = std::move(*file);
  URD_ASSIGN_OR_RETURN(data.size, data.file->Size());
  if (data.size == 0) return data;
  if (data.size < kNidusHeaderSize) {
    return Status::Corruption(Where(path) + "truncated: " + std::to_string(data.size) +
                              " bytes, shorter than the 64-byte header");
  }
  char header[kNidusHeaderSize];
  URD_RETURN_IF_ERROR(ReadFully(*data.file, 0, kNidusHeaderSize, header, path));
  URD_ASSIGN_OR_RETURN(data.dim, ParseDataHeader(header, path));
  const uint64_t stride = uint64_t{data.dim} * sizeof(float);
  data.rows = (data.size - kNidusHeaderSize) / stride;
  data.partial_bytes = (data.size - kNidusHeaderSize) % stride;
  return data;
}

// Builds the result's collections from the replay state (docs sorted by id, as the
// maps are) and remembers which row each doc's vector comes from.
void BuildCollections(ReplayState* state, uint32_t dim, NidusStore* store,
                      std::vector<std::pair<uint64_t, NidusDoc*>>* refs) {
  for (auto& [name, cs] : state->collections) {
    NidusCollection& out = store->collections[name];
    out.meta = std::move(cs.meta);
    out.docs.reserve(cs.docs.size());
    for (auto& [id, entry] : cs.docs) {
      out.docs.push_back(NidusDoc{id, std::vector<float>(dim), std::move(entry.attrs)});
    }
    size_t i = 0;
    for (const auto& [id, entry] : cs.docs) refs->emplace_back(entry.row, &out.docs[i++]);
  }
}

// Copies each referenced row into its doc, reading `data` in row order in chunks
// of about 1 MiB and skipping ranges no doc references.
Status LoadVectors(const DataFile& data, const std::string& path,
                   std::vector<std::pair<uint64_t, NidusDoc*>> refs) {
  std::sort(refs.begin(), refs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const uint64_t stride = uint64_t{data.dim} * sizeof(float);
  const uint64_t chunk_rows = std::max<uint64_t>(1, (uint64_t{1} << 20) / stride);
  std::string buf;
  size_t i = 0;
  while (i < refs.size()) {
    const uint64_t first = refs[i].first;
    const uint64_t end = std::min(data.rows, first + chunk_rows);
    buf.resize(static_cast<size_t>((end - first) * stride));
    URD_RETURN_IF_ERROR(
        ReadFully(*data.file, kNidusHeaderSize + first * stride, buf.size(), buf.data(), path));
    for (; i < refs.size() && refs[i].first < end; ++i) {
      const char* row = buf.data() + (refs[i].first - first) * stride;
      std::vector<float>& v = refs[i].second->vector;
      for (uint32_t k = 0; k < data.dim; ++k) v[k] = std::bit_cast<float>(LoadU32(row + 4 * k));
    }
  }
  return Status::OK();
}

// The whole `log`, or an empty string when it is missing.
Result<std::string> ReadLog(Env* env, const std::string& path) {
  Result<std::string> log = ReadFileToString(env, path);
  if (!log.ok() && log.status().IsNotFound()) return std::string();
  return log;
}

}  // namespace

Status DecodeNidusOp(std::string_view payload, NidusOp* op) {
  Decoder d(payload);
  *op = NidusOp();
  const uint32_t variant = d.U32();
  if (d.ok() && variant > static_cast<uint32_t>(NidusOpType::kDelete)) {
    d.Fail("unknown op variant " + std::to_string(variant));
  }
  if (d.ok()) {
    op->type = static_cast<NidusOpType>(variant);
    DecodeOpFields(&d, op);
  }
  if (d.ok() && d.remaining() != 0) {
    d.Fail(std::to_string(d.remaining()) + " trailing bytes after the op");
  }
  if (!d.ok()) return Status::Corruption(d.error());
  return Status::OK();
}

Result<NidusStore> ReadNidusStore(Env* env, const std::string& dir) {
  if (!env->FileExists(dir)) return Status::NotFound("nidus store directory not found: " + dir);
  const std::string data_path = JoinPath(dir, kNidusDataFile);
  const std::string log_path = JoinPath(dir, kNidusLogFile);

  // The row count is fixed before the log is read (§2.10): Upserts a concurrent
  // writer commits after this point reference rows beyond it and are skipped.
  URD_ASSIGN_OR_RETURN(DataFile data, OpenData(env, data_path));
  URD_ASSIGN_OR_RETURN(std::string log, ReadLog(env, log_path));
  NidusStore store;
  if (data.size == 0) {
    if (log.empty()) return store;
    return Status::Corruption(Where(data_path) + "data file is " +
                              (data.file ? "empty" : "missing") + " but the log holds " +
                              std::to_string(log.size()) + " bytes");
  }

  ReplayState state;
  state.rows = data.rows;
  URD_ASSIGN_OR_RETURN(uint64_t log_end, ReplayLog(log, log_path, &state));

  store.dimension = data.dim;
  store.rows = data.rows;
  store.dead_rows = state.dead_rows;
  store.ops = state.ops;
  store.ignored_partial_row_bytes = data.partial_bytes;
  store.ignored_torn_log_bytes = log.size() - log_end;
  store.skipped_upserts = state.skipped_upserts;
  std::vector<std::pair<uint64_t, NidusDoc*>> refs;
  BuildCollections(&state, data.dim, &store, &refs);
  URD_RETURN_IF_ERROR(LoadVectors(data, data_path, std::move(refs)));
  return store;
}

}  // namespace urd::vec
