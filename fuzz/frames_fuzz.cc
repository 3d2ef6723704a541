// Copyright urd authors. Fuzz target `frames`: the framed log reader
// (src/storage/log_reader.h) and LogWriter::Open's recovery
// (src/storage/log_writer.h) over an arbitrary file in the in-memory Env.
//
// Input: one mode byte, then the file. Mode bits: 0 rewrite the header CRC;
// 1 rewrite every frame CRC (walking the frames by their declared lengths);
// 2 also rewrite each 16-byte COMMIT's record count and chained CRC (so the
// fuzzer reaches sequence numbers and batch structure past the checksums);
// 3 open the writer with salvage; 4-5 the content kind expected (0, 1, 2).
//
// Asserts, beyond "does not crash":
//  * the scan summary is consistent: batches numbered 1, 2, ... at increasing
//    offsets; end <= file size; a clean tail ends exactly at the end of the file;
//    a bad tail names a reason and a bad offset at or after `end`;
//  * tailing: a second scan started at a batch boundary of the first (as Refresh
//    does) yields exactly the batches after it, with the same summary;
//  * LogWriter::Open succeeds exactly when the reader opens and the tail is not
//    corrupt (or salvage is asked for); it replays the reader's batches; a refused
//    open leaves the file unchanged;
//  * after a successful writable open a fresh scan reports a clean tail with the
//    same batches, and a batch appended then reads back as the next sequence.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/crc32c.h"
#include "base/varint.h"
#include "fuzz/fuzz_util.h"
#include "storage/log_reader.h"
#include "storage/log_writer.h"
#include "urd/env.h"

namespace {

using urd::Env;
using urd::LogBatch;
using urd::LogKind;
using urd::LogScan;
using urd::LogTail;

using Batches = std::vector<std::vector<std::string>>;

const std::string kDir = "/fuzz";
const std::string kPath = "/fuzz/log";

// Rewrites the checksums the mode asks for (see the file comment).
void FixChecksums(uint8_t mode, std::string* file) {
  char* p = file->data();
  if ((mode & 1) && file->size() >= urd::kLogHeaderSize) {
    urd::EncodeFixed32(p + urd::kLogHeaderCrcOffset,
                       urd::Crc32cMask(urd::Crc32cValue(p, urd::kLogHeaderCrcOffset)));
  }
  if (!(mode & 2)) return;
  size_t off = urd::kLogHeaderSize;
  uint32_t count = 0;
  uint32_t chain = 0;
  while (off + urd::kFrameHeaderSize <= file->size()) {
    const uint32_t len = urd::DecodeFixed32(p + off + 4);
    if (len > file->size() - off - urd::kFrameHeaderSize) break;
    char* type = p + off + 8;
    if ((mode & 4) && *type == urd::kCommitFrame && len == urd::kCommitPayloadSize) {
      urd::EncodeFixed32(type + 1 + 8, count);
      urd::EncodeFixed32(type + 1 + 12, urd::Crc32cMask(chain));
    }
    urd::EncodeFixed32(p + off, urd::Crc32cMask(urd::Crc32cValue(type, 1 + len)));
    if (*type == urd::kRecordFrame) {
      ++count;
      chain = urd::Crc32cExtend(chain, p + off, 4);
    } else if (*type == urd::kCommitFrame) {
      count = 0;
      chain = 0;
    }
    off += urd::kFrameHeaderSize + len;
  }
}

urd::LogBatchCallback Collect(Batches* out, std::vector<LogBatch>* shapes = nullptr) {
  return [out, shapes](const LogBatch& b) {
    out->emplace_back(b.records.begin(), b.records.end());
    if (shapes != nullptr) shapes->push_back(LogBatch{b.sequence, b.offset, b.end, {}});
    return urd::Status::OK();
  };
}

// Scans the whole file with a fresh reader.
urd::Result<LogScan> ScanAll(Env* env, LogKind kind, Batches* batches,
                             std::vector<LogBatch>* shapes = nullptr) {
  URD_ASSIGN_OR_RETURN(auto reader, urd::LogReader::Open(env, kPath, kind));
  return reader->Scan(urd::kLogHeaderSize, 0, Collect(batches, shapes));
}

void CheckSummary(const LogScan& scan, const Batches& batches, const std::vector<LogBatch>& shapes,
                  uint64_t file_size) {
  URD_FUZZ_CHECK(scan.batches == batches.size());
  URD_FUZZ_CHECK(scan.last_sequence == batches.size());
  URD_FUZZ_CHECK(scan.file_size == file_size);
  URD_FUZZ_CHECK(scan.end >= urd::kLogHeaderSize && scan.end <= file_size);
  uint64_t records = 0, prev_end = urd::kLogHeaderSize;
  for (size_t i = 0; i < shapes.size(); ++i) {
    URD_FUZZ_CHECK(shapes[i].sequence == i + 1);
    URD_FUZZ_CHECK(shapes[i].offset == prev_end && shapes[i].end > shapes[i].offset);
    prev_end = shapes[i].end;
    records += batches[i].size();
  }
  URD_FUZZ_CHECK(scan.records == records);
  URD_FUZZ_CHECK(scan.end == prev_end);
  if (scan.tail == LogTail::kClean) {
    URD_FUZZ_CHECK(scan.end == file_size);
  } else {
    URD_FUZZ_CHECK(!scan.reason.empty());
    URD_FUZZ_CHECK(scan.bad_offset >= scan.end && scan.bad_offset < file_size);
  }
  if (scan.tail == LogTail::kCorrupt) URD_FUZZ_CHECK(scan.later_commit_offset > scan.bad_offset);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
  FixChecksums(mode, &file);
  const LogKind kind = static_cast<LogKind>(((mode >> 4) & 3) % 3);

  std::unique_ptr<Env> env = urd::NewMemEnv();
  URD_FUZZ_CHECK(env->CreateDir(kDir).ok());
  URD_FUZZ_CHECK(urd::WriteFileAtomic(env.get(), kPath, file).ok());

  // The read-only view.
  Batches batches;
  std::vector<LogBatch> shapes;
  auto scan = ScanAll(env.get(), kind, &batches, &shapes);
  if (scan.ok()) {
    CheckSummary(*scan, batches, shapes, file.size());
    // Tailing from the middle batch boundary.
    const size_t k = shapes.size() / 2;
    const uint64_t from = k == 0 ? urd::kLogHeaderSize : shapes[k - 1].end;
    auto reader = urd::LogReader::Open(env.get(), kPath, kind);
    URD_FUZZ_CHECK(reader.ok());
    Batches rest;
    auto tail = (*reader)->Scan(from, k, Collect(&rest));
    URD_FUZZ_CHECK(tail.ok());
    URD_FUZZ_CHECK(rest ==
                   Batches(batches.begin() + static_cast<std::ptrdiff_t>(k), batches.end()));
    URD_FUZZ_CHECK(tail->end == scan->end && tail->tail == scan->tail);
    URD_FUZZ_CHECK(tail->last_sequence == scan->last_sequence);
  }

  // The writable open and its recovery.
  urd::LogOptions options;
  options.kind = kind;
  options.fsync = urd::FsyncPolicy::kNever;
  options.create_if_missing = false;
  options.salvage = (mode & 8) != 0;
  Batches replayed;
  urd::LogRecovery recovery;
  auto writer = urd::LogWriter::Open(env.get(), kPath, options, Collect(&replayed), &recovery);
  const bool expect_open = scan.ok() && (scan->tail != LogTail::kCorrupt || options.salvage);
  URD_FUZZ_CHECK(writer.ok() == expect_open);
  if (!writer.ok()) {
    if (!scan.ok()) URD_FUZZ_CHECK(writer.status().code() == scan.status().code());
    URD_FUZZ_CHECK(urd::ReadFileToString(env.get(), kPath).value() == file);
    return 0;
  }
  URD_FUZZ_CHECK(replayed == batches);
  URD_FUZZ_CHECK(recovery.truncated_bytes == file.size() - scan->end);
  URD_FUZZ_CHECK((*writer)->size() == scan->end);
  URD_FUZZ_CHECK((*writer)->last_sequence() == scan->last_sequence);

  Batches after;
  std::vector<LogBatch> after_shapes;
  auto second = ScanAll(env.get(), kind, &after, &after_shapes);
  URD_FUZZ_CHECK(second.ok());
  URD_FUZZ_CHECK(second->tail == LogTail::kClean);
  URD_FUZZ_CHECK(after == batches);
  CheckSummary(*second, after, after_shapes, scan->end);

  const std::string_view appended[] = {"urd", ""};
  auto seq = (*writer)->Append(appended);
  URD_FUZZ_CHECK(seq.ok() && *seq == scan->last_sequence + 1);
  Batches third;
  auto last = ScanAll(env.get(), kind, &third);
  URD_FUZZ_CHECK(last.ok() && last->tail == LogTail::kClean);
  URD_FUZZ_CHECK(third.size() == batches.size() + 1);
  URD_FUZZ_CHECK(third.back() == std::vector<std::string>({"urd", ""}));
  return 0;
}
