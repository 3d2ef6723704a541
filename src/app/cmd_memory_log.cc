// Copyright urd authors. `urd log` and `urd verify`: read DIR/memory.log directly,
// never write it, and work beside a running writer (they see complete batches).
//
//   urd log    [--from N] [--dir DIR] [--json]   decode every record to one line
//   urd verify [--dir DIR] [--json]              check every frame and record
//
// Both replay the batches into a scratch MemoryState (ApplyMode::kReplay, as
// recovery does), so symbol ids resolve to the names they had at that point of
// the log.

#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "app/cli.h"
#include "app/vec_open.h"
#include "memory/memory_log.h"
#include "memory/render.h"
#include "memory/state.h"
#include "storage/log_reader.h"

namespace urd::app {
namespace {

using Json = nlohmann::ordered_json;

// Problems listed by `verify` (each kind is still counted past this many).
constexpr size_t kMaxProblems = 20;

struct LogArgs {
  std::string dir;
  bool json = false;
  uint64_t from = 0;
};

const char* TailName(LogTail t) {
  switch (t) {
    case LogTail::kClean:
      return "clean";
    case LogTail::kTorn:
      return "torn";
    case LogTail::kCorrupt:
      return "corrupt";
  }
  return "?";
}

std::string TailText(const LogScan& s) {
  return "bad frame at offset " + std::to_string(s.bad_offset) + " (" + s.reason + "), " +
         std::to_string(s.tail_bytes()) + " bytes after the last committed batch";
}

// ---- log ----

// Prints one batch (unless before --from) and replays it; the first replay error
// goes to *replay.
Status LogBatchOut(const LogArgs& a, const mem::MemoryBatch& b, mem::MemoryState* state,
                   Status* replay) {
  const bool show = b.sequence >= a.from;
  if (show && !a.json) {
    PrintLine("# batch " + std::to_string(b.sequence) + " @ offset " + std::to_string(b.offset));
  }
  for (size_t i = 0; i < b.records.size(); ++i) {
    const mem::CanonicalRecord& r = b.records[i];
    if (show) {
      std::string text = mem::DescribeRecord(r, state->symbols());
      if (a.json) {
        PrintLine(JsonText({{"batch", b.sequence},
                            {"opcode", mem::OpcodeName(mem::OpcodeOf(r))},
                            {"text", text}}));
      } else {
        PrintLine(text);
      }
    }
    Status s = state->Apply(r, mem::ApplyMode::kReplay);
    if (!s.ok() && replay->ok()) {
      *replay = Status::Corruption("batch " + std::to_string(b.sequence) + " at offset " +
                                   std::to_string(b.offset) + ", record " + std::to_string(i) +
                                   " cannot be replayed: " + std::string(s.message()));
    }
  }
  return Status::OK();
}

int Log(const LogArgs& a) {
  const std::string path = MemoryLogPath(a.dir);
  mem::MemoryState state;
  Status replay;
  auto scan = mem::ScanMemoryLog(
      Env::Default(), path, kLogHeaderSize, 0,
      [&](const mem::MemoryBatch& b) { return LogBatchOut(a, b, &state, &replay); });
  std::fflush(stdout);
  if (!scan.ok()) return ReportError(scan.status());
  if (scan->tail == LogTail::kCorrupt) {
    return ReportError(Status::Corruption(path + ": corrupt: " + TailText(*scan) +
                                          ", followed by committed data"));
  }
  if (scan->tail == LogTail::kTorn) {
    std::fprintf(stderr, "urd: %s: torn tail: %s (the next writer truncates it)\n", path.c_str(),
                 TailText(*scan).c_str());
  }
  return replay.ok() ? 0 : ReportError(replay.WithContext(path));
}

// ---- verify ----

struct VerifyState {
  std::string path;
  mem::MemoryState state;
  bool replaying = true;  // false after a batch that does not decode
  uint64_t batches = 0, records = 0, memory_records = 0, symbol_events = 0, checkpoints = 0;
  std::map<uint8_t, uint64_t> opcodes;
  std::map<mem::SymbolId, mem::SymbolId> referenced;  // symbol -> first memory naming it
  uint64_t problem_count = 0;
  std::vector<std::string> problems;

  void Problem(std::string text) {
    if (problems.size() < kMaxProblems) problems.push_back(std::move(text));
    ++problem_count;
  }
};

// The symbols a memory record names (its own id included).
std::vector<mem::SymbolId> SymbolsOf(const mem::CanonicalRecord& r) {
  std::vector<mem::SymbolId> ids;
  auto value = [&](const mem::Value& v) {
    if (v.is_symbol()) ids.push_back(v.symbol());
  };
  if (auto* s = std::get_if<mem::SemRecord>(&r)) {
    ids = {s->memory_id, s->s, s->p, s->source};
    value(s->o);
  } else if (auto* e = std::get_if<mem::EpiRecord>(&r)) {
    ids = {e->memory_id, e->event_id, e->kind, e->location, e->source};
    ids.insert(ids.end(), e->participants.begin(), e->participants.end());
  } else if (auto* p = std::get_if<mem::ProRecord>(&r)) {
    ids = {p->memory_id, p->rule_id, p->scope, p->source};
    value(p->trigger);
    value(p->action);
    if (p->precondition) value(*p->precondition);
  } else if (auto* n = std::get_if<mem::InfRecord>(&r)) {
    ids = {n->memory_id, n->s, n->p, n->method};
    value(n->o);
    ids.insert(ids.end(), n->derived_from.begin(), n->derived_from.end());
  }
  return ids;
}

bool IsMemory(const mem::CanonicalRecord& r) {
  return std::holds_alternative<mem::SemRecord>(r) || std::holds_alternative<mem::EpiRecord>(r) ||
         std::holds_alternative<mem::ProRecord>(r) || std::holds_alternative<mem::InfRecord>(r);
}

void CheckRecord(const mem::MemoryBatch& b, size_t i, VerifyState* v) {
  const mem::CanonicalRecord& r = b.records[i];
  ++v->opcodes[static_cast<uint8_t>(mem::OpcodeOf(r))];
  if (std::holds_alternative<mem::SymbolEventRecord>(r)) ++v->symbol_events;
  if (std::holds_alternative<mem::CheckpointRecord>(r)) ++v->checkpoints;
  if (IsMemory(r)) {
    ++v->memory_records;
    const std::vector<mem::SymbolId> ids = SymbolsOf(r);
    for (mem::SymbolId id : ids) v->referenced.emplace(id, ids.front());
  }
  Status s = v->state.Apply(r, mem::ApplyMode::kReplay);
  if (!s.ok()) {
    v->Problem("batch " + std::to_string(b.sequence) + " at offset " + std::to_string(b.offset) +
               ", record " + std::to_string(i) + " (" + mem::RecordName(r) +
               ") cannot be replayed: " + std::string(s.message()));
  }
}

Status CheckBatch(const LogBatch& batch, VerifyState* v) {
  ++v->batches;
  v->records += batch.records.size();
  if (!v->replaying) return Status::OK();
  mem::MemoryBatch b;
  Status s = mem::DecodeMemoryBatch(batch, v->path, &b);
  if (!s.ok()) {
    v->Problem(std::string(s.message()) + " (later batches are not replayed)");
    v->replaying = false;
    return Status::OK();
  }
  for (size_t i = 0; i < b.records.size(); ++i) CheckRecord(b, i, v);
  if (b.records.empty() || !std::holds_alternative<mem::CheckpointRecord>(b.records.back())) {
    v->Problem("batch " + std::to_string(b.sequence) + " at offset " + std::to_string(b.offset) +
               " does not end with a CHECKPOINT");
  }
  return Status::OK();
}

// Symbols named by memories but never allocated.
uint64_t CheckDangling(VerifyState* v) {
  uint64_t dangling = 0;
  for (const auto& [id, memory] : v->referenced) {
    if (v->state.symbols().Find(id) != nullptr) continue;
    ++dangling;
    const mem::SymbolEntry* m = v->state.symbols().Find(memory);
    v->Problem("dangling symbol #" + std::to_string(id) + " (never allocated), named by memory " +
               (m != nullptr ? m->canonical_name : "#" + std::to_string(memory)));
  }
  return dangling;
}

Json TailJson(const LogScan& s) {
  Json t = {{"state", TailName(s.tail)}, {"end", s.end}, {"bytes", s.tail_bytes()}};
  if (s.tail != LogTail::kClean) {
    t["offset"] = s.bad_offset;
    t["reason"] = s.reason;
  }
  return t;
}

// Checks the memory log into a report; the result is the number of problems.
Result<Json> VerifyMemoryLog(const std::string& path, uint64_t* problems) {
  URD_ASSIGN_OR_RETURN(auto reader, LogReader::Open(Env::Default(), path, LogKind::kMemory));
  VerifyState v;
  v.path = path;
  URD_ASSIGN_OR_RETURN(LogScan scan, reader->Scan(kLogHeaderSize, 0, [&](const LogBatch& b) {
    return CheckBatch(b, &v);
  }));
  const uint64_t dangling = CheckDangling(&v);
  if (scan.tail == LogTail::kCorrupt)
    v.Problem("corrupt: " + TailText(scan) + ", followed by committed data");
  Json opcodes = Json::object();
  for (const auto& [op, n] : v.opcodes) {
    opcodes[std::string(mem::OpcodeName(static_cast<mem::Opcode>(op)))] = n;
  }
  *problems += v.problem_count;
  return Json{{"path", path},
              {"file_bytes", scan.file_size},
              {"batches", v.batches},
              {"records", v.records},
              {"opcodes", opcodes},
              {"memory_records", v.memory_records},
              {"symbol_events", v.symbol_events},
              {"checkpoints", v.checkpoints},
              {"dangling_symbols", dangling},
              {"tail", TailJson(scan)},
              {"problem_count", v.problem_count},
              {"problems", v.problems}};
}

void PrintVerifyHuman(const Json& j, bool healthy) {
  Json shown = j;
  shown.erase("healthy");
  Json problems = Json::array();
  if (shown["memory"].is_object()) {
    Json& m = shown["memory"];
    problems = m["problems"];
    if (m["problem_count"].get<uint64_t>() > problems.size()) {
      problems.push_back("… " + m["problem_count"].dump() + " problems in all");
    }
    m.erase("problems");
    m.erase("problem_count");
    std::string ops;
    for (const auto& [name, n] : m["opcodes"].items()) {
      ops += (ops.empty() ? "" : ", ") + name + " " + n.dump();
    }
    m["opcodes"] = ops;
  }
  std::fputs(HumanLines(shown).c_str(), stdout);
  for (const Json& p : problems) PrintLine("problem: " + p.get<std::string>());
  const bool torn = j["memory"].is_object() && j["memory"]["tail"]["state"] == "torn";
  PrintLine(!healthy ? "CORRUPT: see the problems above"
            : torn   ? "ok: torn tail (an uncommitted or torn write; the next writer truncates it)"
                     : "ok");
}

int Verify(const LogArgs& a) {
  const std::string path = MemoryLogPath(a.dir);
  const bool have_vectors = Env::Default()->FileExists(VectorStorePath(a.dir));
  const bool have_log = Env::Default()->FileExists(path);
  if (!have_log && !have_vectors) {
    return ReportError(Status::NotFound(a.dir + ": no memory log and no vector store"));
  }
  uint64_t problems = 0;
  Json j = {{"memory", nullptr}, {"vectors", nullptr}};
  if (have_log) {
    auto report = VerifyMemoryLog(path, &problems);
    if (!report.ok()) return ReportError(report.status());
    j["memory"] = *report;
  }
  if (have_vectors) {
    Status vs;
    j["vectors"] = VectorFootprintJson(a.dir, &vs);
    if (!vs.ok()) ++problems;
  }
  j["healthy"] = problems == 0;
  if (a.json) {
    PrintLine(JsonText(j));
  } else {
    PrintVerifyHuman(j, problems == 0);
  }
  return problems == 0 ? 0 : 5;
}

void AddDirAndJson(CLI::App* cmd, LogArgs* a) {
  cmd->add_option("--dir", a->dir, "Workspace directory; the memory log is DIR/memory.log")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "JSON output");
}

}  // namespace

void AddMemoryLogCommands(CLI::App* app, int* rc) {
  auto args = std::make_shared<LogArgs>();
  args->dir = DefaultWorkspaceDir();
  CLI::App* log = app->add_subcommand("log", "Decode the memory log to readable lines");
  AddDirAndJson(log, args.get());
  log->add_option("--from", args->from, "Print batches with sequence >= N (1 is the first)")
      ->check(CLI::NonNegativeNumber);  // "-1" would wrap to 2^64 - 1 and print nothing
  log->footer(
      "Read-only. Prints `# batch SEQ @ offset O`, then one line per record (forms for "
      "memories and flags, symbol names as of that point of the log). --json: one object per "
      "record and line, {batch, opcode, text}. A torn tail is noted on stderr (exit 0); "
      "corruption followed by committed data exits 5 after the good batches.");
  BindVerb(log, rc, [args] { return Log(*args); });

  CLI::App* verify = app->add_subcommand("verify", "Check every frame and record; change nothing");
  AddDirAndJson(verify, args.get());
  verify->footer(
      "Checks DIR/memory.log: frames and CRCs, record decoding, replay (cycles, symbol "
      "conflicts), a CHECKPOINT at the end of every batch, no memory naming a symbol that was "
      "never allocated; and opens DIR/vectors read-only when it exists. Tail: clean, torn (an "
      "uncommitted or torn write the next writer truncates: still healthy) or corrupt (a bad "
      "frame followed by committed data). Exit 0 healthy, 3 nothing to verify, 5 any problem.");
  BindVerb(verify, rc, [args] { return Verify(*args); });
}

}  // namespace urd::app
