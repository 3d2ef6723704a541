// Copyright urd authors. The memory store verbs of `urd` (urd/memory_store.h):
//
//   urd write   [FORMS|-] [--now MS] [--label TEXT]   commit one batch of forms
//   urd query   FORM                                  run one (query …) form
//   urd history SYMBOL                                the memories of one symbol
//   urd stats                                         counts, sizes, SIMD level
//
// `urd log` and `urd verify` are in cmd_memory_log.cc. Every verb takes --dir DIR
// (default $URD_DIR, else .urd; the store is DIR/memory.log, its lock DIR/LOCK)
// and --json. `write` takes the writer lock (exit 4 when another writer holds
// it); the others open the store read-only, without the lock, so they work beside
// a running writer, and exit 3 when there is no store.

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/vec_open.h"
#include "app/vector_io.h"
#include "base/clock.h"
#include "memory/memory_log.h"
#include "memory/render.h"
#include "urd/memory_store.h"
#include "urd/vector_store.h"

namespace urd::app {
namespace {

using Json = nlohmann::ordered_json;

struct MemoryArgs {
  std::string dir;
  bool json = false;
  std::string text;  // write: the forms; query: the form; history: the symbol
  CLI::Option* text_opt = nullptr;
  uint64_t now = 0;
  CLI::Option* now_opt = nullptr;
  std::string label;
  CLI::Option* label_opt = nullptr;
};

// A clock as ISO-8601 ("none" for the sentinel, which has no spelling).
std::string Iso(uint64_t t) { return t == mem::kClockSentinel ? "none" : mem::RenderTimestamp(t); }

Result<std::unique_ptr<MemoryStore>> OpenReadOnly(const std::string& dir) {
  MemoryOptions o;
  o.read_only = true;
  o.create_if_missing = false;
  return MemoryStore::Open(dir, o);
}

// ---- write ----

// The FORMS argument, or stdin when it is `-` or absent.
Result<std::string> Forms(const MemoryArgs& a) {
  if (a.text_opt->count() > 0 && a.text != "-") return a.text;
  return ReadInput(Env::Default(), "-");
}

int Write(const MemoryArgs& a) {
  auto forms = Forms(a);
  if (!forms.ok()) return ReportError(forms.status());
  Status s = CreateWorkspaceDir(a.dir);
  if (!s.ok()) return ReportError(s);
  MemoryOptions o;
  o.lock_owner = "urd write";
  auto store = MemoryStore::Open(a.dir, o);
  if (!store.ok()) return ReportError(store.status());
  EpisodeMetadata meta;
  if (a.label_opt->count() > 0) meta.label = a.label;
  const uint64_t now =
      a.now_opt->count() > 0 ? a.now : static_cast<uint64_t>(SystemClock()->NowMillis());
  auto r = (*store)->Commit(*forms, now, a.label_opt->count() > 0 ? &meta : nullptr);
  if (!r.ok()) return ReportError(r.status());
  if (a.json) {
    PrintLine(JsonText({{"episode", r->episode},
                        {"committed_at", r->committed_at},
                        {"records", r->records},
                        {"memory_ids", r->memory_ids}}));
    return 0;
  }
  std::string line = "committed " + r->episode + " at " + Iso(r->committed_at) + " (" +
                     std::to_string(r->memory_ids.size()) +
                     (r->memory_ids.size() == 1 ? " memory" : " memories");
  for (size_t i = 0; i < r->memory_ids.size(); ++i) {
    line += (i == 0 ? ": " : " ") + r->memory_ids[i];
  }
  PrintLine(line + ")");
  return 0;
}

// ---- query, history ----

Json HitJson(const MemoryHit& h) {
  return {{"memory_id", h.memory_id},
          {"kind", h.kind},
          {"form", h.form},
          {"confidence", h.confidence},
          {"effective_confidence", h.effective_confidence},
          {"valid_at", h.valid_at},
          {"committed_at", h.committed_at},
          {"invalid_at", h.invalid_at ? Json(*h.invalid_at) : Json(nullptr)},
          {"projected", h.projected},
          {"stale", h.stale},
          {"pinned", h.pinned},
          {"authoritative", h.authoritative},
          {"framing", h.framing.empty() ? Json(nullptr) : Json(h.framing)},
          {"superseded_by", h.superseded_by}};
}

// "FORM  # __mem_4 sem c=0.90 eff=0.47 committed T[ invalid_at T][ projected]…
// [ [framing]][ superseded_by __mem_5,…]".
std::string HitLine(const MemoryHit& h) {
  char conf[64];
  std::snprintf(conf, sizeof(conf), "c=%.2f eff=%.2f", h.confidence, h.effective_confidence);
  std::string line = (h.form.empty() ? std::string("(no form)") : h.form) + "  # " + h.memory_id +
                     " " + h.kind + " " + conf + " committed " + Iso(h.committed_at);
  if (h.invalid_at) line += " invalid_at " + Iso(*h.invalid_at);
  if (h.projected) line += " projected";
  if (h.stale) line += " stale";
  if (h.pinned) line += " pinned";
  if (h.authoritative) line += " authoritative";
  if (!h.framing.empty()) line += " [" + h.framing + "]";
  for (size_t i = 0; i < h.superseded_by.size(); ++i) {
    line += (i == 0 ? " superseded_by " : ",") + h.superseded_by[i];
  }
  return line;
}

std::vector<std::string> FlagNames(uint32_t flags) {
  static const std::pair<uint32_t, const char*> kFlags[] = {
      {kQueryStaleSymbol, "stale_symbol"},
      {kQueryLowConfidence, "low_confidence"},
      {kQueryProjectedPresent, "projected_present"},
      {kQueryTruncated, "truncated"},
      {kQueryExplainFilteredActive, "explain_filtered_active"}};
  std::vector<std::string> names;
  for (const auto& [bit, name] : kFlags) {
    if ((flags & bit) != 0) names.push_back(name);
  }
  return names;
}

void PrintQueryJson(const QueryResult& q) {
  Json records = Json::array();
  for (const MemoryHit& h : q.records) records.push_back(HitJson(h));
  Json filtered = Json::array();
  for (const FilteredHit& f : q.filtered) {
    filtered.push_back({{"record", HitJson(f.record)}, {"reason", f.reason}});
  }
  PrintLine(JsonText({{"records", records},
                      {"filtered", filtered},
                      {"flags", FlagNames(q.flags)},
                      {"flag_bits", q.flags},
                      {"as_of", q.as_of},
                      {"as_committed", q.as_committed},
                      {"query_committed_at", q.query_committed_at}}));
}

void PrintQueryHuman(const QueryResult& q) {
  for (const MemoryHit& h : q.records) PrintLine(HitLine(h));
  if (!q.filtered.empty()) {
    PrintLine("# filtered:");
    for (const FilteredHit& f : q.filtered) PrintLine(HitLine(f.record) + " (" + f.reason + ")");
  }
  std::string flags;
  for (const std::string& name : FlagNames(q.flags)) flags += (flags.empty() ? "" : " ") + name;
  PrintLine("# " + std::to_string(q.records.size()) + " records; flags: " +
            (flags.empty() ? "none" : flags) + "; as_of " + Iso(q.as_of) + ", as_committed " +
            Iso(q.as_committed) + ", query_committed_at " + Iso(q.query_committed_at));
}

int Query(const MemoryArgs& a) {
  auto store = OpenReadOnly(a.dir);
  if (!store.ok()) return ReportError(store.status());
  auto q = (*store)->Query(a.text);
  if (!q.ok()) return ReportError(q.status());
  if (a.json) {
    PrintQueryJson(*q);
  } else {
    PrintQueryHuman(*q);
  }
  return 0;
}

int History(const MemoryArgs& a) {
  auto store = OpenReadOnly(a.dir);
  if (!store.ok()) return ReportError(store.status());
  auto hits = (*store)->History(a.text);
  if (!hits.ok()) return ReportError(hits.status());
  if (a.json) {
    Json records = Json::array();
    for (const MemoryHit& h : *hits) records.push_back(HitJson(h));
    PrintLine(JsonText({{"symbol", a.text}, {"records", records}}));
    return 0;
  }
  for (const MemoryHit& h : *hits) PrintLine(HitLine(h));
  if (hits->empty()) PrintLine("# no memories mention " + a.text);
  return 0;
}

// ---- stats ----

Json MemoryStatsJson(const std::string& dir, const MemoryStats& s) {
  return {{"path", MemoryLogPath(dir)},
          {"sem", s.sem},
          {"epi", s.epi},
          {"pro", s.pro},
          {"inf", s.inf},
          {"edges", s.edges},
          {"symbols", s.symbols},
          {"episodes", s.episodes},
          {"pinned", s.pinned},
          {"authoritative", s.authoritative},
          {"last_committed_at", s.last_committed_at},
          {"log_bytes", s.log_bytes},
          {"memory_bytes", s.memory_bytes}};
}

// The memory store is optional when DIR/vectors exists, and the other way round.
int Stats(const MemoryArgs& a) {
  const bool have_vectors = Env::Default()->FileExists(VectorStorePath(a.dir));
  auto store = OpenReadOnly(a.dir);
  if (!store.ok() && !(store.status().IsNotFound() && have_vectors)) {
    return ReportError(store.status());
  }
  Json j = {
      {"version", URD_VERSION}, {"build", URD_BUILD_TYPE}, {"simd", VectorStore::SimdLevel()}};
  j["memory"] = store.ok() ? MemoryStatsJson(a.dir, (*store)->Stats()) : Json(nullptr);
  Status vs;
  j["vectors"] = have_vectors ? VectorFootprintJson(a.dir, &vs) : Json(nullptr);
  if (a.json) {
    PrintLine(JsonText(j));
    return vs.ok() ? 0 : ExitCodeFor(vs);
  }
  PrintLine(std::string("urd ") + URD_VERSION + " (" + URD_BUILD_TYPE + "), simd " +
            VectorStore::SimdLevel());
  Json shown = {{"memory", j["memory"]}, {"vectors", j["vectors"]}};
  if (store.ok()) {
    const uint64_t last = (*store)->Stats().last_committed_at;
    shown["memory"]["last_committed_at"] = last == 0 ? Json(nullptr) : Json(Iso(last));
  }
  std::fputs(HumanLines(shown).c_str(), stdout);
  return vs.ok() ? 0 : ExitCodeFor(vs);
}

// ---- registration ----

CLI::App* Verb(CLI::App* app, const std::shared_ptr<MemoryArgs>& a, const char* name,
               const char* help) {
  CLI::App* cmd = app->add_subcommand(name, help);
  cmd->add_option("--dir", a->dir, "Workspace directory; the memory store is DIR/memory.log")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "JSON output");
  return cmd;
}

void AddWriteVerbs(CLI::App* app, const std::shared_ptr<MemoryArgs>& a, int* rc) {
  CLI::App* write = Verb(app, a, "write", "Commit one batch of forms (atomic)");
  a->text_opt =
      write->add_option("forms", a->text, "The forms; `-` or absent: read them from stdin");
  // NonNegativeNumber: CLI11 would read "-5" into the unsigned clock as 2^64 - 5, which
  // would push the store's monotonic commit clock to the end of time for good.
  a->now_opt = write->add_option(
      "--now", a->now, "Commit clock in ms since the Unix epoch (default: the wall clock)")
      ->check(CLI::NonNegativeNumber);
  a->label_opt = write->add_option("--label", a->label, "Label of the batch's episode");
  write->footer(
      "Prints `committed __ep_N at T (n memories: __mem_…)`; --json: {episode, committed_at, "
      "records, memory_ids}. A batch commits at max(now, last commit + 1 ms). A bad batch "
      "writes nothing: exit 2 with `line L, column C: <ErrorKind>: …`. Exit 4 when another "
      "writer holds DIR/LOCK.");
  BindVerb(write, rc, [a] { return Write(*a); });
}

void AddReadVerbs(CLI::App* app, const std::shared_ptr<MemoryArgs>& a, int* rc) {
  CLI::App* query = Verb(app, a, "query", "Run one (query …) form");
  query->add_option("form", a->text, "The form, e.g. \"(query :s @alice :p @knows)\"")->required();
  query->footer(
      "Reads the last committed state (read-only open: works beside a writer). Reads are "
      "relative to the store's commit clock, as in mimir-core, so there is no --now: use "
      ":as_of / :as_committed in FORM to read the past. One line per record: its form, then "
      "`# id kind c= eff= committed T [framing]`; then the flags and clocks. --json: "
      "{records, filtered, flags, flag_bits, as_of, as_committed, query_committed_at}.");
  BindVerb(query, rc, [a] { return Query(*a); });

  CLI::App* history = Verb(app, a, "history", "The memories of one symbol over time");
  history->add_option("symbol", a->text, "A symbol name, with or without @")->required();
  history->footer(
      "Every memory whose subject, rule id or event id is SYMBOL (or that is SYMBOL), "
      "oldest commit first, superseded and retracted ones included, each with the memories "
      "that supersede it. Exit 3 for an unknown symbol.");
  BindVerb(history, rc, [a] { return History(*a); });

  CLI::App* stats = Verb(app, a, "stats", "Counts, sizes, footprint, SIMD level");
  stats->footer(
      "Memory store counts (read-only open), the version and SIMD level in use, and the "
      "vector store's footprint when DIR/vectors exists.");
  BindVerb(stats, rc, [a] { return Stats(*a); });
}

}  // namespace

std::string MemoryLogPath(const std::string& workspace) {
  return JoinPath(workspace, mem::kMemoryLogName);
}

Status CreateWorkspaceDir(const std::string& dir) {
  Env* env = Env::Default();
  if (dir.empty() || env->FileExists(dir)) return Status::OK();
  const std::string parent = DirName(dir);
  if (parent != dir) URD_RETURN_IF_ERROR(CreateWorkspaceDir(parent));
  return env->CreateDir(dir);
}

nlohmann::ordered_json VectorFootprintJson(const std::string& workspace, Status* status) {
  auto store = OpenVectorsReadOnly(workspace);
  if (!store.ok()) {
    *status = store.status();
    return {{"path", VectorStorePath(workspace)}, {"error", store.status().ToString()}};
  }
  const Footprint f = (*store)->GetFootprint();
  return {{"path", VectorStorePath(workspace)}, {"rows", f.rows},
          {"dead_rows", f.dead_rows},           {"docs", f.doc_count},
          {"dimension", f.dimension},           {"vector_bytes", f.vector_bytes},
          {"memory_bytes", f.memory_bytes},     {"file_bytes", f.file_bytes},
          {"generation", f.generation}};
}

void AddMemoryCommands(CLI::App* app, int* rc) {
  auto args = std::make_shared<MemoryArgs>();
  args->dir = DefaultWorkspaceDir();
  AddWriteVerbs(app, args, rc);
  AddReadVerbs(app, args, rc);
  AddMemoryLogCommands(app, rc);
}

}  // namespace urd::app
