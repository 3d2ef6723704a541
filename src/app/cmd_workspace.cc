// Copyright urd authors. The workspace verbs of `urd` (urd/workspace.h):
//
//   urd init [DIR] [--embedder hash|openai --dim N --model M --base-url URL]
//   urd remember TEXT... [--kind epi|sem|pro --subject @s --predicate @p --source @src
//                         --confidence C --valid-at T --attr k=v ... --now MS]
//   urd recall TEXT [--k N --kind K --subject @s --predicate @p --source @src
//                    --as-of T --min-confidence C --include-superseded
//                    --fusion rrf|weighted]
//   urd reindex
//
// Every verb takes --dir DIR (default $URD_DIR, else .urd) and --json. The
// embedder's API key comes from URD_EMBED_API_KEY or OPENAI_API_KEY.

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/vec_open.h"
#include "base/clock.h"
#include "memory/ir/timestamp.h"
#include "urd/workspace.h"

namespace urd::app {
namespace {

using Json = nlohmann::ordered_json;

struct WsArgs {
  std::string dir;
  bool json = false;
  // init
  std::string embedder = "hash", model, base_url;
  size_t dim = 384;
  // remember / recall
  std::vector<std::string> texts;
  std::string kind, subject, predicate, source, valid_at, as_of, fusion = "rrf";
  double confidence = 0.9, min_confidence = 0;
  std::vector<std::string> attrs;
  uint64_t now = 0;
  size_t k = 10;
  bool include_superseded = false;
};

Result<uint64_t> Time(const std::string& what, const std::string& text) {
  auto t = mem::ParseTimestampMillis(text);
  if (!t) return Status::InvalidArgument(what + " `" + text + "` is not a timestamp (2024-01-15 or 2024-01-15T10:00:00Z)");
  return *t;
}

Result<std::unique_ptr<Workspace>> OpenWs(const WsArgs& a, bool read_only, bool create = true) {
  WorkspaceOptions o;
  o.read_only = read_only;
  o.create_if_missing = !read_only && create;
  o.lock_owner = "urd";
  o.lock_wait = std::chrono::seconds(10);  // an `urd mcp` sharing the workspace is mid-write
  return Workspace::Open(a.dir, o);
}

int Init(const WsArgs& a) {
  WorkspaceOptions o;
  o.embedder.kind = a.embedder;
  o.embedder.dimension = a.dim;
  o.embedder.model = a.model;
  o.embedder.base_url = a.base_url;
  o.embedder_explicit = true;
  o.lock_owner = "urd init";
  auto ws = Workspace::Open(a.dir, o);
  if (!ws.ok()) return ReportError(ws.status());
  WorkspaceStats st = (*ws)->Stats();
  if (a.json) {
    PrintLine(JsonText({{"dir", a.dir}, {"embedder", st.embedder}, {"dimension", st.dimension}}));
  } else {
    PrintLine("workspace " + a.dir + ": embedder " + st.embedder);
  }
  return 0;
}

int Remember(const WsArgs& a) {
  RememberOptions ro;
  if (!a.kind.empty()) ro.kind = a.kind;
  if (!a.subject.empty()) ro.subject = a.subject;
  if (!a.predicate.empty()) ro.predicate = a.predicate;
  if (!a.source.empty()) ro.source = a.source;
  ro.confidence = a.confidence;
  if (!a.valid_at.empty()) {
    auto t = Time("--valid-at", a.valid_at);
    if (!t.ok()) return ReportError(t.status());
    ro.valid_at = *t;
  }
  for (const std::string& kv : a.attrs) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      return ReportError(Status::InvalidArgument("--attr `" + kv + "` is not key=value"));
    }
    ro.attrs[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto ws = OpenWs(a, false);
  if (!ws.ok()) return ReportError(ws.status());
  const uint64_t now = a.now > 0 ? a.now : static_cast<uint64_t>(SystemClock()->NowMillis());
  auto r = (*ws)->Remember(a.texts, ro, now);
  if (!r.ok()) return ReportError(r.status());
  Json ids = Json::array();
  for (const Remembered& m : *r) ids.push_back(m.memory_id);
  if (a.json) {
    PrintLine(JsonText({{"memory_ids", ids},
                        {"episode", r->front().episode},
                        {"committed_at", r->front().committed_at}}));
  } else {
    std::string line = "remembered";
    for (const Remembered& m : *r) line += " " + m.memory_id;
    PrintLine(line + " in " + r->front().episode);
  }
  return 0;
}

Json HitJson(const RecallHit& h) {
  Json legs = {{"vector_rank", h.legs.vector_rank ? Json(*h.legs.vector_rank) : Json()},
               {"vector_score", h.legs.vector_score},
               {"bm25_rank", h.legs.bm25_rank ? Json(*h.legs.bm25_rank) : Json()},
               {"bm25_score", h.legs.bm25_score},
               {"fused", h.legs.fused},
               {"confidence", h.legs.confidence},
               {"recency", h.legs.recency}};
  return {{"id", h.memory_id}, {"kind", h.kind}, {"text", h.text}, {"score", h.score},
          {"legs", legs},      {"attrs", h.attrs}, {"form", h.form}, {"why", h.why}};
}

int Recall(const WsArgs& a) {
  RecallOptions o;
  o.k = a.k;
  if (!a.kind.empty()) o.kind = a.kind;
  if (!a.subject.empty()) o.subject = a.subject;
  if (!a.predicate.empty()) o.predicate = a.predicate;
  if (!a.source.empty()) o.source = a.source;
  if (!a.as_of.empty()) {
    auto t = Time("--as-of", a.as_of);
    if (!t.ok()) return ReportError(t.status());
    o.as_of = *t;
  }
  o.min_confidence = a.min_confidence;
  o.include_superseded = a.include_superseded;
  if (a.fusion != "rrf" && a.fusion != "weighted") {
    return ReportError(Status::InvalidArgument("--fusion must be rrf or weighted"));
  }
  o.fusion = a.fusion == "rrf" ? RecallOptions::Fusion::kRrf : RecallOptions::Fusion::kWeighted;
  std::string query;
  for (const std::string& t : a.texts) query += (query.empty() ? "" : " ") + t;
  auto ws = OpenWs(a, true);
  if (!ws.ok()) return ReportError(ws.status());
  auto hits = (*ws)->Recall(query, o);
  if (!hits.ok()) return ReportError(hits.status());
  if (a.json) {
    Json arr = Json::array();
    for (const RecallHit& h : *hits) arr.push_back(HitJson(h));
    PrintLine(JsonText({{"hits", arr}}));
    return 0;
  }
  for (const RecallHit& h : *hits) {
    char score[32];
    std::snprintf(score, sizeof score, "%.4f", h.score);
    PrintLine(std::string(score) + "  " + h.memory_id + " [" + h.kind + "] " + h.text);
    PrintLine("        " + h.why);
  }
  return 0;
}

int Reindex(const WsArgs& a) {
  auto ws = OpenWs(a, false, /*create=*/false);  // nothing to reindex: NotFound, create nothing
  if (!ws.ok()) return ReportError(ws.status());
  Status s = (*ws)->Reindex();
  if (!s.ok()) return ReportError(s);
  WorkspaceStats st = (*ws)->Stats();
  if (a.json) {
    PrintLine(JsonText({{"vectors", st.vectors}, {"text_docs", st.text_docs}}));
  } else {
    PrintLine("reindexed " + std::to_string(st.vectors) + " memories with " + st.embedder);
  }
  return 0;
}

void Common(CLI::App* cmd, WsArgs* a) {
  cmd->add_option("--dir", a->dir, "Workspace directory")->capture_default_str();
  cmd->add_flag("--json", a->json, "JSON output");
}

}  // namespace

void AddWorkspaceCommands(CLI::App* app, int* rc) {
  auto a = std::make_shared<WsArgs>();
  a->dir = DefaultWorkspaceDir();
  CLI::App* init = app->add_subcommand("init", "Create a workspace (memory store, vectors, text index)");
  init->add_option("dir", a->dir, "Workspace directory");
  Common(init, a.get());
  init->add_option("--embedder", a->embedder, "hash (offline, default) or openai")
      ->check(CLI::IsMember({"hash", "openai"}));
  init->add_option("--dim", a->dim, "Vector dimension (hash: default 384; openai: 0 = model's)");
  init->add_option("--model", a->model, "openai: the embedding model");
  init->add_option("--base-url", a->base_url, "openai: server URL (OpenAI, Ollama, llama.cpp, vLLM)");
  BindVerb(init, rc, [a] { return Init(*a); });

  CLI::App* rem = app->add_subcommand("remember", "Remember texts as memories (one atomic batch)");
  Common(rem, a.get());
  rem->add_option("text", a->texts, "Texts to remember")->required();
  rem->add_option("--kind", a->kind, "epi (default: a note), sem or pro (one text)");
  rem->add_option("--subject", a->subject, "Subject symbol (default @user)");
  rem->add_option("--predicate", a->predicate, "sem: predicate symbol (default @note)");
  rem->add_option("--source", a->source, "Source symbol (default @observation)");
  rem->add_option("--confidence", a->confidence, "Confidence in [0, 1] (default 0.9)");
  rem->add_option("--valid-at", a->valid_at, "Valid time (default now)");
  rem->add_option("--attr", a->attrs, "Attribute key=value, returned with every hit (repeatable)")
      ->allow_extra_args(false);
  rem->add_option("--now", a->now, "Commit clock in ms since the epoch (tests)")
      ->check(CLI::NonNegativeNumber);  // "-5" would wrap to 2^64 - 5 (see `urd write --now`)
  BindVerb(rem, rc, [a] { return Remember(*a); });

  CLI::App* rec = app->add_subcommand("recall", "Recall memories by meaning and words");
  Common(rec, a.get());
  rec->add_option("text", a->texts, "Query text")->required();
  rec->add_option("--k", a->k, "Hits (default 10)");
  rec->add_option("--kind", a->kind, "sem, epi, pro or inf");
  rec->add_option("--subject", a->subject, "Only memories about this subject");
  rec->add_option("--predicate", a->predicate, "Only facts with this predicate");
  rec->add_option("--source", a->source, "Only memories from this source");
  rec->add_option("--as-of", a->as_of, "Only memories valid at this time");
  rec->add_option("--min-confidence", a->min_confidence, "Minimum effective confidence");
  rec->add_flag("--include-superseded", a->include_superseded, "Also superseded memories");
  rec->add_option("--fusion", a->fusion, "rrf (default) or weighted");
  BindVerb(rec, rc, [a] { return Recall(*a); });

  CLI::App* re = app->add_subcommand("reindex", "Embed every memory again and rebuild the text index");
  Common(re, a.get());
  BindVerb(re, rc, [a] { return Reindex(*a); });
}

}  // namespace urd::app
