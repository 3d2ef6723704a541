// Copyright urd authors. `urd import`: copy another system's store into a workspace.
//
//   urd import nidus NIDUS_DIR [--dir DIR] [--dim-check] [--json]
//   urd import mimir FILE [--dir DIR] [--json]
//   urd import jsonl FILE [--dir DIR] [--batch N] [--json]
//
// nidus: reads a nidus 0.3.0 store (vector/nidus_reader.h; read-only, safe beside a
// live nidus writer) and writes every collection, its meta map and its records
// into DIR/vectors, created with the nidus dimension (an existing store must have
// the same one). Every record is checked against urd's rules first (nidus accepts
// zero and non-finite vectors, urd does not), so bad input writes nothing; records
// then go in atomic batches of 1000 (a failed batch leaves earlier ones committed).
// Existing collections are merged: records with the same id are replaced, and a
// non-empty nidus meta map replaces the collection's.
//
// mimir: reads a mimir-core 0.1.0 `canonical.log` (memory/mimir_file.h) into the
// memory store DIR/memory.log, which must hold no committed batch yet. A corrupt
// tail (a decode error that is not a torn write) refuses the whole file; an orphan
// tail (records after the last CHECKPOINT, or a record cut short) is ignored and
// counted. Every batch is replayed into a scratch state first, so a file that does
// not replay writes nothing; then each mimir batch (up to and including its
// CHECKPOINT) becomes one urd batch with the same records, so `urd export mimir`
// gives back the committed prefix byte for byte.
//
// jsonl: memories as JSON lines (docs/format.md §8), one object per line, remembered
// through Workspace::Remember into the workspace DIR (created if missing). Every
// line is checked first (JSON, keys, types, kind, timestamps, confidence and the
// source's bound, symbol names, UTF-8, sizes, attributes); the first bad line
// refuses the file and nothing is written. A knowledge-graph `memory.jsonl` of
// @modelcontextprotocol/server-memory (its first line has "type": "entity" or
// "relation") is merged into the workspace's knowledge graph in one atomic batch
// instead (import_graph.h, KnowledgeGraph::Merge). Consecutive notes with identical options (kind, subject,
// predicate, source, confidence, valid_at, attrs) share one atomic Remember batch of
// up to --batch texts; each fact and each rule is a batch of its own. A failing
// batch leaves the earlier ones committed and the error says how many lines are.
// On a terminal, stderr shows a progress line.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli.h"
#include "app/import_graph.h"
#include "app/jsonl_lines.h"
#include "recall/memory_text.h"
#include "app/vec_open.h"
#include "base/clock.h"
#include "base/utf8.h"
#include "memory/ir/timestamp.h"
#include "memory/memory_store_impl.h"
#include "memory/mimir_file.h"
#include "memory/render.h"
#include "memory/state.h"
#include "memory/types.h"
#include "urd/memory_store.h"
#include "urd/vector_store.h"
#include "urd/workspace.h"
#include "vector/attr_codec.h"
#include "vector/nidus_reader.h"
#include "vector/vector_store_impl.h"

namespace urd::app {
namespace {

constexpr size_t kImportBatch = 1000;

struct ImportArgs {
  std::string source;
  std::string dir;
  bool dim_check = false;
  bool json = false;
};

struct NidusSummary {
  size_t collections = 0;
  size_t records = 0;
};

// urd's write rules for everything the import will write; nothing is written yet.
Status CheckNidus(const vec::NidusStore& store, NidusSummary* summary) {
  const size_t max_id = VectorOptions{}.max_id_bytes;
  for (const auto& [name, c] : store.collections) {
    const std::string where = "nidus collection \"" + name + "\"";
    URD_RETURN_IF_ERROR(vec::ValidateCollectionName(name).WithContext(where));
    for (const vec::NidusDoc& d : c.docs) {
      const std::string doc = where + ", record \"" + d.id + "\"";
      URD_RETURN_IF_ERROR(vec::ValidateRecordId(d.id, max_id).WithContext(doc));
      URD_RETURN_IF_ERROR(vec::ValidateVector(d.vector, store.dimension, "vector").WithContext(doc));
      URD_RETURN_IF_ERROR(vec::ValidateAttrs(d.attrs).WithContext(doc));
    }
    summary->collections++;
    summary->records += c.docs.size();
  }
  return Status::OK();
}

Status CopyCollection(VectorStore* dst, const std::string& name, vec::NidusCollection* c) {
  URD_RETURN_IF_ERROR(dst->CreateCollection(name));
  if (!c->meta.empty()) URD_RETURN_IF_ERROR(dst->SetMeta(name, c->meta));
  std::vector<VectorRecord> batch;
  for (size_t i = 0; i < c->docs.size(); i += kImportBatch) {
    const size_t n = std::min(kImportBatch, c->docs.size() - i);
    batch.clear();
    for (size_t j = i; j < i + n; j++) {
      vec::NidusDoc& d = c->docs[j];
      batch.push_back({std::move(d.id), std::move(d.vector), std::move(d.attrs)});
    }
    auto written = dst->Upsert(name, batch);
    if (!written.ok()) {
      return written.status().WithContext("collection \"" + name + "\", records " +
                                          std::to_string(i) + ".." + std::to_string(i + n - 1) +
                                          " (earlier batches stay committed)");
    }
  }
  return Status::OK();
}

// Opens (or, unless only checking, creates) the target store; with --dim-check an
// absent store yields nullptr.
Result<std::unique_ptr<VectorStore>> OpenTarget(const ImportArgs& a, size_t dim) {
  VectorOptions o;
  o.dimension = dim;
  o.lock_owner = "urd import nidus";
  if (a.dim_check) {
    auto store = OpenVectorsReadOnly(a.dir, o);
    if (!store.ok() && store.status().IsNotFound()) return std::unique_ptr<VectorStore>();
    return store;
  }
  return CreateVectors(a.dir, dim, o);
}

void PrintSummary(const ImportArgs& a, const vec::NidusStore& src, const NidusSummary& s) {
  if (a.json) {
    nlohmann::ordered_json j = {{"source", a.source},
                                {"target", VectorStorePath(a.dir)},
                                {"checked_only", a.dim_check},
                                {"dimension", src.dimension},
                                {"collections", s.collections},
                                {"records", s.records},
                                {"skipped_upserts", src.skipped_upserts},
                                {"ignored_torn_log_bytes", src.ignored_torn_log_bytes},
                                {"ignored_partial_row_bytes", src.ignored_partial_row_bytes}};
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  std::printf("%s %zu collections, %zu records (dimension %u) from %s into %s\n",
              a.dim_check ? "checked: would import" : "imported", s.collections, s.records,
              src.dimension, a.source.c_str(), VectorStorePath(a.dir).c_str());
  std::printf("skipped upserts (row beyond the data file): %llu\n",
              (unsigned long long)src.skipped_upserts);
  std::printf("ignored torn log bytes: %llu, partial row bytes: %llu\n",
              (unsigned long long)src.ignored_torn_log_bytes,
              (unsigned long long)src.ignored_partial_row_bytes);
}

int ImportNidus(const ImportArgs& a) {
  auto src = vec::ReadNidusStore(Env::Default(), a.source);
  if (!src.ok()) return ReportError(src.status());
  NidusSummary summary;
  Status s = CheckNidus(*src, &summary);
  if (!s.ok()) return ReportError(s);
  if (src->dimension == 0) {  // an empty nidus store: nothing to copy, nothing to create
    PrintSummary(a, *src, summary);
    return 0;
  }
  auto dst = OpenTarget(a, src->dimension);
  if (!dst.ok()) return ReportError(dst.status());
  if (!a.dim_check) {
    for (auto& [name, c] : src->collections) {
      s = CopyCollection(dst->get(), name, &c);
      if (!s.ok()) return ReportError(s);
    }
  }
  PrintSummary(a, *src, summary);
  return 0;
}

// ---- mimir ----

struct MimirArgs {
  std::string file;
  std::string dir;
  bool json = false;
};

// Reads and scans FILE; a corrupt tail refuses the file.
Result<mem::MimirLogScan> ScanMimirFile(const std::string& file) {
  URD_ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(Env::Default(), file));
  auto scan = mem::ScanMimirLog(bytes);
  if (!scan.ok()) return scan.status().WithContext(file);
  if (scan->tail == mem::MimirLogScan::Tail::kCorrupt) {
    const uint64_t at = scan->tail_error.offset;
    return Status::Corruption(
        file + ": corrupt tail: " + scan->tail_error.ToString() + " (logical; file offset " +
        std::to_string(at + mem::kMimirLogHeaderSize) + "), not a torn write; nothing imported");
  }
  return scan;
}

// Replays every batch into a scratch state: what would fail the import fails here.
Status CheckMimirReplay(const std::string& file, const mem::MimirLogScan& scan) {
  mem::MemoryState state;
  for (size_t b = 0; b < scan.batches.size(); ++b) {
    for (size_t i = 0; i < scan.batches[b].size(); ++i) {
      Status s = state.Apply(scan.batches[b][i], mem::ApplyMode::kReplay);
      if (!s.ok()) {
        return Status::Corruption(file + ": batch " + std::to_string(b + 1) + ", record " +
                                  std::to_string(i) + " (" + mem::RecordName(scan.batches[b][i]) +
                                  ") cannot be replayed: " + std::string(s.message()) +
                                  "; nothing imported");
      }
    }
  }
  return Status::OK();
}

// Opens (creating it if needed) the memory store of DIR; InvalidArgument when it
// already holds a committed batch.
Result<std::unique_ptr<MemoryStore>> OpenEmptyMemoryStore(const std::string& dir) {
  URD_RETURN_IF_ERROR(CreateWorkspaceDir(dir));
  MemoryOptions o;
  o.lock_owner = "urd import mimir";
  URD_ASSIGN_OR_RETURN(auto store, MemoryStore::Open(dir, o));
  auto* impl = dynamic_cast<mem::MemoryStoreImpl*>(store.get());
  if (impl == nullptr) return Status::FailedPrecondition("import mimir: not an urd memory store");
  bool empty = false;
  impl->WithState([&](const mem::MemoryState& s, const mem::DecayConfig&) {
    empty = !s.last_committed_at().has_value();
  });
  if (!empty) {
    return Status::InvalidArgument(MemoryLogPath(dir) +
                                   " already holds committed batches: import into an empty store");
  }
  return store;
}

void PrintMimirSummary(const MimirArgs& a, const mem::MimirLogScan& scan, uint64_t records) {
  const uint64_t ignored = scan.logical_size - scan.committed_end;
  if (a.json) {
    PrintLine(JsonText({{"source", a.file},
                        {"target", MemoryLogPath(a.dir)},
                        {"batches", scan.batches.size()},
                        {"records", records},
                        {"tail", mem::MimirLogTailName(scan.tail)},
                        {"ignored_tail_bytes", ignored}}));
    return;
  }
  PrintLine("imported " + std::to_string(scan.batches.size()) + " batches, " +
            std::to_string(records) + " records from " + a.file + " into " + MemoryLogPath(a.dir));
  if (ignored > 0) {
    PrintLine("ignored an orphan tail of " + std::to_string(ignored) + " bytes at offset " +
              std::to_string(scan.committed_end) + " (uncommitted: no CHECKPOINT follows)");
  }
}

int ImportMimir(const MimirArgs& a) {
  auto scan = ScanMimirFile(a.file);
  if (!scan.ok()) return ReportError(scan.status());
  Status s = CheckMimirReplay(a.file, *scan);
  if (!s.ok()) return ReportError(s);
  auto store = OpenEmptyMemoryStore(a.dir);
  if (!store.ok()) return ReportError(store.status());
  auto* impl = dynamic_cast<mem::MemoryStoreImpl*>(store->get());
  uint64_t records = 0;
  for (size_t b = 0; b < scan->batches.size(); ++b) {
    s = impl->AppendReplayBatch(scan->batches[b]);
    if (!s.ok()) {
      return ReportError(s.WithContext("import mimir: batch " + std::to_string(b + 1) + " (" +
                                       std::to_string(b) + " earlier batches stay committed)"));
    }
    records += scan->batches[b].size();
  }
  PrintMimirSummary(a, *scan, records);
  return 0;
}

void AddImportMimir(CLI::App* import, int* rc) {
  auto args = std::make_shared<MimirArgs>();
  args->dir = DefaultWorkspaceDir();
  CLI::App* mimir =
      import->add_subcommand("mimir", "Copy a mimir-core 0.1.0 canonical.log into DIR/memory.log");
  mimir->footer(
      "The memory store must be empty (exit 2 otherwise). A corrupt file (a decode error "
      "that is not a torn write) is refused whole: exit 5 naming the offset. An orphan tail "
      "(no CHECKPOINT after it) is ignored and its size reported. Each mimir batch becomes "
      "one urd batch with the same records: `urd export mimir` gives the file back.");
  mimir->add_option("file", args->file, "The mimir canonical.log")->required();
  mimir->add_option("--dir", args->dir, "Workspace directory; the store is DIR/memory.log")
      ->capture_default_str();
  mimir->add_flag("--json", args->json, "JSON output");
  BindVerb(mimir, rc, [args] { return ImportMimir(*args); });
}

// ---- jsonl ----

struct JsonlArgs {
  std::string file;  // "-": stdin
  std::string dir;
  size_t batch = 500;
  bool json = false;
};

using LineJson = nlohmann::ordered_json;

// One checked line of the file.
struct JsonlLine {
  size_t number = 0;  // 1-based line number in the file
  std::string text;
  RememberOptions options;
};

constexpr size_t kJsonlMaxTextBytes = 64 * 1024;  // Workspace::Remember's limit

// The keys a line may carry; export also writes "id" and "committed_at", which
// import ignores.
constexpr std::string_view kJsonlKeys[] = {"text",   "kind",        "subject",  "predicate",
                                           "source", "confidence",  "valid_at", "attrs",
                                           "id",     "committed_at"};

bool IsJsonlKey(std::string_view key) {
  for (std::string_view k : kJsonlKeys) {
    if (k == key) return true;
  }
  return false;
}

// [a-z_][a-z0-9_]*, as Workspace::Remember requires of subject, predicate and source.
bool IsSymbolName(std::string_view name) {
  if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// `prefix` followed by one or more digits and nothing else.
bool IsNumbered(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return false;
  return name.find_first_not_of("0123456789", prefix.size()) == std::string_view::npos;
}

// Names the store or Remember allocates as Memory symbols: an agent's symbol with
// such a name would make a later batch fail (docs/decisions.md M3).
bool IsReservedName(std::string_view name) {
  return IsNumbered(name, "__mem_") || IsNumbered(name, "__ep_") || IsNumbered(name, "note_") ||
         IsNumbered(name, "rule_");
}

// `v` as JSON text for a message, at most about 40 bytes (cut on a UTF-8 boundary).
std::string Shown(const LineJson& v) {
  std::string s = v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  if (s.size() <= 40) return s;
  size_t n = 37;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "...";
}

// "a string", "a number", ... for type errors.
std::string TypeOf(const LineJson& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

// nlohmann's parse error without its "[json.exception.parse_error.101] parse error
// at line 1, " prefix: "column 7: syntax error while parsing ...".
std::string ParseErrorText(std::string what) {
  size_t at = what.find("column ");
  if (at != std::string::npos) return what.substr(at);
  at = what.find("] ");
  return at == std::string::npos ? what : what.substr(at + 2);
}

// The optional string `key` of `j` into *out (absent or null: unchanged). Returns
// the problem, or "".
std::string OptString(const LineJson& j, const char* key, std::string* out, bool* given) {
  *given = false;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) return "\"" + std::string(key) + "\" must be a string, not " + TypeOf(*it);
  *out = it->get<std::string>();
  *given = true;
  return "";
}

// A symbol-name field (`@` optional) into *out.
std::string OptSymbol(const LineJson& j, const char* key, std::string* out) {
  std::string name;
  bool given = false;
  std::string why = OptString(j, key, &name, &given);
  if (!why.empty() || !given) return why;
  std::string_view n = name;
  if (!n.empty() && n.front() == '@') n.remove_prefix(1);
  if (!IsSymbolName(n)) {
    return "\"" + std::string(key) + "\" " + Shown(LineJson(name)) +
           " is not a symbol name ([a-z_][a-z0-9_]*, `@` optional)";
  }
  if (IsReservedName(n)) {
    return "\"" + std::string(key) + "\" " + Shown(LineJson(name)) +
           " is reserved (the names of memories, episodes, notes and rules: __mem_N, __ep_N, "
           "note_N, rule_N)";
  }
  *out = std::string(n);
  return "";
}

// The source Remember writes for these options: rules from the default source are
// agent instructions.
std::string EffectiveSource(const RememberOptions& o) {
  return o.kind == "pro" && o.source == "observation" ? "agent_instruction" : o.source;
}

// The confidence `c` as the write path stores it (Remember writes `:c` with six
// decimals; the language reads it as an f32).
Result<mem::Confidence> StoredConfidence(double c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", c);
  return mem::ConfidenceFromFloat(std::strtod(buf, nullptr));
}

// Whether the source admits the memories Remember writes for this kind, and the
// confidence is within the source's bound (the checks the commit would make).
std::string CheckSource(const RememberOptions& o) {
  const std::string src = EffectiveSource(o);
  const mem::SourceKind sk = mem::SourceKindFromName(src);
  std::vector<mem::MemoryKind> kinds;
  if (o.kind == "pro") {
    kinds = {mem::MemoryKind::kPro};
  } else if (o.kind == "sem") {
    kinds = {mem::MemoryKind::kSem};
  } else {
    kinds = {mem::MemoryKind::kEpi, mem::MemoryKind::kSem};  // the event and its text fact
  }
  for (mem::MemoryKind k : kinds) {
    if (!mem::Admits(sk, k)) {
      return "source \"" + src + "\" (" + std::string(mem::SourceKindName(sk)) +
             ") does not admit " + std::string(mem::MemoryKindName(k)) + " memories";
    }
  }
  auto c = StoredConfidence(o.confidence);
  if (!c.ok()) return "\"confidence\": " + std::string(c.status().message());
  if (c->raw > mem::Bound(sk)) {
    return "\"confidence\" " + mem::RenderConfidence(*c) + " exceeds " +
           mem::RenderConfidence(mem::Confidence{mem::Bound(sk)}) + ", the bound of source kind " +
           std::string(mem::SourceKindName(sk)) + " (\"" + src + "\")";
  }
  return "";
}

// Checks one line (valid UTF-8, not blank) into *out. Returns the problem, or ""
// when the line is good.
std::string CheckJsonlLine(std::string_view raw, uint64_t now_ms, JsonlLine* out) {
  LineJson j;
  try {
    j = LineJson::parse(raw);
  } catch (const nlohmann::json::exception& e) {
    return "bad JSON: " + ParseErrorText(e.what());
  }
  if (!j.is_object()) return "not a JSON object (" + TypeOf(j) + ")";
  if (auto t = j.find("type");
      t != j.end() && t->is_string() && (*t == "entity" || *t == "relation")) {
    return "a knowledge-graph " + t->get<std::string>() +
           " in a file of memories (a memory.jsonl of @modelcontextprotocol/server-memory holds "
           "only entity and relation lines, from its first line on)";
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!IsJsonlKey(it.key())) return "unknown key " + Shown(LineJson(it.key()));
  }
  // text
  auto text = j.find("text");
  if (text == j.end() || text->is_null()) return "missing \"text\"";
  if (!text->is_string()) return "\"text\" must be a string, not " + TypeOf(*text);
  out->text = text->get<std::string>();
  if (out->text.find_first_not_of(" \t\r\n") == std::string::npos) return "\"text\" is empty";
  if (out->text.size() > kJsonlMaxTextBytes) {
    return "\"text\" is " + std::to_string(out->text.size()) + " bytes; at most " +
           std::to_string(kJsonlMaxTextBytes);
  }
  if (!IsValidUtf8(out->text)) return "\"text\" is not valid UTF-8";
  // kind, subject, predicate, source
  RememberOptions& o = out->options;
  bool given = false;
  std::string why = OptString(j, "kind", &o.kind, &given);
  if (!why.empty()) return why;
  if (o.kind != "epi" && o.kind != "sem" && o.kind != "pro") {
    return "\"kind\" " + Shown(LineJson(o.kind)) + " is not \"epi\", \"sem\" or \"pro\"";
  }
  for (auto [key, field] : {std::pair{"subject", &o.subject}, std::pair{"predicate", &o.predicate},
                            std::pair{"source", &o.source}}) {
    why = OptSymbol(j, key, field);
    if (!why.empty()) return why;
  }
  // confidence
  if (auto c = j.find("confidence"); c != j.end() && !c->is_null()) {
    if (!c->is_number()) return "\"confidence\" must be a number, not " + TypeOf(*c);
    o.confidence = c->get<double>();
    if (!(o.confidence >= 0 && o.confidence <= 1)) {
      return "\"confidence\" " + Shown(*c) + " is outside [0, 1]";
    }
  }
  // valid_at
  std::string at;
  why = OptString(j, "valid_at", &at, &given);
  if (!why.empty()) return why;
  if (given) {
    auto t = mem::ParseTimestampMillis(at);
    if (!t) {
      return "\"valid_at\" " + Shown(LineJson(at)) +
             " is not a timestamp (2024-01-15 or 2024-01-15T10:00:00Z)";
    }
    if (*t > now_ms && o.kind != "pro") {
      return "\"valid_at\" " + Shown(LineJson(at)) + " is in the future (now is " +
             mem::RenderTimestamp(now_ms) + ")";
    }
    o.valid_at = *t;
  }
  // attrs
  if (auto a = j.find("attrs"); a != j.end() && !a->is_null()) {
    if (!a->is_object()) return "\"attrs\" must be an object of strings, not " + TypeOf(*a);
    Attrs attrs;
    for (auto it = a->begin(); it != a->end(); ++it) {
      const std::string& key = it.key();
      if (!it->is_string()) {
        return "\"attrs\" value of " + Shown(LineJson(key)) + " must be a string, not " +
               TypeOf(*it);
      }
      if (key.empty() || key.rfind("urd.", 0) == 0) {
        return "\"attrs\" key " + Shown(LineJson(key)) + " is empty or reserved (urd.*)";
      }
      o.attrs[key] = it->get<std::string>();
      attrs[key] = Value::String(it->get<std::string>());
    }
    Status s = vec::ValidateAttrs(attrs);
    if (!s.ok()) return "\"attrs\": " + std::string(s.message());
  }
  return CheckSource(o);
}

// Checks across lines, and against the workspace's memory state when one is given:
// what would make a batch fail at commit after earlier batches were written.
//  * Symbol kinds: a name keeps the kind it was first bound with. The names and
//    kinds are those of the forms Workspace::Remember writes (urd/workspace.h,
//    "How text is stored"; the binder's default kinds, memory/ir/binder.h) — keep
//    this table in step with src/recall/workspace_remember.cc.
//  * Semantic supersession: a sem fact whose subject, predicate and valid_at equal
//    those of the current fact at that key is refused by the store. Lines without
//    valid_at get their batch's commit clock, later than any valid_at given (which
//    is not in the future), so only explicit ones can collide.
class CrossCheck {
 public:
  explicit CrossCheck(const mem::MemoryState* state) : state_(state) {}

  // The problem of `l`, or "".
  std::string Line(const JsonlLine& l) {
    const RememberOptions& o = l.options;
    struct Use {
      std::string name;
      mem::SymbolKind kind;
      const char* role;
    };
    std::vector<Use> uses = {{EffectiveSource(o), mem::SymbolKind::kAgent, "\"source\""}};
    if (o.kind == "sem") {
      uses.push_back({o.subject, mem::SymbolKind::kAgent, "\"subject\""});
      uses.push_back({o.predicate, mem::SymbolKind::kPredicate, "\"predicate\""});
    } else if (o.kind == "epi") {
      uses.push_back({o.subject, mem::SymbolKind::kAgent, "\"subject\" (the note's participant)"});
      uses.push_back({recall::kNoteEventType, mem::SymbolKind::kEventType, "the event type of notes"});
      uses.push_back({recall::kNoteLocation, mem::SymbolKind::kLiteral, "the location of notes"});
      uses.push_back({recall::kTextPredicate, mem::SymbolKind::kPredicate, "the predicate of notes' text"});
    } else {
      uses.push_back({recall::kRuleScope, mem::SymbolKind::kScope, "the scope of rules"});
    }
    for (const Use& u : uses) {
      std::string why = Kind(l.number, u.name, u.kind, u.role);
      if (!why.empty()) return why;
    }
    return o.kind == "sem" ? SemKey(l) : "";
  }

 private:
  struct Bound {
    mem::SymbolKind kind;
    size_t line;  // 0: the workspace
    std::string role;
  };

  // "an Agent symbol", "a Predicate symbol".
  static std::string KindName(mem::SymbolKind k) {
    const std::string name(mem::SymbolKindName(k));
    const bool vowel = name.find_first_of("AEIOU") == 0;
    return (vowel ? "an " : "a ") + name + " symbol";
  }

  std::string Kind(size_t line, const std::string& name, mem::SymbolKind kind, const char* role) {
    auto it = bound_.find(name);
    if (it == bound_.end()) {
      Bound b{kind, line, role};
      if (state_ != nullptr) {
        if (auto id = state_->symbols().Lookup(name)) {
          if (const mem::SymbolEntry* e = state_->symbols().Find(*id)) b = {e->kind, 0, ""};
        }
      }
      it = bound_.emplace(name, b).first;
    }
    const Bound& b = it->second;
    if (b.kind == kind) return "";
    return "`@" + name + "` would be " + KindName(kind) + " as " + role + ", but it is " +
           (b.line == 0
                ? "already " + KindName(b.kind) + " in the workspace"
                : KindName(b.kind) + " as " + b.role + " on line " + std::to_string(b.line)) +
           " (a symbol keeps its first kind)";
  }

  std::string SemKey(const JsonlLine& l) {
    const RememberOptions& o = l.options;
    const std::string key = o.subject + " " + o.predicate;
    auto it = current_.find(key);
    if (it == current_.end()) {
      Current c;
      if (state_ != nullptr) {
        auto s = state_->symbols().Lookup(o.subject);
        auto p = state_->symbols().Lookup(o.predicate);
        uint32_t i = s && p ? state_->SemCurrent(*s, *p) : mem::kNoRecord;
        if (i != mem::kNoRecord) c = {state_->sem()[i].valid_at, 0};
      }
      it = current_.emplace(key, c).first;
    }
    Current& c = it->second;
    if (!o.valid_at) {  // the batch's commit clock: later than any explicit one
      c = {kLater, l.number};
      return "";
    }
    if (c.valid_at && *c.valid_at == *o.valid_at) {
      return "a sem fact with subject `@" + o.subject + "`, predicate `@" + o.predicate +
             "` and valid_at " + mem::RenderTimestamp(*o.valid_at) + " is already " +
             (c.line == 0 ? std::string("in the workspace") : "on line " + std::to_string(c.line)) +
             ": give another valid_at to supersede it";
    }
    if (!c.valid_at || *o.valid_at > *c.valid_at) c = {*o.valid_at, l.number};
    return "";
  }

  struct Current {
    std::optional<uint64_t> valid_at;  // of the current fact at the key
    size_t line = 0;                   // 0: the workspace
  };
  static constexpr uint64_t kLater = UINT64_MAX;

  const mem::MemoryState* state_;
  std::map<std::string, Bound> bound_;
  std::map<std::string, Current> current_;
};

Status LineError(const std::string& name, size_t line, const std::string& why) {
  return Status::InvalidArgument(name + " line " + std::to_string(line) + ": " + why +
                                 "; nothing imported");
}

// Checks every line of `bytes` (the file `name`) into *out; the first bad line
// fails the whole file. Blank lines are skipped; a UTF-8 byte order mark and CR
// line ends are accepted.
Status CheckJsonlFile(const std::string& name, std::string_view bytes, uint64_t now_ms,
                      std::vector<JsonlLine>* out) {
  CrossCheck cross(nullptr);
  return ForEachJsonlLine(bytes, [&](size_t number, std::string_view line) {
    JsonlLine l;
    l.number = number;
    std::string why = IsValidUtf8(line) ? CheckJsonlLine(line, now_ms, &l) : "not valid UTF-8";
    if (why.empty()) why = cross.Line(l);
    if (!why.empty()) return LineError(name, number, why);
    out->push_back(std::move(l));
    return Status::OK();
  });
}

// The cross-line checks again, against the workspace's memories.
Status CheckJsonlAgainst(const std::string& name, Workspace* ws,
                         const std::vector<JsonlLine>& lines) {
  auto* impl = dynamic_cast<mem::MemoryStoreImpl*>(ws->memory());
  if (impl == nullptr) return Status::OK();
  Status s;
  impl->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    CrossCheck cross(&st);
    for (const JsonlLine& l : lines) {
      std::string why = cross.Line(l);
      if (!why.empty()) {
        s = LineError(name, l.number, why);
        return;
      }
    }
  });
  return s;
}

bool SameOptions(const RememberOptions& a, const RememberOptions& b) {
  return a.kind == b.kind && a.subject == b.subject && a.predicate == b.predicate &&
         a.source == b.source && a.confidence == b.confidence && a.valid_at == b.valid_at &&
         a.attrs == b.attrs;
}

uint64_t MemoryCount(const WorkspaceStats& s) {
  return s.memory.sem + s.memory.epi + s.memory.pro + s.memory.inf;
}

uint64_t NowMs() { return static_cast<uint64_t>(SystemClock()->NowMillis()); }

// "importing N/M lines" on stderr, rewritten in place, when stderr is a terminal;
// at most ten updates a second.
class ImportProgress {
 public:
  explicit ImportProgress(size_t total) : total_(total), tty_(isatty(STDERR_FILENO) == 1) {}

  void Update(size_t done) {
    if (!tty_) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    Draw(done);
    last_ = now;
  }
  // Draws the final count (unless shown already) and ends the line.
  void Finish(size_t done) {
    if (!tty_) return;
    if (!drawn_ || shown_ != done) Draw(done);
    std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  void Draw(size_t done) {
    std::fprintf(stderr, "\rimporting %zu/%zu lines", done, total_);
    std::fflush(stderr);
    drawn_ = true;
    shown_ = done;
  }

  size_t total_;
  bool tty_;
  bool drawn_ = false;
  size_t shown_ = 0;
  std::chrono::steady_clock::time_point last_;
};

Result<std::string> ReadJsonlInput(const std::string& file) {
  if (file != "-") return ReadFileToString(Env::Default(), file);
  std::string bytes;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) bytes.append(buf, n);
  if (std::ferror(stdin)) return Status::IOError("stdin: read failed");
  return bytes;
}

// The first line that is not blank (without a BOM), or "".
std::string_view FirstLine(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  for (size_t pos = 0; pos < bytes.size();) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(pos, end - pos);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) return line;
    pos = end + 1;
  }
  return {};
}

int ImportGraph(const JsonlArgs& a, const std::string& name, std::string_view bytes) {
  auto graph = ParseGraphFile(name, bytes);
  if (!graph.ok()) return ReportError(graph.status());
  Status s = CreateWorkspaceDir(a.dir);
  if (!s.ok()) return ReportError(s);
  WorkspaceOptions o;
  o.lock_owner = "urd import jsonl";
  o.lock_wait = std::chrono::seconds(10);
  auto ws = Workspace::Open(a.dir, o);
  if (!ws.ok()) return ReportError(ws.status());
  const size_t lines = graph->entities.size() + graph->relations.size();
  ImportProgress progress(lines);
  progress.Update(0);
  auto sum = (*ws)->graph()->Merge(*graph, NowMs());
  progress.Finish(sum.ok() ? lines : 0);
  if (!sum.ok()) return ReportError(sum.status().WithContext(name + ": nothing imported"));
  if (a.json) {
    PrintLine(JsonText({{"source", name},
                        {"target", a.dir},
                        {"lines", lines},
                        {"entities_created", sum->entities_created},
                        {"observations_added", sum->observations_added},
                        {"relations_created", sum->relations_created}}));
  } else {
    PrintLine("imported a knowledge graph of " + std::to_string(lines) + " lines from " + name +
              " into " + a.dir + ": " + std::to_string(sum->entities_created) +
              " entities created, " + std::to_string(sum->observations_added) +
              " observations added to existing ones, " + std::to_string(sum->relations_created) +
              " relations created (one atomic batch)");
  }
  return 0;
}

int ImportJsonl(const JsonlArgs& a) {
  if (a.batch == 0) return ReportError(Status::InvalidArgument("--batch must be at least 1"));
  const std::string name = a.file == "-" ? "stdin" : a.file;
  auto bytes = ReadJsonlInput(a.file);
  if (!bytes.ok()) return ReportError(bytes.status());
  if (IsGraphLine(FirstLine(*bytes))) return ImportGraph(a, name, *bytes);
  std::vector<JsonlLine> lines;
  const uint64_t start = NowMs();
  Status s = CheckJsonlFile(name, *bytes, start, &lines);
  if (!s.ok()) return ReportError(s);
  size_t batches = 0, done = 0;
  uint64_t memories = 0;
  if (!lines.empty()) {  // an empty file creates nothing
    s = CreateWorkspaceDir(a.dir);
    if (!s.ok()) return ReportError(s);
    WorkspaceOptions o;
    o.lock_owner = "urd import jsonl";
    auto ws = Workspace::Open(a.dir, o);
    if (!ws.ok()) return ReportError(ws.status());
    s = CheckJsonlAgainst(name, ws->get(), lines);
    if (!s.ok()) return ReportError(s);
    const uint64_t before = MemoryCount((*ws)->Stats());
    ImportProgress progress(lines.size());
    progress.Update(0);
    std::vector<std::string> texts;
    uint64_t clock = start;
    for (size_t i = 0; i < lines.size();) {
      // Only notes share a batch: the texts of one Remember call share subject,
      // predicate and valid_at (sem: the same key and time, which the store
      // refuses) or trigger and scope (pro: rules that collide in one batch).
      const size_t most = lines[i].options.kind == "epi" ? a.batch : 1;
      size_t j = i + 1;
      while (j < lines.size() && j - i < most && SameOptions(lines[i].options, lines[j].options)) {
        ++j;
      }
      texts.clear();
      for (size_t k = i; k < j; ++k) texts.push_back(std::move(lines[k].text));
      // Strictly increasing and after `start`: lines without valid_at get distinct
      // times, later than every valid_at given.
      clock = std::max(NowMs(), clock + 1);
      auto r = (*ws)->Remember(texts, lines[i].options, clock);
      if (!r.ok()) {
        progress.Finish(done);
        const std::string which = j - i == 1 ? "line " + std::to_string(lines[i].number)
                                             : "lines " + std::to_string(lines[i].number) + ".." +
                                                   std::to_string(lines[j - 1].number);
        return ReportError(
            r.status().WithContext(name + " " + which + " (batch " + std::to_string(batches + 1) +
                                   ") failed; the " + std::to_string(done) + " lines before (" +
                                   std::to_string(batches) + " batches) stay committed"));
      }
      ++batches;
      done = j;
      i = j;
      progress.Update(done);
    }
    progress.Finish(done);
    memories = MemoryCount((*ws)->Stats()) - before;
  }
  if (a.json) {
    PrintLine(JsonText({{"source", name},
                        {"target", a.dir},
                        {"lines", done},
                        {"batches", batches},
                        {"memories", memories}}));
  } else {
    PrintLine("imported " + std::to_string(done) + " lines in " + std::to_string(batches) +
              " batches (" + std::to_string(memories) + " memories) from " + name + " into " +
              a.dir);
  }
  return 0;
}

void AddImportJsonl(CLI::App* import, int* rc) {
  auto args = std::make_shared<JsonlArgs>();
  args->dir = DefaultWorkspaceDir();
  CLI::App* jsonl = import->add_subcommand(
      "jsonl", "Remember memories from JSON lines (docs/format.md section 8) in workspace DIR");
  jsonl->footer(
      "One JSON object per line: {\"text\": \"...\", \"kind\": \"epi\"|\"sem\"|\"pro\", "
      "\"subject\", \"predicate\", \"source\", \"confidence\", \"valid_at\", \"attrs\"}; only "
      "\"text\" is required (\"id\" and \"committed_at\", written by `urd export jsonl`, are "
      "ignored). Every line is checked first: the first bad one refuses the file (exit 2, "
      "naming the line) and nothing is written. Consecutive notes with the same options are "
      "remembered in atomic batches of up to --batch texts, each fact and rule in a batch of "
      "its own; a failed batch leaves the earlier ones committed. A knowledge-graph file (the "
      "memory.jsonl of @modelcontextprotocol/server-memory: entity and relation lines) is "
      "merged into the workspace's knowledge graph in one atomic batch.");
  jsonl->add_option("file", args->file, "The JSON-lines file (- for stdin)")->required();
  jsonl->add_option("--dir", args->dir, "Workspace directory (created if missing)")
      ->capture_default_str();
  jsonl->add_option("--batch", args->batch, "Texts per atomic batch at most")
      ->capture_default_str();
  jsonl->add_flag("--json", args->json, "JSON output");
  BindVerb(jsonl, rc, [args] { return ImportJsonl(*args); });
}
}  // namespace

void AddImportCommands(CLI::App* app, int* rc) {
  auto args = std::make_shared<ImportArgs>();
  args->dir = DefaultWorkspaceDir();
  CLI::App* import = app->add_subcommand("import", "Copy another system's store into a workspace");
  import->require_subcommand(1);

  CLI::App* nidus = import->add_subcommand("nidus", "Copy a nidus 0.3.0 store into DIR/vectors");
  nidus->footer(
      "Reads the nidus store read-only (safe beside a live nidus). DIR/vectors is created with "
      "its dimension; an existing store must have the same one. Every record is checked "
      "first: bad input writes nothing. Records go in atomic batches of 1000; a failed batch "
      "leaves earlier ones committed. Existing collections are merged (same ids replaced).");
  nidus->add_option("nidus_dir", args->source, "The nidus store directory (data, log)")
      ->required();
  nidus->add_option("--dir", args->dir, "Workspace directory; the store is DIR/vectors")
      ->capture_default_str();
  nidus->add_flag("--dim-check", args->dim_check,
                  "Check only: read the nidus store, check every record and that DIR's store "
                  "(if any) has the same dimension; write nothing");
  nidus->add_flag("--json", args->json, "JSON output");
  nidus->callback([args, rc] {
    try {
      *rc = ImportNidus(*args);
    } catch (const std::exception& e) {  // nothing should throw; never escape main
      std::fprintf(stderr, "urd: internal error: %s\n", e.what());
      *rc = kExitUsage;
    }
  });
  AddImportMimir(import, rc);
  AddImportJsonl(import, rc);
}

}  // namespace urd::app
