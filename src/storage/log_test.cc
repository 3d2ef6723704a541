// Copyright urd authors. Tests of the framed log: one named test per failure mode
// of the format (docs/format.md §1), fault injection at every I/O call site of the
// writer and reader, power loss through the fault-injecting Env, and the golden file.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "base/varint.h"
#include "storage/fault_env.h"
#include "storage/log_reader.h"
#include "storage/log_writer.h"

namespace urd {
namespace {

using Batches = std::vector<std::vector<std::string>>;

std::vector<std::string_view> Views(const std::vector<std::string>& records) {
  return {records.begin(), records.end()};
}

class LogTest : public ::testing::Test {
 protected:
  void Write(const Batches& batches, LogOptions options = {}) {
    auto w = LogWriter::Open(env(), path_, options, nullptr, nullptr);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    for (const auto& b : batches) {
      auto views = Views(b);
      auto seq = (*w)->Append(views);
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    }
  }

  // Opens for writing (recovering) and returns the replayed batches.
  Result<Batches> Reopen(LogOptions options = {}, LogRecovery* rec = nullptr) {
    Batches out;
    uint64_t expect_seq = 1;
    auto w = LogWriter::Open(
        env(), path_, options,
        [&](const LogBatch& b) {
          EXPECT_EQ(b.sequence, expect_seq++);
          out.emplace_back(b.records.begin(), b.records.end());
          return Status::OK();
        },
        rec);
    if (!w.ok()) return w.status();
    return out;
  }

  std::string Contents() { return ReadFileToString(env(), path_).value(); }
  void SetContents(const std::string& data) {
    auto f = env()->NewWritableFile(path_, WriteMode::kTruncate);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(data).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  // Offsets where each batch starts, plus the end of the last one.
  std::vector<uint64_t> BatchBounds() {
    std::vector<uint64_t> bounds;
    auto r = LogReader::Open(env(), path_, LogKind::kGeneric);
    EXPECT_TRUE(r.ok());
    auto scan = (*r)->Scan(kLogHeaderSize, 0, [&](const LogBatch& b) {
      bounds.push_back(b.offset);
      return Status::OK();
    });
    EXPECT_TRUE(scan.ok());
    bounds.push_back(scan->end);
    return bounds;
  }
  virtual Env* env() { return mem_.get(); }

  std::unique_ptr<Env> mem_ = NewMemEnv();
  std::string path_ = "/test.log";
  const Batches three_ = {{"alpha", "beta"}, {"gamma"}, {"delta", "", "epsilon"}};
};

// A file that shrinks under a scan (another process replaced or salvaged it) is an
// I/O error, never a torn tail or corruption: the reader saw it change, nothing is cut.
TEST_F(LogTest, FileShrinkingDuringAScanIsAnIOError) {
  const std::string big(300 * 1024, 'x');  // the file is more than one 1-MiB read
  Write({{big}, {big}, {big}, {big}, {big}, {big}});
  auto r = LogReader::Open(env(), path_, LogKind::kGeneric);
  ASSERT_TRUE(r.ok());
  int batches = 0;
  auto scan = (*r)->Scan(kLogHeaderSize, 0, [&](const LogBatch&) {
    if (++batches == 1) {
      EXPECT_TRUE(env()->TruncateFile(path_, kLogHeaderSize).ok());
    }
    return Status::OK();
  });
  ASSERT_FALSE(scan.ok()) << batches << " batches, end " << scan->end;
  EXPECT_TRUE(scan.status().IsIOError()) << scan.status().ToString();
  EXPECT_NE(scan.status().ToString().find("shrank"), std::string::npos);
  EXPECT_LT(batches, 6);  // the batches after the cut were never handed out
}

TEST_F(LogTest, NewLogIsCreatedEmpty) {
  LogRecovery rec;
  auto b = Reopen({}, &rec);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE(rec.created);
  EXPECT_TRUE(b->empty());
  EXPECT_EQ(Contents().size(), kLogHeaderSize);
  EXPECT_EQ(Contents(), EncodeLogHeader(LogKind::kGeneric));
}

TEST_F(LogTest, MissingLogWithoutCreateIsNotFound) {
  LogOptions o;
  o.create_if_missing = false;
  auto b = Reopen(o);
  ASSERT_TRUE(b.status().IsNotFound()) << b.status().ToString();
  EXPECT_FALSE(env()->FileExists(path_));
}

TEST_F(LogTest, BatchesReplayInOrderWithSequences) {
  Write(three_);
  Write({{}, {std::string(5000, 'x')}});
  LogRecovery rec;
  auto b = Reopen({}, &rec);
  ASSERT_TRUE(b.ok());
  Batches want = three_;
  want.push_back({});
  want.push_back({std::string(5000, 'x')});
  EXPECT_EQ(*b, want);
  EXPECT_EQ(rec.scan.tail, LogTail::kClean);
  EXPECT_EQ(rec.scan.last_sequence, 5u);
  EXPECT_EQ(rec.truncated_bytes, 0u);
}

TEST_F(LogTest, LargeRecordsSpanReadChunks) {
  Batches big = {{std::string(3 << 20, 'a'), std::string(10, 'b')}, {std::string(2 << 20, 'c')}};
  Write(big);
  auto b = Reopen();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*b, big);
}

TEST_F(LogTest, FlippedByteBeforeLastBatchFailsOpenNamingOffset) {
  Write(three_);
  const std::string good = Contents();
  auto bounds = BatchBounds();
  for (uint64_t i = bounds[0]; i < bounds[1]; i++) {
    std::string bad = good;
    bad[i] ^= 0x20;
    SetContents(bad);
    auto b = Reopen();
    ASSERT_TRUE(b.status().IsCorruption()) << "byte " << i << ": " << b.status().ToString();
    EXPECT_NE(b.status().ToString().find("at offset"), std::string::npos);
    EXPECT_EQ(Contents(), bad) << "a failed open must not change the file";
  }
}

TEST_F(LogTest, FlippedByteInLastBatchIsATornTail) {
  Write(three_);
  const std::string good = Contents();
  auto bounds = BatchBounds();
  for (uint64_t i = bounds[2]; i < bounds[3]; i++) {
    std::string bad = good;
    bad[i] ^= 0x01;
    SetContents(bad);
    LogRecovery rec;
    auto b = Reopen({}, &rec);
    ASSERT_TRUE(b.ok()) << "byte " << i << ": " << b.status().ToString();
    EXPECT_EQ(*b, Batches(three_.begin(), three_.begin() + 2));
    EXPECT_EQ(rec.truncated_bytes, bounds[3] - bounds[2]);
    EXPECT_EQ(Contents(), good.substr(0, bounds[2]));
  }
}

TEST_F(LogTest, CutAtEveryOffsetOfLastBatch) {
  Write(three_);
  const std::string good = Contents();
  auto bounds = BatchBounds();
  for (uint64_t cut = bounds[2]; cut <= bounds[3]; cut++) {
    SetContents(good.substr(0, cut));
    LogRecovery rec;
    auto b = Reopen({}, &rec);
    ASSERT_TRUE(b.ok()) << "cut " << cut << ": " << b.status().ToString();
    size_t want = cut == bounds[3] ? 3 : 2;
    EXPECT_EQ(b->size(), want) << "cut " << cut;
    EXPECT_EQ(rec.truncated_bytes, cut == bounds[3] ? 0 : cut - bounds[2]);
    // The recovered log accepts new batches and replays them after the old ones.
    Write({{"after"}});
    auto again = Reopen();
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again->size(), want + 1);
    EXPECT_EQ(again->back(), std::vector<std::string>{"after"});
  }
}

TEST_F(LogTest, WrongChecksumFollowedByDataIsCorruption) {
  Write(three_);
  std::string data = Contents();
  auto bounds = BatchBounds();
  uint32_t crc = DecodeFixed32(data.data() + bounds[1]);
  EncodeFixed32(data.data() + bounds[1], crc + 1);
  SetContents(data);
  auto b = Reopen();
  ASSERT_TRUE(b.status().IsCorruption());
  EXPECT_NE(b.status().ToString().find("checksum mismatch at offset " + std::to_string(bounds[1])),
            std::string::npos)
      << b.status().ToString();
}

TEST_F(LogTest, OversizedLengthIsCorruption) {
  Write(three_);
  std::string data = Contents();
  EncodeFixed32(data.data() + kLogHeaderSize + 4, kMaxFramePayload + 1);
  SetContents(data);
  auto b = Reopen();
  ASSERT_TRUE(b.status().IsCorruption());
  EXPECT_NE(b.status().ToString().find("exceeds the maximum"), std::string::npos);
}

TEST_F(LogTest, OversizedLengthInLastBatchIsTorn) {
  Write(three_);
  std::string data = Contents();
  auto bounds = BatchBounds();
  EncodeFixed32(data.data() + bounds[2] + 4, 0xFFFFFFFFu);
  SetContents(data);
  LogRecovery rec;
  auto b = Reopen({}, &rec);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size(), 2u);
  EXPECT_EQ(rec.scan.tail, LogTail::kTorn);
}

TEST_F(LogTest, GarbageHeaderIsRejectedAndUnchanged) {
  std::string garbage(100, '\0');
  std::mt19937 rng(7);
  for (char& c : garbage) c = static_cast<char>(rng());
  SetContents(garbage);
  auto b = Reopen();
  ASSERT_TRUE(b.status().IsCorruption());
  EXPECT_NE(b.status().ToString().find("bad magic"), std::string::npos);
  EXPECT_EQ(Contents(), garbage);
}

TEST_F(LogTest, TruncatedHeaderIsRejected) {
  SetContents(EncodeLogHeader(LogKind::kGeneric).substr(0, 20));
  auto b = Reopen();
  ASSERT_TRUE(b.status().IsCorruption());
  EXPECT_NE(b.status().ToString().find("truncated to 20 bytes"), std::string::npos);
}

TEST_F(LogTest, HeaderChecksumMismatchIsRejected) {
  std::string h = EncodeLogHeader(LogKind::kGeneric);
  h[13] ^= 1;
  SetContents(h);
  EXPECT_TRUE(Reopen().status().IsCorruption());
}

TEST_F(LogTest, NewerVersionIsNotSupported) {
  std::string h = EncodeLogHeader(LogKind::kGeneric);
  EncodeFixed32(h.data() + 8, 2);
  EncodeFixed32(h.data() + kLogHeaderCrcOffset,
                Crc32cMask(Crc32cValue(h.data(), kLogHeaderCrcOffset)));
  SetContents(h);
  auto b = Reopen();
  ASSERT_TRUE(b.status().IsNotSupported()) << b.status().ToString();
}

TEST_F(LogTest, WrongContentKindIsInvalidArgument) {
  Write(three_);
  LogOptions o;
  o.kind = LogKind::kMemory;
  EXPECT_TRUE(Reopen(o).status().IsInvalidArgument());
}

TEST_F(LogTest, SalvageCutsAtLastGoodBatch) {
  Write(three_);
  Write({{"zeta"}});
  std::string data = Contents();
  auto bounds = BatchBounds();
  data[bounds[1] + 12] ^= 0x40;  // inside batch 2
  SetContents(data);
  ASSERT_TRUE(Reopen().status().IsCorruption());
  LogOptions o;
  o.salvage = true;
  LogRecovery rec;
  auto b = Reopen(o, &rec);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*b, Batches(three_.begin(), three_.begin() + 1));
  EXPECT_TRUE(rec.salvaged);
  EXPECT_EQ(rec.truncated_bytes, data.size() - bounds[1]);
  EXPECT_EQ(Contents().size(), bounds[1]);
  ASSERT_TRUE(Reopen().ok());
}

TEST_F(LogTest, UncommittedRecordsAreTruncated) {
  Write(three_);
  std::string data = Contents();
  std::string extra;
  std::vector<std::string_view> rec_views = {"orphan"};
  LogWriter::EncodeBatch(4, rec_views, &extra);
  data += extra.substr(0, extra.size() - (kFrameHeaderSize + kCommitPayloadSize));
  SetContents(data);
  LogRecovery rec;
  auto b = Reopen({}, &rec);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, three_);
  EXPECT_EQ(rec.scan.reason, "records with no COMMIT frame after them");
  EXPECT_GT(rec.truncated_bytes, 0u);
}

TEST_F(LogTest, CommitSequenceGapIsNotAccepted) {
  Write(three_);
  std::string data = Contents();
  std::string extra;
  std::vector<std::string_view> rec_views = {"skip"};
  LogWriter::EncodeBatch(9, rec_views, &extra);  // expected 4
  SetContents(data + extra);
  LogRecovery rec;
  auto b = Reopen({}, &rec);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size(), 3u);
  EXPECT_NE(rec.scan.reason.find("COMMIT sequence 9, expected 4"), std::string::npos);
}

TEST_F(LogTest, OversizedRecordIsRejectedWithoutWriting) {
  auto w = LogWriter::Open(env(), path_, {}, nullptr, nullptr);
  ASSERT_TRUE(w.ok());
  std::string huge(kMaxFramePayload + 1, 'h');
  std::vector<std::string_view> v = {"ok", huge};
  auto seq = (*w)->Append(v);
  ASSERT_TRUE(seq.status().IsInvalidArgument());
  EXPECT_NE(seq.status().ToString().find("record 1"), std::string::npos);
  EXPECT_EQ(Contents().size(), kLogHeaderSize);
  std::vector<std::string_view> fine = {"ok"};
  EXPECT_EQ((*w)->Append(fine).value(), 1u);
}

TEST_F(LogTest, ReplayErrorFailsOpen) {
  Write(three_);
  auto w = LogWriter::Open(
      env(), path_, {},
      [](const LogBatch& b) {
        return b.sequence == 2 ? Status::InvalidArgument("bad batch") : Status::OK();
      },
      nullptr);
  EXPECT_TRUE(w.status().IsInvalidArgument());
}

TEST_F(LogTest, ReaderTailsAWriterWithoutSeeingPartialBatches) {
  auto w = LogWriter::Open(env(), path_, {}, nullptr, nullptr);
  ASSERT_TRUE(w.ok());
  auto r = LogReader::Open(env(), path_, LogKind::kGeneric);
  ASSERT_TRUE(r.ok());
  uint64_t pos = kLogHeaderSize, seq = 0, seen = 0;
  for (int round = 0; round < 5; round++) {
    std::vector<std::string> recs = {"r" + std::to_string(round), "x"};
    auto views = Views(recs);
    ASSERT_TRUE((*w)->Append(views).ok());
    auto scan = (*r)->Scan(pos, seq, [&](const LogBatch& b) {
      EXPECT_EQ(b.records[0], "r" + std::to_string(round));
      seen++;
      return Status::OK();
    });
    ASSERT_TRUE(scan.ok());
    EXPECT_EQ(scan->tail, LogTail::kClean);
    pos = scan->end;
    seq = scan->last_sequence;
  }
  EXPECT_EQ(seen, 5u);
  // A half-written batch at the end is not visible yet and is not an error.
  std::string extra;
  std::vector<std::string_view> v = {"partial"};
  LogWriter::EncodeBatch(seq + 1, v, &extra);
  auto f = env()->NewWritableFile(path_, WriteMode::kAppend);
  ASSERT_TRUE((*f)->Append(extra.substr(0, 7)).ok());
  auto scan = (*r)->Scan(pos, seq, nullptr);
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->batches, 0u);
  EXPECT_EQ(scan->tail, LogTail::kTorn);
}

// OpenAt replays only the batches from a known offset on, recovers the tail after
// them as Open does, and appends with the right sequence.
TEST_F(LogTest, OpenAtResumesAfterAKnownBatch) {
  Write(three_);
  auto bounds = BatchBounds();
  std::string partial;
  std::vector<std::string_view> v = {"torn"};
  LogWriter::EncodeBatch(4, v, &partial);
  SetContents(Contents() + partial.substr(0, partial.size() - 3));
  Batches seen;
  std::vector<uint64_t> seqs;
  LogRecovery rec;
  auto w = LogWriter::OpenAt(env(), path_, {}, bounds[1], 1,
                             [&](const LogBatch& b) {
                               seqs.push_back(b.sequence);
                               seen.emplace_back(b.records.begin(), b.records.end());
                               return Status::OK();
                             },
                             &rec);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(seen, Batches(three_.begin() + 1, three_.end()));
  EXPECT_EQ(seqs, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(rec.scan.batches, 2u);
  EXPECT_EQ(rec.truncated_bytes, partial.size() - 3);
  EXPECT_EQ((*w)->size(), bounds[3]);
  EXPECT_EQ((*w)->last_sequence(), 3u);
  std::vector<std::string_view> more = {"zeta"};
  EXPECT_EQ((*w)->Append(more).value(), 4u);
  w->reset();
  // At the end of the file: nothing to replay, appends continue the sequence.
  const uint64_t end = Contents().size();
  auto at_end = LogWriter::OpenAt(env(), path_, {}, end, 4, nullptr, &rec);
  ASSERT_TRUE(at_end.ok()) << at_end.status().ToString();
  EXPECT_EQ(rec.scan.batches, 0u);
  EXPECT_EQ((*at_end)->Append(more).value(), 5u);
  at_end->reset();
  auto all = Reopen();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 5u);
}

TEST_F(LogTest, OpenAtOutsideTheLogIsRejectedAndChangesNothing) {
  Write(three_);
  const std::string before = Contents();
  auto past = LogWriter::OpenAt(env(), path_, {}, before.size() + 1, 3, nullptr, nullptr);
  EXPECT_TRUE(past.status().IsInvalidArgument()) << past.status().ToString();
  auto inside = LogWriter::OpenAt(env(), path_, {}, kLogHeaderSize - 1, 0, nullptr, nullptr);
  EXPECT_TRUE(inside.status().IsInvalidArgument()) << inside.status().ToString();
  EXPECT_EQ(Contents(), before);
  path_ = "/missing.log";
  auto missing = LogWriter::OpenAt(env(), path_, {}, kLogHeaderSize + 10, 1, nullptr, nullptr);
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  EXPECT_FALSE(env()->FileExists(path_));
}

// ---- fault injection at every I/O call site ----

class LogFaultTest : public LogTest {
 protected:
  Env* env() override { return fault_.get(); }
  std::unique_ptr<FaultInjectionEnv> fault_ = std::make_unique<FaultInjectionEnv>(mem_.get());
};

TEST_F(LogFaultTest, CreateFailsCleanlyAtEachStep) {
  for (FaultOp op : {FaultOp::kOpen, FaultOp::kWrite, FaultOp::kSync, FaultOp::kRename}) {
    fault_->ClearFaults();
    fault_->FailNth(op, 1);
    auto w = LogWriter::Open(env(), path_, {}, nullptr, nullptr);
    EXPECT_FALSE(w.ok()) << static_cast<int>(op);
    EXPECT_FALSE(mem_->FileExists(path_));
    EXPECT_FALSE(mem_->FileExists(path_ + ".tmp"));
  }
  fault_->ClearFaults();
  fault_->FailNth(FaultOp::kSyncDir, 1);
  EXPECT_FALSE(LogWriter::Open(env(), path_, {}, nullptr, nullptr).ok());
  fault_->ClearFaults();
  EXPECT_TRUE(Reopen().ok());
}

TEST_F(LogFaultTest, ReadFailureDuringReplayFailsOpen) {
  Write(three_);
  fault_->FailNth(FaultOp::kRead, 2);
  auto b = Reopen();
  EXPECT_TRUE(b.status().IsIOError()) << b.status().ToString();
  fault_->ClearFaults();
  EXPECT_EQ(Reopen().value(), three_);
}

TEST_F(LogFaultTest, TruncateFailureDuringRecoveryChangesNothing) {
  Write(three_);
  std::string data = Contents() + "torn";
  SetContents(data);
  fault_->FailNth(FaultOp::kTruncate, 1);
  EXPECT_TRUE(Reopen().status().IsIOError());
  EXPECT_EQ(Contents(), data);
  fault_->ClearFaults();
  EXPECT_EQ(Reopen().value(), three_);
}

TEST_F(LogFaultTest, FailedWriteIsUndone) {
  auto w = LogWriter::Open(env(), path_, {}, nullptr, nullptr);
  ASSERT_TRUE(w.ok());
  std::vector<std::string_view> a = {"first"}, b = {"second", "batch"};
  ASSERT_TRUE((*w)->Append(a).ok());
  const uint64_t size = Contents().size();
  fault_->SetPartialWriteBytes(11);
  fault_->FailNth(FaultOp::kWrite, 1);
  EXPECT_TRUE((*w)->Append(b).status().IsIOError());
  EXPECT_EQ(Contents().size(), size);
  EXPECT_FALSE((*w)->poisoned());
  EXPECT_EQ((*w)->Append(b).value(), 2u);
  w->reset();
  EXPECT_EQ(Reopen().value(), (Batches{{"first"}, {"second", "batch"}}));
}

TEST_F(LogFaultTest, FailedUndoPoisonsTheWriter) {
  auto w = LogWriter::Open(env(), path_, {}, nullptr, nullptr);
  ASSERT_TRUE(w.ok());
  std::vector<std::string_view> a = {"first"};
  fault_->SetPartialWriteBytes(5);
  fault_->FailNth(FaultOp::kWrite, 1);
  fault_->FailNth(FaultOp::kTruncate, 1);
  EXPECT_FALSE((*w)->Append(a).ok());
  EXPECT_TRUE((*w)->poisoned());
  EXPECT_TRUE((*w)->Append(a).status().IsFailedPrecondition());
  w->reset();
  fault_->ClearFaults();
  EXPECT_TRUE(Reopen().value().empty());  // the torn bytes are recovered as a tail
}

TEST_F(LogFaultTest, FailedFsyncPoisonsTheWriter) {
  auto w = LogWriter::Open(env(), path_, {}, nullptr, nullptr);
  ASSERT_TRUE(w.ok());
  std::vector<std::string_view> a = {"first"};
  fault_->FailNth(FaultOp::kSync, 1);
  EXPECT_TRUE((*w)->Append(a).status().IsIOError());
  EXPECT_TRUE((*w)->poisoned());
  auto again = (*w)->Append(a);
  EXPECT_TRUE(again.status().IsFailedPrecondition());
  EXPECT_NE(again.status().ToString().find("failed fsync"), std::string::npos);
  EXPECT_TRUE((*w)->Sync().IsFailedPrecondition());
}

TEST_F(LogFaultTest, CallerDrivenSyncFailurePoisons) {
  LogOptions o;
  o.fsync = FsyncPolicy::kCallerDriven;
  auto w = LogWriter::Open(env(), path_, o, nullptr, nullptr);
  ASSERT_TRUE(w.ok());
  std::vector<std::string_view> a = {"first"};
  const int syncs = fault_->Calls(FaultOp::kSync);
  ASSERT_TRUE((*w)->Append(a).ok());
  EXPECT_EQ(fault_->Calls(FaultOp::kSync), syncs) << "caller-driven must not sync per batch";
  fault_->FailNth(FaultOp::kSync, 1);
  EXPECT_FALSE((*w)->Sync().ok());
  EXPECT_TRUE((*w)->Append(a).status().IsFailedPrecondition());
}

TEST_F(LogFaultTest, OpenForAppendFailure) {
  Write(three_);
  fault_->FailNth(FaultOp::kOpen, 2);  // 1: reader, 2: append handle
  EXPECT_FALSE(Reopen().ok());
  fault_->ClearFaults();
  EXPECT_EQ(Reopen().value(), three_);
}

TEST_F(LogFaultTest, DiskFullRefusesBatchesAndKeepsTheLogValid) {
  Write(three_);
  auto w = LogWriter::Open(env(), path_, {}, nullptr, nullptr);
  ASSERT_TRUE(w.ok());
  fault_->SetPartialWriteBytes(3);
  fault_->FailFrom(FaultOp::kWrite, 1, Status::IOError("no space left on device (injected)"));
  std::vector<std::string_view> a = {"nope"};
  for (int i = 0; i < 3; i++) EXPECT_TRUE((*w)->Append(a).status().IsIOError());
  w->reset();
  fault_->ClearFaults();
  EXPECT_EQ(Reopen().value(), three_);
}

// Power loss: every synced batch survives; the batch in flight is all or nothing.
TEST_F(LogFaultTest, PowerLossKeepsEverySyncedBatch) {
  for (uint64_t seed = 0; seed < 200; seed++) {
    fault_.reset();
    mem_ = NewMemEnv();
    fault_ = std::make_unique<FaultInjectionEnv>(mem_.get());
    auto w = LogWriter::Open(env(), path_, {}, nullptr, nullptr);
    ASSERT_TRUE(w.ok());
    for (const auto& b : three_) {
      auto v = Views(b);
      ASSERT_TRUE((*w)->Append(v).ok());
    }
    std::vector<std::string_view> inflight = {"in", "flight", std::string_view("payload")};
    fault_->FailNth(FaultOp::kSync, 1);
    EXPECT_FALSE((*w)->Append(inflight).ok());
    w->reset();
    ASSERT_TRUE(fault_->DropUnsyncedDataKeepingPrefix(seed).ok());
    fault_->ClearFaults();
    auto b = Reopen();
    ASSERT_TRUE(b.ok()) << "seed " << seed << ": " << b.status().ToString();
    ASSERT_GE(b->size(), 3u);
    ASSERT_LE(b->size(), 4u);
    EXPECT_EQ(Batches(b->begin(), b->begin() + 3), three_);
    if (b->size() == 4) {
      EXPECT_EQ((*b)[3], (std::vector<std::string>{"in", "flight", "payload"}));
    }
  }
}

// A batch whose fsync failed can still be whole in the file when the writer dies
// (the page cache kept it). The next open replays it, so from then on it must stay:
// the open syncs what it replayed, and a power loss after it takes nothing back
// (found by urd_crashtest --power-loss).
TEST_F(LogFaultTest, ReplayedUnsyncedBatchSurvivesALaterPowerLoss) {
  Write(three_);
  auto w = LogWriter::Open(env(), path_, {}, nullptr, nullptr);
  ASSERT_TRUE(w.ok());
  std::vector<std::string_view> unsynced = {"written", "never synced"};
  fault_->FailNth(FaultOp::kSync, 1);
  EXPECT_FALSE((*w)->Append(unsynced).ok());
  w->reset();
  fault_->ClearFaults();
  auto seen = Reopen();  // a process crash: every byte written is still there
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  ASSERT_EQ(seen->size(), 4u);
  ASSERT_TRUE(fault_->DropUnsyncedData().ok());  // then the power goes
  EXPECT_EQ(Reopen().value(), *seen);
}

// ---- golden file ----

TEST(LogGoldenTest, Version1FileStillReadsAndIsReproduced) {
  std::string path = std::string(URD_TESTDATA_DIR) + "/log_v1.golden";
  Env* env = Env::Default();
  auto golden = ReadFileToString(env, path);
  ASSERT_TRUE(golden.ok()) << golden.status().ToString();
  const Batches want = {{"alpha"}, {"", "beta", std::string(300, '\x5A')}, {}};
  auto r = LogReader::Open(env, path, LogKind::kGeneric);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Batches got;
  auto scan = (*r)->Scan(kLogHeaderSize, 0, [&](const LogBatch& b) {
    got.emplace_back(b.records.begin(), b.records.end());
    return Status::OK();
  });
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->tail, LogTail::kClean);
  EXPECT_EQ(got, want);
  std::string rebuilt = EncodeLogHeader(LogKind::kGeneric);
  for (size_t i = 0; i < want.size(); i++) {
    auto v = Views(want[i]);
    LogWriter::EncodeBatch(i + 1, v, &rebuilt);
  }
  EXPECT_EQ(rebuilt, *golden);
}

}  // namespace
}  // namespace urd
