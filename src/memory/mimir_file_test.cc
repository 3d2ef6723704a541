// Copyright urd authors.

#include "memory/mimir_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

namespace urd::mem {
namespace {

constexpr ClockTime kNow = 1'713'350'400'000;    // the §5.8 commit clock
constexpr ClockTime kValid = 1'705'276'800'000;  // 2024-01-15T00:00:00Z
constexpr size_t kGoldenSize = 178;
constexpr uint64_t kGoldenLogicalSize = 170;

std::string ReadGoldenFile() {
  std::ifstream f(URD_TESTDATA_DIR "/mimir_v1_sem_batch.golden", std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string Header(uint32_t version) {
  std::string h(kMimirLogMagic, sizeof(kMimirLogMagic));
  for (int i = 0; i < 4; ++i) h.push_back(static_cast<char>((version >> (8 * i)) & 0xFF));
  return h;
}

SymbolEventRecord Alloc(SymbolId id, std::string name, SymbolKind kind, ClockTime at) {
  return SymbolEventRecord{SymbolEventKind::kAlloc, id, std::move(name), kind, at};
}

SemRecord Sem(SymbolId memory_id, ClockTime at) {
  SemRecord sem;
  sem.memory_id = memory_id;
  sem.s = 0;
  sem.p = 1;
  sem.o = Value::Symbol(2);
  sem.source = 3;
  sem.confidence = Confidence{52428};
  sem.valid_at = kValid;
  sem.observed_at = at;
  sem.committed_at = at;
  return sem;
}

// A second batch that follows the golden one: episode #7, memory #6.
std::vector<CanonicalRecord> SecondBatch() {
  const ClockTime at = kNow + 1;
  return {
      Alloc(7, "__ep_1", SymbolKind::kMemory, at),
      Alloc(6, "__mem_1", SymbolKind::kMemory, at),
      Sem(6, at),
      EdgeRecord{EdgeKind::kSupersedes, 6, 4, at},
      CheckpointRecord{7, at, 1},
  };
}

size_t EncodedSize(const std::vector<CanonicalRecord>& records) {
  return EncodeMimirLog(records).size() - kMimirLogHeaderSize;
}

TEST(MimirFileTest, GoldenFileScansToOneBatchAndReencodes) {
  const std::string file = ReadGoldenFile();
  ASSERT_EQ(file.size(), kGoldenSize) << "missing tests/testdata/mimir_v1_sem_batch.golden?";
  const Result<MimirLogScan> scan = ScanMimirLog(file);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(scan->tail, MimirLogScan::Tail::kClean);
  EXPECT_TRUE(scan->tail_error.ok());
  EXPECT_EQ(scan->logical_size, kGoldenLogicalSize);
  EXPECT_EQ(scan->committed_end, kGoldenLogicalSize);
  EXPECT_EQ(scan->records_decoded, 8u);
  ASSERT_EQ(scan->batches.size(), 1u);
  const std::vector<CanonicalRecord>& batch = scan->batches[0];
  ASSERT_EQ(batch.size(), 8u);
  EXPECT_EQ(batch[0], CanonicalRecord(Alloc(5, "__ep_0", SymbolKind::kMemory, kNow)));
  EXPECT_EQ(batch[6], CanonicalRecord(Sem(4, kNow)));
  EXPECT_EQ(batch[7], CanonicalRecord(CheckpointRecord{5, kNow, 1}));
  EXPECT_EQ(EncodeMimirLog(batch), file);
}

TEST(MimirFileTest, EmptyInputIsAnEmptyLog) {
  const Result<MimirLogScan> scan = ScanMimirLog("");
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->tail, MimirLogScan::Tail::kClean);
  EXPECT_TRUE(scan->batches.empty());
  EXPECT_EQ(scan->logical_size, 0u);
  EXPECT_EQ(scan->records_decoded, 0u);
  EXPECT_EQ(EncodeMimirLog({}), Header(1));
}

TEST(MimirFileTest, HeaderOnlyIsAnEmptyLog) {
  const Result<MimirLogScan> scan = ScanMimirLog(Header(1));
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->tail, MimirLogScan::Tail::kClean);
  EXPECT_TRUE(scan->batches.empty());
  EXPECT_EQ(scan->committed_end, 0u);
}

TEST(MimirFileTest, ShortHeaderRejected) {
  for (size_t n = 1; n < kMimirLogHeaderSize; ++n) {
    const Result<MimirLogScan> scan = ScanMimirLog(Header(1).substr(0, n));
    ASSERT_FALSE(scan.ok()) << n;
    EXPECT_TRUE(scan.status().IsCorruption()) << scan.status().ToString();
    EXPECT_NE(scan.status().message().find("header"), std::string_view::npos)
        << scan.status().ToString();
  }
}

TEST(MimirFileTest, WrongMagicRejected) {
  std::string file = ReadGoldenFile();
  ASSERT_EQ(file.size(), kGoldenSize);
  file[3] = 'X';
  const Result<MimirLogScan> scan = ScanMimirLog(file);
  ASSERT_FALSE(scan.ok());
  EXPECT_TRUE(scan.status().IsCorruption()) << scan.status().ToString();
  EXPECT_NE(scan.status().message().find("magic"), std::string_view::npos);
}

TEST(MimirFileTest, WrongVersionRejected) {
  for (uint32_t version : {0u, 2u, 0x01000000u}) {
    const Result<MimirLogScan> scan = ScanMimirLog(Header(version));
    ASSERT_FALSE(scan.ok()) << version;
    EXPECT_TRUE(scan.status().IsNotSupported()) << scan.status().ToString();
    EXPECT_NE(scan.status().message().find("version " + std::to_string(version)),
              std::string_view::npos)
        << scan.status().ToString();
  }
}

// Every cut of the golden file: a short header below 8 bytes, an empty log at 8,
// an orphan tail with nothing committed up to the last byte, clean at full size.
TEST(MimirFileTest, EveryCutOfTheGoldenFile) {
  const std::string file = ReadGoldenFile();
  ASSERT_EQ(file.size(), kGoldenSize);
  for (size_t n = 0; n <= file.size(); ++n) {
    SCOPED_TRACE("cut at " + std::to_string(n));
    const Result<MimirLogScan> scan = ScanMimirLog(std::string_view(file).substr(0, n));
    if (n > 0 && n < kMimirLogHeaderSize) {
      EXPECT_TRUE(scan.status().IsCorruption()) << scan.status().ToString();
      continue;
    }
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    EXPECT_EQ(scan->logical_size, n == 0 ? 0 : n - kMimirLogHeaderSize);
    if (n <= kMimirLogHeaderSize || n == file.size()) {
      EXPECT_EQ(scan->tail, MimirLogScan::Tail::kClean);
      EXPECT_EQ(scan->batches.size(), n == file.size() ? 1u : 0u);
      continue;
    }
    EXPECT_EQ(scan->tail, MimirLogScan::Tail::kOrphan) << MimirLogTailName(scan->tail);
    EXPECT_EQ(scan->committed_end, 0u);
    EXPECT_TRUE(scan->batches.empty());
    const DecodeErrorKind kind = scan->tail_error.kind;
    EXPECT_TRUE(kind == DecodeErrorKind::kOk || kind == DecodeErrorKind::kTruncated ||
                kind == DecodeErrorKind::kLengthMismatch)
        << scan->tail_error.ToString();
  }
}

TEST(MimirFileTest, GarbageByteAfterTheLastCheckpointIsCorrupt) {
  const std::string file = ReadGoldenFile() + '\x05';
  ASSERT_EQ(file.size(), kGoldenSize + 1);
  const Result<MimirLogScan> scan = ScanMimirLog(file);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(scan->tail, MimirLogScan::Tail::kCorrupt);
  EXPECT_EQ(scan->tail_error.kind, DecodeErrorKind::kUnknownOpcode);
  EXPECT_EQ(scan->tail_error.offset, kGoldenLogicalSize);
  EXPECT_EQ(scan->committed_end, kGoldenLogicalSize);
  EXPECT_EQ(scan->logical_size, kGoldenLogicalSize + 1);
  EXPECT_EQ(scan->batches.size(), 1u);
  EXPECT_EQ(scan->records_decoded, 8u);
}

// mimir-core §6.4: a lone 0x05 byte is CorruptTail at 0, even without a CHECKPOINT.
TEST(MimirFileTest, LoneGarbageByteIsCorruptAtZero) {
  const Result<MimirLogScan> scan = ScanMimirLog(Header(1) + '\x05');
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->tail, MimirLogScan::Tail::kCorrupt);
  EXPECT_EQ(scan->tail_error.kind, DecodeErrorKind::kUnknownOpcode);
  EXPECT_EQ(scan->tail_error.offset, 0u);
  EXPECT_EQ(scan->committed_end, 0u);
}

TEST(MimirFileTest, TwoBatches) {
  std::vector<CanonicalRecord> records = ScanMimirLog(ReadGoldenFile())->batches.at(0);
  const std::vector<CanonicalRecord> second = SecondBatch();
  records.insert(records.end(), second.begin(), second.end());
  const std::string file = EncodeMimirLog(records);
  const Result<MimirLogScan> scan = ScanMimirLog(file);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(scan->tail, MimirLogScan::Tail::kClean);
  ASSERT_EQ(scan->batches.size(), 2u);
  EXPECT_EQ(scan->batches[0].size(), 8u);
  EXPECT_EQ(scan->batches[1], second);
  EXPECT_EQ(scan->committed_end, file.size() - kMimirLogHeaderSize);
  EXPECT_EQ(scan->records_decoded, 13u);
}

// Valid records after the last CHECKPOINT are an orphan tail without an error.
TEST(MimirFileTest, ValidRecordsWithoutCheckpointAreAnOrphanTail) {
  std::vector<CanonicalRecord> records = ScanMimirLog(ReadGoldenFile())->batches.at(0);
  std::vector<CanonicalRecord> second = SecondBatch();
  second.pop_back();  // no CHECKPOINT
  records.insert(records.end(), second.begin(), second.end());
  const Result<MimirLogScan> scan = ScanMimirLog(EncodeMimirLog(records));
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->tail, MimirLogScan::Tail::kOrphan);
  EXPECT_TRUE(scan->tail_error.ok());
  EXPECT_EQ(scan->committed_end, kGoldenLogicalSize);
  EXPECT_EQ(scan->logical_size, kGoldenLogicalSize + EncodedSize(second));
  EXPECT_EQ(scan->batches.size(), 1u);
  EXPECT_EQ(scan->records_decoded, 12u);
}

// A cut inside the second batch keeps the first committed.
TEST(MimirFileTest, CutInsideTheSecondBatch) {
  std::vector<CanonicalRecord> records = ScanMimirLog(ReadGoldenFile())->batches.at(0);
  const std::vector<CanonicalRecord> second = SecondBatch();
  records.insert(records.end(), second.begin(), second.end());
  const std::string file = EncodeMimirLog(records);
  for (size_t n = kGoldenSize + 1; n < file.size(); ++n) {
    const Result<MimirLogScan> scan = ScanMimirLog(std::string_view(file).substr(0, n));
    ASSERT_TRUE(scan.ok());
    EXPECT_EQ(scan->tail, MimirLogScan::Tail::kOrphan) << n;
    EXPECT_EQ(scan->committed_end, kGoldenLogicalSize) << n;
    EXPECT_EQ(scan->batches.size(), 1u) << n;
  }
}

// A decode error other than a cut is corruption, wherever it is: here a reserved
// flag bit in the second batch's SEM record (its last byte).
TEST(MimirFileTest, InvalidFlagBitsAreCorrupt) {
  std::vector<CanonicalRecord> records = ScanMimirLog(ReadGoldenFile())->batches.at(0);
  const std::vector<CanonicalRecord> second = SecondBatch();
  records.insert(records.end(), second.begin(), second.end());
  std::string file = EncodeMimirLog(records);
  const size_t sem_end = kGoldenSize + EncodedSize({second[0], second[1], second[2]});
  ASSERT_EQ(file[sem_end - 1], '\0');
  file[sem_end - 1] = '\x04';
  const Result<MimirLogScan> scan = ScanMimirLog(file);
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->tail, MimirLogScan::Tail::kCorrupt);
  EXPECT_EQ(scan->tail_error.kind, DecodeErrorKind::kInvalidFlagBits);
  EXPECT_EQ(scan->tail_error.offset, sem_end - 1 - kMimirLogHeaderSize);
  EXPECT_EQ(scan->committed_end, kGoldenLogicalSize);
  EXPECT_EQ(scan->batches.size(), 1u);
  EXPECT_EQ(scan->records_decoded, 10u);
}

TEST(MimirFileTest, TailNames) {
  EXPECT_EQ(MimirLogTailName(MimirLogScan::Tail::kClean), "clean");
  EXPECT_EQ(MimirLogTailName(MimirLogScan::Tail::kOrphan), "orphan");
  EXPECT_EQ(MimirLogTailName(MimirLogScan::Tail::kCorrupt), "corrupt");
}

}  // namespace
}  // namespace urd::mem
