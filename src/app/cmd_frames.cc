// Copyright urd authors. `urd frames`: low-level tools for any urd framed log file
// (docs/format.md §1): append batches, dump, check, recover.
//
//   urd frames append FILE [--record TEXT]... [--batches N --records R --bytes B]
//                          [--fsync every|caller|never] [--owner NAME]
//   urd frames dump FILE [--json]        read-only; prints every committed batch
//   urd frames check FILE [--json]       read-only; classifies the tail
//   urd frames recover FILE [--salvage]  takes the lock, truncates a torn tail

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli.h"
#include "storage/log_writer.h"
#include "storage/writer_lock.h"

namespace urd::app {
namespace {

struct FramesArgs {
  std::string file;
  std::vector<std::string> records;
  uint64_t batches = 1;
  uint64_t records_per_batch = 1;
  uint64_t bytes = 16;
  std::string fsync = "every";
  std::string owner = "urd frames append";
  bool json = false;
  bool salvage = false;
};

const char* TailName(LogTail t) {
  switch (t) {
    case LogTail::kClean: return "clean";
    case LogTail::kTorn: return "torn";
    case LogTail::kCorrupt: return "corrupt";
  }
  return "?";
}

std::string Printable(std::string_view rec, size_t max = 60) {
  std::string out;
  for (char c : rec.substr(0, max)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out.push_back(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      out += buf;
    }
  }
  if (rec.size() > max) out += "...(" + std::to_string(rec.size()) + " bytes)";
  return out;
}

nlohmann::json ScanJson(const LogScan& s) {
  nlohmann::json j = {{"batches", s.batches},       {"records", s.records},
                      {"last_sequence", s.last_sequence}, {"valid_bytes", s.end},
                      {"file_size", s.file_size},   {"tail", TailName(s.tail)}};
  if (s.tail != LogTail::kClean) {
    j["tail_bytes"] = s.tail_bytes();
    j["bad_offset"] = s.bad_offset;
    j["reason"] = s.reason;
  }
  if (s.tail == LogTail::kCorrupt) j["later_commit_offset"] = s.later_commit_offset;
  return j;
}

void PrintScan(const LogScan& s) {
  std::printf("%llu batches, %llu records, last sequence %llu, %llu valid bytes of %llu\n",
              (unsigned long long)s.batches, (unsigned long long)s.records,
              (unsigned long long)s.last_sequence, (unsigned long long)s.end,
              (unsigned long long)s.file_size);
  if (s.tail == LogTail::kTorn) {
    std::printf("torn tail: %llu bytes after offset %llu (%s at offset %llu)\n",
                (unsigned long long)s.tail_bytes(), (unsigned long long)s.end, s.reason.c_str(),
                (unsigned long long)s.bad_offset);
  } else if (s.tail == LogTail::kCorrupt) {
    std::printf("CORRUPT: %s at offset %llu; a later committed batch follows at offset %llu\n",
                s.reason.c_str(), (unsigned long long)s.bad_offset,
                (unsigned long long)s.later_commit_offset);
  }
}

Result<FsyncPolicy> ParseFsync(const std::string& s) {
  if (s == "every") return FsyncPolicy::kEveryCommit;
  if (s == "caller") return FsyncPolicy::kCallerDriven;
  if (s == "never") return FsyncPolicy::kNever;
  return Status::InvalidArgument("--fsync must be every, caller or never, not '" + s + "'");
}

Result<std::unique_ptr<WriterLock>> LockFor(const std::string& file, const std::string& owner) {
  LockOptions lo;
  lo.owner = owner;
  return WriterLock::Acquire(DirName(file), lo);
}

std::vector<std::string> MakeBatch(const FramesArgs& a, uint64_t seq) {
  if (!a.records.empty()) return a.records;
  std::vector<std::string> out;
  for (uint64_t r = 0; r < a.records_per_batch; r++) {
    std::string rec = "batch " + std::to_string(seq) + " record " + std::to_string(r) + " ";
    rec.resize(std::max<size_t>(rec.size(), a.bytes), '.');
    out.push_back(std::move(rec));
  }
  return out;
}

void ReportRecovery(const LogRecovery& rec, const std::string& file) {
  if (rec.created) std::fprintf(stderr, "urd: created %s\n", file.c_str());
  if (rec.truncated_bytes > 0) {
    std::fprintf(stderr, "urd: %s %llu bytes after offset %llu of %s (%s)\n",
                 rec.salvaged ? "salvaged: cut" : "recovered: truncated a torn tail of",
                 (unsigned long long)rec.truncated_bytes, (unsigned long long)rec.scan.end,
                 file.c_str(), rec.scan.reason.c_str());
  }
}

int Append(const FramesArgs& a) {
  auto fsync = ParseFsync(a.fsync);
  if (!fsync.ok()) return ReportError(fsync.status());
  auto lock = LockFor(a.file, a.owner);
  if (!lock.ok()) return ReportError(lock.status());
  LogOptions o;
  o.fsync = *fsync;
  LogRecovery rec;
  auto w = LogWriter::Open(Env::Default(), a.file, o, nullptr, &rec);
  if (!w.ok()) return ReportError(w.status());
  ReportRecovery(rec, a.file);
  for (uint64_t i = 0; i < a.batches; i++) {
    std::vector<std::string> recs = MakeBatch(a, (*w)->last_sequence() + 1);
    std::vector<std::string_view> views(recs.begin(), recs.end());
    auto seq = (*w)->Append(views);
    if (!seq.ok()) return ReportError(seq.status());
    if (a.batches <= 20) std::printf("committed batch %llu (%zu records)\n",
                                     (unsigned long long)*seq, recs.size());
  }
  Status s = (*w)->Close();
  if (!s.ok()) return ReportError(s);
  if (a.batches > 20) {
    std::printf("committed %llu batches; last sequence %llu\n", (unsigned long long)a.batches,
                (unsigned long long)(*w)->last_sequence());
  }
  return 0;
}

int Dump(const FramesArgs& a, bool print_batches) {
  auto r = LogReader::Open(Env::Default(), a.file, LogKind::kGeneric);
  if (!r.ok()) return ReportError(r.status());
  nlohmann::json batches = nlohmann::json::array();
  auto scan = (*r)->Scan(kLogHeaderSize, 0, [&](const LogBatch& b) {
    if (!print_batches) return Status::OK();
    if (a.json) {
      nlohmann::json recs = nlohmann::json::array();
      for (auto rec : b.records) recs.push_back(Printable(rec, 1 << 20));
      batches.push_back({{"sequence", b.sequence}, {"offset", b.offset}, {"records", recs}});
    } else {
      std::printf("batch %llu @%llu: %zu records\n", (unsigned long long)b.sequence,
                  (unsigned long long)b.offset, b.records.size());
      for (auto rec : b.records) std::printf("  %s\n", Printable(rec).c_str());
    }
    return Status::OK();
  });
  if (!scan.ok()) return ReportError(scan.status());
  if (a.json) {
    nlohmann::json out = ScanJson(*scan);
    if (print_batches) out["batch_list"] = batches;
    std::printf("%s\n", out.dump().c_str());
  } else {
    PrintScan(*scan);
  }
  return scan->tail == LogTail::kCorrupt ? 5 : 0;
}

int Recover(const FramesArgs& a) {
  auto lock = LockFor(a.file, "urd frames recover");
  if (!lock.ok()) return ReportError(lock.status());
  LogOptions o;
  o.create_if_missing = false;
  o.salvage = a.salvage;
  LogRecovery rec;
  auto w = LogWriter::Open(Env::Default(), a.file, o, nullptr, &rec);
  if (!w.ok()) return ReportError(w.status());
  if (a.json) {
    nlohmann::json j = ScanJson(rec.scan);
    j["truncated_bytes"] = rec.truncated_bytes;
    j["salvaged"] = rec.salvaged;
    std::printf("%s\n", j.dump().c_str());
  } else {
    PrintScan(rec.scan);
    std::printf("%s %llu bytes; the log now ends at offset %llu\n",
                rec.salvaged ? "salvaged: cut" : "truncated",
                (unsigned long long)rec.truncated_bytes, (unsigned long long)rec.scan.end);
  }
  return 0;
}

}  // namespace

void AddFramesCommands(CLI::App* app, int* rc) {
  auto args = std::make_shared<FramesArgs>();
  CLI::App* frames = app->add_subcommand(
      "frames", "Low-level tools for an urd framed log file (docs/format.md section 1)");
  frames->require_subcommand(1);

  CLI::App* append = frames->add_subcommand("append", "Commit batches (takes the writer lock)");
  append->add_option("file", args->file, "Log file (created if missing)")->required();
  append->add_option("--record", args->records, "A record of the batch (repeatable)");
  append->add_option("--batches", args->batches, "Number of batches to commit")
      ->check(CLI::PositiveNumber);
  append->add_option("--records", args->records_per_batch, "Generated records per batch");
  append->add_option("--bytes", args->bytes, "Size of each generated record");
  append->add_option("--fsync", args->fsync, "every | caller | never");
  append->add_option("--owner", args->owner, "Owner name written into the lock file");
  append->callback([args, rc] { *rc = Append(*args); });

  CLI::App* dump = frames->add_subcommand("dump", "Print every committed batch (read-only)");
  dump->add_option("file", args->file, "Log file")->required();
  dump->add_flag("--json", args->json, "JSON output");
  dump->callback([args, rc] { *rc = Dump(*args, true); });

  CLI::App* check = frames->add_subcommand("check", "Verify every frame; change nothing");
  check->add_option("file", args->file, "Log file")->required();
  check->add_flag("--json", args->json, "JSON output");
  check->callback([args, rc] { *rc = Dump(*args, false); });

  CLI::App* recover = frames->add_subcommand(
      "recover", "Open for writing: truncate a torn tail (or --salvage past corruption)");
  recover->add_option("file", args->file, "Log file")->required();
  recover->add_flag("--salvage", args->salvage, "Cut the log at the last good batch");
  recover->add_flag("--json", args->json, "JSON output");
  recover->callback([args, rc] { *rc = Recover(*args); });
}

}  // namespace urd::app
