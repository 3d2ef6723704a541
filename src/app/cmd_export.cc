// Copyright urd authors. `urd export`: write a workspace's store in another
// system's format.
//
//   urd export mimir FILE [--dir DIR] [--force] [--json]
//   urd export jsonl FILE [--dir DIR] [--force] [--json]
//
// mimir: every committed record of DIR/memory.log, in log order, as a mimir-core
// 0.1.0 `canonical.log` (memory/mimir_file.h). The log is read directly and
// read-only (safe beside a running writer, which it does not wait for); a torn
// tail is left out and noted, corruption followed by committed data refuses the
// export. FILE is replaced atomically (FILE.tmp, fsync, rename, fsync of the
// directory); an existing FILE is kept unless --force. Lossless: `urd import
// mimir X` then `urd export mimir Y` gives Y equal to X's committed prefix.
//
// jsonl: every memory that carries text (docs/decisions.md W1), in commit order, as
// JSON lines (docs/format.md §8) that `urd import jsonl` reads back: the memory
// store is opened read-only, the attributes come from the vector records of
// DIR/vectors (collection "memories"). Inferential memories are left out and
// counted. FILE as for mimir; `-` writes to stdout (the summary then goes to stderr).

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli.h"
#include "app/vec_open.h"
#include "memory/memory_log.h"
#include "memory/memory_store_impl.h"
#include "memory/mimir_file.h"
#include "memory/render.h"
#include "memory/state.h"
#include "recall/memory_text.h"
#include "storage/log_reader.h"
#include "urd/memory_store.h"
#include "urd/vector_store.h"
#include "urd/workspace.h"

namespace urd::app {
namespace {

struct ExportArgs {
  std::string file;
  std::string dir;
  bool force = false;
  bool json = false;
};

struct Committed {
  std::vector<mem::CanonicalRecord> records;
  uint64_t batches = 0;
  LogScan scan;
};

// Every committed record of the memory log; Corruption for a corrupt tail.
Result<Committed> ReadCommitted(const std::string& path) {
  Committed c;
  URD_ASSIGN_OR_RETURN(
      c.scan,
      mem::ScanMemoryLog(Env::Default(), path, kLogHeaderSize, 0, [&](const mem::MemoryBatch& b) {
        c.records.insert(c.records.end(), b.records.begin(), b.records.end());
        ++c.batches;
        return Status::OK();
      }));
  if (c.scan.tail == LogTail::kCorrupt) {
    return Status::Corruption(path + ": bad frame at offset " + std::to_string(c.scan.bad_offset) +
                              " (" + c.scan.reason +
                              ") followed by committed data; nothing exported (urd verify)");
  }
  return c;
}

int ExportMimir(const ExportArgs& a) {
  Env* env = Env::Default();
  if (!a.force && env->FileExists(a.file)) {
    return ReportError(Status::InvalidArgument(a.file + " exists: give --force to replace it"));
  }
  const std::string path = MemoryLogPath(a.dir);
  auto c = ReadCommitted(path);
  if (!c.ok()) return ReportError(c.status());
  if (c->scan.tail == LogTail::kTorn) {
    std::fprintf(stderr, "urd: %s: left out a torn tail of %llu bytes at offset %llu (%s)\n",
                 path.c_str(), (unsigned long long)c->scan.tail_bytes(),
                 (unsigned long long)c->scan.end, c->scan.reason.c_str());
  }
  const std::string image = mem::EncodeMimirLog(c->records);
  Status s = WriteFileAtomic(env, a.file, image);
  if (!s.ok()) return ReportError(s);
  if (a.json) {
    PrintLine(JsonText({{"source", path},
                        {"target", a.file},
                        {"batches", c->batches},
                        {"records", c->records.size()},
                        {"bytes", image.size()}}));
  } else {
    PrintLine("exported " + std::to_string(c->batches) + " batches, " +
              std::to_string(c->records.size()) + " records to " + a.file + " (" +
              std::to_string(image.size()) + " bytes)");
  }
  return 0;
}

// ---- jsonl ----

struct JsonlExportArgs {
  std::string file;  // "-": stdout
  std::string dir;
  bool force = false;
  bool json = false;
};

using LineJson = nlohmann::ordered_json;

// One memory that carries text, in the shape of a JSON line (without attrs).
struct JsonlMemory {
  mem::SymbolId order = 0;  // the memory id's symbol: allocated in commit order
  std::string id;
  LineJson line;
};

std::string SymbolName(const mem::MemoryState& st, mem::SymbolId id) {
  const mem::SymbolEntry* e = st.symbols().Find(id);
  return e == nullptr ? "#" + std::to_string(id) : e->canonical_name;
}

// `YYYY-MM-DDTHH:MM:SS[.mmm]Z`.
std::string IsoTime(uint64_t ms) { return mem::RenderTimestamp(ms); }

// A confidence as the JSON number with the fewest decimals that reads back to it.
double ConfidenceNumber(mem::Confidence c) {
  return std::strtod(mem::RenderConfidence(c).c_str(), nullptr);
}

// A rule's trigger as a subject: a string as it is, a symbol by name, anything
// else in the write language's spelling.
std::string TriggerText(const mem::MemoryState& st, const mem::Value& v) {
  switch (v.type()) {
    case mem::Value::Type::kString:
      return v.string();
    case mem::Value::Type::kSymbol:
      return SymbolName(st, v.symbol());
    case mem::Value::Type::kInteger:
      return std::to_string(v.integer());
    case mem::Value::Type::kFloat:
      return mem::RenderFloat(v.float_value()).value_or("nan");
    case mem::Value::Type::kBoolean:
      return v.boolean() ? "true" : "false";
    case mem::Value::Type::kTimestamp:
      return mem::RenderTimestamp(v.timestamp());
  }
  return "";
}

LineJson LineOf(const std::string& id, const std::string& text, std::string_view kind,
                const std::string& subject, const std::string& predicate, const std::string& source,
                mem::Confidence c, uint64_t valid_at) {
  return {{"id", id},
          {"text", text},
          {"kind", kind},
          {"subject", subject},
          {"predicate", predicate},
          {"source", source},
          {"confidence", ConfidenceNumber(c)},
          {"valid_at", IsoTime(valid_at)}};
}

// Every memory that carries text (docs/decisions.md W1) except inferential ones,
// in commit order; *inferred counts those left out.
std::vector<JsonlMemory> CollectJsonl(const mem::MemoryState& st, uint64_t* inferred) {
  std::vector<JsonlMemory> out;
  auto add = [&](mem::SymbolId memory_id, LineJson line, uint64_t committed_at) {
    line["committed_at"] = IsoTime(committed_at);
    std::string id = line["id"].get<std::string>();
    out.push_back({memory_id, std::move(id), std::move(line)});
  };
  for (uint32_t i = 0; i < st.sem().size(); ++i) {
    const mem::SemRecord& r = st.sem()[i];
    auto text = recall::MemoryText(st, {mem::MemoryKind::kSem, i});
    if (!text) continue;
    add(r.memory_id,
        LineOf(SymbolName(st, r.memory_id), *text, "sem", SymbolName(st, r.s), SymbolName(st, r.p),
               SymbolName(st, r.source), r.confidence, r.valid_at),
        r.committed_at);
  }
  for (uint32_t i = 0; i < st.epi().size(); ++i) {
    const mem::EpiRecord& r = st.epi()[i];
    auto text = recall::MemoryText(st, {mem::MemoryKind::kEpi, i});
    if (!text) continue;
    // A note's one participant is its subject; notes have no predicate (the
    // default is written, as for rules).
    const std::string subject = r.participants.empty() ? "user" : SymbolName(st, r.participants[0]);
    add(r.memory_id,
        LineOf(SymbolName(st, r.memory_id), *text, "epi", subject, RememberOptions{}.predicate,
               SymbolName(st, r.source), r.confidence, r.at_time),
        r.committed_at);
  }
  for (uint32_t i = 0; i < st.pro().size(); ++i) {
    const mem::ProRecord& r = st.pro()[i];
    auto text = recall::MemoryText(st, {mem::MemoryKind::kPro, i});
    if (!text) continue;
    add(r.memory_id,
        LineOf(SymbolName(st, r.memory_id), *text, "pro", TriggerText(st, r.trigger),
               RememberOptions{}.predicate, SymbolName(st, r.source), r.confidence, r.valid_at),
        r.committed_at);
  }
  for (uint32_t i = 0; i < st.inf().size(); ++i) {
    if (recall::MemoryText(st, {mem::MemoryKind::kInf, i})) ++*inferred;
  }
  std::sort(out.begin(), out.end(),
            [](const JsonlMemory& a, const JsonlMemory& b) { return a.order < b.order; });
  return out;
}

// An attribute value as a string (Remember stores strings; other types, from
// other writers, are written as their JSON text).
std::string AttrText(const Value& v) {
  switch (v.type()) {
    case Value::Type::kString:
      return v.as_string();
    case Value::Type::kNull:
      return "";
    case Value::Type::kInt:
      return std::to_string(v.as_int());
    case Value::Type::kFloat:
      return LineJson(v.as_float()).dump();
    case Value::Type::kBool:
      return v.as_bool() ? "true" : "false";
    case Value::Type::kList:
      return LineJson(v.as_list()).dump(-1, ' ', false, LineJson::error_handler_t::replace);
  }
  return "";
}

int ExportJsonl(const JsonlExportArgs& a) {
  Env* env = Env::Default();
  const bool to_stdout = a.file == "-";
  if (!to_stdout && !a.force && env->FileExists(a.file)) {
    return ReportError(Status::InvalidArgument(a.file + " exists: give --force to replace it"));
  }
  MemoryOptions mo;
  mo.read_only = true;
  mo.create_if_missing = false;
  auto store = MemoryStore::Open(a.dir, mo);
  if (!store.ok()) return ReportError(store.status());
  auto* impl = dynamic_cast<mem::MemoryStoreImpl*>(store->get());
  if (impl == nullptr) {
    return ReportError(Status::FailedPrecondition("export jsonl: not an urd memory store"));
  }
  std::vector<JsonlMemory> memories;
  uint64_t inferred = 0;
  impl->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    memories = CollectJsonl(st, &inferred);
  });
  // Attributes: the vector records of collection "memories" (absent: none).
  std::unique_ptr<VectorStore> vectors;
  if (auto v = OpenVectorsReadOnly(a.dir); v.ok()) {
    vectors = std::move(*v);
  } else if (!v.status().IsNotFound()) {
    return ReportError(v.status());
  }
  std::string image;
  for (JsonlMemory& m : memories) {
    LineJson attrs = LineJson::object();
    if (vectors != nullptr) {
      auto rec = vectors->Get("memories", m.id);
      if (rec.ok()) {
        for (const auto& [k, v] : rec->attrs) attrs[k] = AttrText(v);
      } else if (!rec.status().IsNotFound()) {
        return ReportError(rec.status().WithContext("attributes of " + m.id));
      }
    }
    LineJson line;  // the keys in the documented order
    for (const char* key :
         {"id", "text", "kind", "subject", "predicate", "source", "confidence", "valid_at"}) {
      line[key] = std::move(m.line[key]);
    }
    line["attrs"] = std::move(attrs);
    line["committed_at"] = std::move(m.line["committed_at"]);
    image += JsonText(line);
    image += '\n';
  }
  Status s;
  if (to_stdout) {
    if (std::fwrite(image.data(), 1, image.size(), stdout) != image.size() ||
        std::fflush(stdout) != 0) {
      s = Status::IOError("stdout: write failed");
    }
  } else {
    s = WriteFileAtomic(env, a.file, image);
  }
  if (!s.ok()) return ReportError(s);
  const std::string target = to_stdout ? "stdout" : a.file;
  // With FILE `-` the data owns stdout: the summary goes to stderr.
  FILE* summary = to_stdout ? stderr : stdout;
  if (a.json) {
    std::fprintf(summary, "%s\n",
                 JsonText({{"source", MemoryLogPath(a.dir)},
                           {"target", target},
                           {"memories", memories.size()},
                           {"skipped_inferred", inferred},
                           {"bytes", image.size()}})
                     .c_str());
  } else {
    std::fprintf(summary, "exported %zu memories to %s (%zu bytes)%s\n", memories.size(),
                 target.c_str(), image.size(),
                 inferred == 0
                     ? ""
                     : (", left out " + std::to_string(inferred) + " inferred memories").c_str());
  }
  return 0;
}

void AddExportJsonl(CLI::App* exp, int* rc) {
  auto args = std::make_shared<JsonlExportArgs>();
  args->dir = DefaultWorkspaceDir();
  CLI::App* jsonl = exp->add_subcommand(
      "jsonl", "Write every memory with text as JSON lines (docs/format.md section 8)");
  jsonl->footer(
      "One line per memory that carries text (epi notes, sem facts with a string object, pro "
      "rules with a string action), in commit order: id, text, kind, subject, predicate, "
      "source, confidence, valid_at, attrs (from DIR/vectors), committed_at. Inferential "
      "memories are left out (and counted). Reads the workspace read-only. FILE is replaced "
      "atomically; an existing FILE needs --force (exit 2 otherwise); - writes to stdout. "
      "`urd import jsonl` reads it back.");
  jsonl->add_option("file", args->file, "The JSON-lines file to write (- for stdout)")->required();
  jsonl->add_option("--dir", args->dir, "Workspace directory")->capture_default_str();
  jsonl->add_flag("--force", args->force, "Replace FILE if it exists");
  jsonl->add_flag("--json", args->json, "JSON output (on stderr when FILE is -)");
  BindVerb(jsonl, rc, [args] { return ExportJsonl(*args); });
}

}  // namespace

void AddExportCommands(CLI::App* app, int* rc) {
  auto args = std::make_shared<ExportArgs>();
  args->dir = DefaultWorkspaceDir();
  CLI::App* exp = app->add_subcommand("export", "Write a workspace's store in another format");
  exp->require_subcommand(1);
  CLI::App* mimir =
      exp->add_subcommand("mimir", "Write DIR/memory.log as a mimir-core 0.1.0 canonical.log");
  mimir->footer(
      "Every committed record in log order (a torn tail is left out and noted; corruption "
      "refuses the export, exit 5). FILE is replaced atomically; an existing FILE needs "
      "--force (exit 2 otherwise). `urd import mimir` reads it back losslessly.");
  mimir->add_option("file", args->file, "The canonical.log to write")->required();
  mimir->add_option("--dir", args->dir, "Workspace directory; the store is DIR/memory.log")
      ->capture_default_str();
  mimir->add_flag("--force", args->force, "Replace FILE if it exists");
  mimir->add_flag("--json", args->json, "JSON output");
  BindVerb(mimir, rc, [args] { return ExportMimir(*args); });
  AddExportJsonl(exp, rc);
}

}  // namespace urd::app
