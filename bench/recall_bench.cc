// Copyright urd authors. `urd bench recall` (recall_bench.h): the corpus, the
// remember, open and recall workloads, the targets table and the JSON object.

#include "bench/recall_bench.h"

#include <dirent.h>
#include <malloc.h>
#include <sched.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "bench/bench_util.h"
#include "memory/render.h"
#include "recall/memory_text.h"
#include "recall/text_index.h"
#include "urd/embedder.h"
#include "urd/memory_store.h"
#include "urd/status.h"
#include "urd/vector_store.h"
#include "urd/workspace.h"

namespace urd::bench {

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr size_t kDefaultNotes = 100000;
constexpr size_t kQuickNotes = 10000;
constexpr size_t kMinNotes = 1000;
constexpr size_t kBatch = 100;         // texts per Remember call
constexpr size_t kDurableCalls = 20;   // Remember calls of the kEveryCommit run
constexpr size_t kVocabulary = 20000;  // distinct words of the Zipf distribution
constexpr size_t kNames = 400;
constexpr size_t kPlaces = 150;
constexpr uint64_t kSeed = 5;
constexpr uint64_t kStartClock = 1717200000000;  // 2024-06-01T00:00:00Z
constexpr size_t kK = 10;
constexpr size_t kWarmup = 10;
// The workspace's candidate pools for k (src/recall/workspace_recall.cc): each leg
// keeps max(50, 5k) candidates; the vector scan asks for 4x that before filtering.
constexpr size_t kPool = std::max<size_t>(50, kK * 5);
constexpr size_t kScanTop = kPool * 4;
constexpr double kTargetP50Ms = 15;
constexpr char kCollection[] = "memories";

// Common English words (all on the Snowball stop list), the top ranks of the
// distribution.
constexpr const char* kStopWords[] = {
    "the",  "of",   "and",   "to",    "a",  "in",  "is",    "it",  "that", "was",  "for",   "on",
    "with", "as",   "he",    "she",   "at", "by",  "this",  "had", "from", "but",  "not",   "are",
    "or",   "have", "be",    "they",  "we", "you", "his",   "her", "an",   "were", "which", "there",
    "been", "all",  "would", "their", "so", "if",  "about", "up",  "out",  "them", "then",  "i"};
constexpr size_t kStopCount = sizeof(kStopWords) / sizeof(kStopWords[0]);

constexpr const char* kOnsets[] = {"b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",  "m",  "n",
                                   "p",  "r",  "s",  "t",  "v",  "w",  "z",  "br", "ch", "cl", "dr",
                                   "fl", "gr", "pl", "pr", "sh", "sl", "st", "th", "tr", "sp"};
constexpr const char* kVowels[] = {"a", "e", "i", "o", "u", "ai", "ea", "ou", "io"};
constexpr const char* kCodas[] = {"", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "x"};
constexpr const char* kPlaceSuffixes[] = {"ton", "burg", "field", "port", "ville", "by"};

template <typename T, size_t N>
const char* Pick(SplitMix64* rng, const T (&list)[N]) {
  return list[rng->Next() % N];
}

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double Uniform(SplitMix64* rng) { return static_cast<double>(rng->Next() >> 11) * 0x1p-53; }

void Progress(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void Progress(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "bench recall: %s\n", buf);
}

// ---- statistics ----

// Nearest-rank percentiles of samples, in the samples' unit.
struct Dist {
  size_t count = 0;
  double p50 = 0, p95 = 0, p99 = 0, mean = 0, min = 0, max = 0;
};

Dist Distribution(std::vector<double> v) {
  Dist d;
  if (v.empty()) return d;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  auto rank = [&](double q) {
    const size_t r = static_cast<size_t>(std::ceil(q * static_cast<double>(n)));
    return v[std::clamp<size_t>(r, 1, n) - 1];
  };
  double sum = 0;
  for (double x : v) sum += x;
  d.count = n;
  d.p50 = rank(0.50);
  d.p95 = rank(0.95);
  d.p99 = rank(0.99);
  d.mean = sum / static_cast<double>(n);
  d.min = v.front();
  d.max = v.back();
  return d;
}

Json DistJson(const Dist& d) {
  return {{"count", d.count},  {"p50_ms", d.p50}, {"p95_ms", d.p95}, {"p99_ms", d.p99},
          {"mean_ms", d.mean}, {"min_ms", d.min}, {"max_ms", d.max}};
}

// ---- the corpus ----

class Corpus {
 public:
  explicit Corpus(uint64_t seed) : rng_(seed) {
    std::unordered_set<std::string> seen;
    for (const char* w : kStopWords) {
      vocab_.emplace_back(w);
      seen.insert(w);
    }
    while (vocab_.size() < kVocabulary) {
      std::string w = PseudoWord(&rng_);
      if (seen.insert(w).second) vocab_.push_back(std::move(w));
    }
    // Zipf, exponent 1: P(rank r) proportional to 1 / r.
    cdf_.resize(vocab_.size());
    double sum = 0;
    for (size_t r = 0; r < vocab_.size(); ++r) cdf_[r] = sum += 1.0 / static_cast<double>(r + 1);
    for (double& c : cdf_) c /= sum;
    seen.clear();
    while (names_.size() < kNames) {
      std::string w = Capitalised(PseudoWord(&rng_));
      if (seen.insert(w).second) names_.push_back(std::move(w));
    }
    while (places_.size() < kPlaces) {
      std::string w = Capitalised(PseudoWord(&rng_)) + Pick(&rng_, kPlaceSuffixes);
      if (seen.insert(w).second) places_.push_back(std::move(w));
    }
  }

  // A note: 12-30 words of the distribution, maybe a name, a place and a number.
  std::string Note() {
    std::vector<std::string> words;
    const size_t count = 12 + rng_.Next() % 19;
    for (size_t i = 0; i < count; ++i) words.push_back(vocab_[Draw()]);
    auto insert = [&](std::string w) {
      words.insert(words.begin() + static_cast<std::ptrdiff_t>(rng_.Next() % (words.size() + 1)),
                   std::move(w));
    };
    if (Uniform(&rng_) < 0.5) insert(names_[rng_.Next() % names_.size()]);
    if (Uniform(&rng_) < 0.3) insert(places_[rng_.Next() % places_.size()]);
    if (Uniform(&rng_) < 0.4) insert(Number());
    std::string text;
    for (const std::string& w : words) {
      if (!text.empty()) text += ' ';
      text += w;
    }
    if (text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text + ".";
  }

  // 3-6 consecutive words of `note` (without its full stop).
  std::string Phrase(const std::string& note) {
    std::vector<std::string> words;
    size_t start = 0;
    std::string body = note.substr(0, note.size() - 1);
    while (start <= body.size()) {
      size_t end = body.find(' ', start);
      if (end == std::string::npos) end = body.size();
      words.push_back(body.substr(start, end - start));
      start = end + 1;
    }
    const size_t len = std::min<size_t>(words.size(), 3 + rng_.Next() % 4);
    const size_t first = rng_.Next() % (words.size() - len + 1);
    std::string text;
    for (size_t i = first; i < first + len; ++i) {
      if (!text.empty()) text += ' ';
      text += words[i];
    }
    return text;
  }

  // 3-6 words of the distribution, stop words redrawn; one in five with a name or a
  // place.
  std::string Words() {
    std::string text;
    const size_t len = 3 + rng_.Next() % 4;
    for (size_t i = 0; i < len; ++i) {
      size_t r = Draw();
      while (r < kStopCount) r = Draw();
      if (!text.empty()) text += ' ';
      text += vocab_[r];
    }
    if (rng_.Next() % 5 == 0) {
      text += ' ';
      text += rng_.Next() % 2 == 0 ? names_[rng_.Next() % names_.size()]
                                   : places_[rng_.Next() % places_.size()];
    }
    return text;
  }

  uint64_t NextIndex(size_t n) { return rng_.Next() % n; }

 private:
  static std::string PseudoWord(SplitMix64* rng) {
    const uint64_t r = rng->Next() % 4;
    const size_t syllables = r == 0 ? 1 : r == 3 ? 3 : 2;
    std::string w;
    for (size_t s = 0; s < syllables; ++s) {
      w += Pick(rng, kOnsets);
      w += Pick(rng, kVowels);
      if (s + 1 == syllables || rng->Next() % 3 == 0) w += Pick(rng, kCodas);
    }
    return w;
  }

  static std::string Capitalised(std::string w) {
    if (!w.empty() && w[0] >= 'a' && w[0] <= 'z') w[0] = static_cast<char>(w[0] - 'a' + 'A');
    return w;
  }

  size_t Draw() {
    const double u = Uniform(&rng_);
    const auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
    return std::min<size_t>(static_cast<size_t>(it - cdf_.begin()), cdf_.size() - 1);
  }

  std::string Number() {
    switch (rng_.Next() % 4) {
      case 0:
        return std::to_string(1 + rng_.Next() % 9999);
      case 1:
        return Format("2024-%02u-%02u", static_cast<unsigned>(1 + rng_.Next() % 12),
                      static_cast<unsigned>(1 + rng_.Next() % 28));
      case 2:
        return Format("%02u:%02u", static_cast<unsigned>(rng_.Next() % 24),
                      static_cast<unsigned>(rng_.Next() % 60));
      default:
        return Format("$%u", static_cast<unsigned>(1 + rng_.Next() % 5000));
    }
  }

  SplitMix64 rng_;
  std::vector<std::string> vocab_;  // by rank
  std::vector<double> cdf_;
  std::vector<std::string> names_, places_;
};

struct Query {
  std::string text;
  std::optional<size_t> source;  // the note a phrase query was cut from
};

// ---- shared state of the workloads ----

struct Context {
  const RecallBenchOptions* options = nullptr;
  bool tables = true;
  std::string tmp;     // the run's temporary directory
  std::string ws_dir;  // the 100k workspace
  size_t n = 0;
  std::vector<std::string> notes;
  std::vector<Query> queries;
  std::vector<std::string> note_ids;  // memory id of note j (from Remember)
  recall::TextIndex text;             // the notes, doc id = j (built in the remember split)
  double text_build_s = 0;
  std::unique_ptr<Workspace> ws;  // the opened workspace (open / recall)
  Json out;
};

WorkspaceOptions WsOptions(MemoryFsync fsync) {
  WorkspaceOptions o;
  o.fsync = fsync;
  o.lock_owner = "urd bench recall";
  return o;
}

// The forms Workspace::Remember writes for an epi note with the default options
// (recall/workspace.h "How text is stored"; src/recall/workspace_remember.cc).
std::string NoteForms(const std::string& text, uint64_t id, const std::string& at) {
  const std::string tail = " :src @observation :c 0.900000";
  const std::string note = "note_" + std::to_string(id);
  return "(epi @" + note + " @note (@user) @workspace :at " + at + " :obs " + at + tail +
         ")\n(sem @" + note + ":Memory @" + recall::kTextPredicate + " " + mem::QuoteString(text) +
         tail + " :v " + at + ")\n";
}

// ---- remember ----

struct Split {
  double embed = 0, forms = 0, commit = 0, upsert = 0, text = 0;
};

Status RunRemember(Context* ctx) {
  Progress("remember: %zu notes into a fresh workspace, %zu texts per call, fsync never", ctx->n,
           kBatch);
  URD_ASSIGN_OR_RETURN(auto ws, Workspace::Open(ctx->ws_dir, WsOptions(MemoryFsync::kNever)));
  // Scratch stores for the pieces, fsync never as the workspace's.
  URD_ASSIGN_OR_RETURN(auto embedder, MakeEmbedder(EmbedderOptions{}));
  MemoryOptions mo;
  mo.fsync = MemoryFsync::kNever;
  mo.lock_owner = "urd bench recall";
  URD_ASSIGN_OR_RETURN(auto mem, MemoryStore::Open(ctx->tmp + "/split-memory", mo));
  VectorOptions vo;
  vo.dimension = embedder->dimension();
  vo.fsync = VectorFsync::kNever;
  vo.lock_owner = "urd bench recall";
  URD_ASSIGN_OR_RETURN(auto vec, VectorStore::Open(ctx->tmp + "/split-vectors", vo));
  URD_RETURN_IF_ERROR(vec->CreateCollection(kCollection));

  std::vector<double> call_ms;
  double total = 0;
  Split split;
  ctx->note_ids.resize(ctx->n);
  double shown = NowSeconds();
  for (size_t first = 0, b = 0; first < ctx->n; first += kBatch, ++b) {
    const size_t count = std::min(kBatch, ctx->n - first);
    const std::span<const std::string> texts(ctx->notes.data() + first, count);
    const uint64_t now = kStartClock + b;
    auto t0 = Clock::now();
    Result<std::vector<Remembered>> r = ws->Remember(texts, RememberOptions{}, now);
    const double s = Since(t0);
    URD_RETURN_IF_ERROR(r.status());
    if (r->size() != count) return Status::Corruption("Remember returned a wrong count");
    for (size_t i = 0; i < count; ++i) ctx->note_ids[first + i] = (*r)[i].memory_id;
    total += s;
    call_ms.push_back(s * 1e3);

    // The pieces, on the scratch stores.
    std::vector<std::vector<float>> vecs;
    t0 = Clock::now();
    URD_RETURN_IF_ERROR(embedder->Embed(texts, &vecs));
    split.embed += Since(t0);
    t0 = Clock::now();
    const std::string at = mem::RenderTimestamp(now);
    std::string forms;
    for (size_t i = 0; i < count; ++i) forms += NoteForms(texts[i], 2 * (first + i), at);
    split.forms += Since(t0);
    t0 = Clock::now();
    URD_RETURN_IF_ERROR(mem->Commit(forms, now).status());
    split.commit += Since(t0);
    std::vector<VectorRecord> records(count);
    for (size_t i = 0; i < count; ++i) {
      records[i].id = "__mem_" + std::to_string(2 * (first + i));
      records[i].vector = std::move(vecs[i]);
    }
    t0 = Clock::now();
    URD_RETURN_IF_ERROR(vec->Upsert(kCollection, records).status());
    split.upsert += Since(t0);
    t0 = Clock::now();
    for (size_t i = 0; i < count; ++i) ctx->text.Add(first + i, texts[i]);
    split.text += Since(t0);

    if (NowSeconds() - shown > 5) {
      shown = NowSeconds();
      Progress("remember: %zu / %zu", first + count, ctx->n);
    }
  }
  ctx->text_build_s = split.text;
  const WorkspaceStats st = ws->Stats();
  const Dist calls = Distribution(call_ms);
  const size_t first_calls = std::min(kDurableCalls, call_ms.size());
  const Dist early = Distribution({call_ms.begin(), call_ms.begin() + first_calls});
  const double parts = split.embed + split.forms + split.commit + split.upsert + split.text;
  const double nd = static_cast<double>(ctx->n);
  ctx->out["remember"] = {{"notes", ctx->n},
                          {"texts_per_call", kBatch},
                          {"fsync", "never"},
                          {"remember_s", total},
                          {"notes_per_s", nd / total},
                          {"call", DistJson(calls)},
                          {"first_calls_p50_ms", early.p50},
                          {"pieces_s",
                           {{"embed", split.embed},
                            {"forms", split.forms},
                            {"commit", split.commit},
                            {"vector_upsert", split.upsert},
                            {"text_index_add", split.text},
                            {"rest", total - parts}}},
                          {"embed_notes_per_s", nd / split.embed},
                          {"log_bytes", st.memory.log_bytes},
                          {"vectors", st.vectors},
                          {"text_docs", st.text_docs}};
  if (ctx->tables) {
    Table t(Format("remember: %zu notes, Remember calls of %zu texts, fsync never", ctx->n, kBatch),
            {"measure", "value"});
    t.AddRow({"time in Remember", Format("%.2f s", total)});
    t.AddRow({"notes/s", Format("%.0f", nd / total)});
    t.AddRow(
        {"call p50 / p95 / p99", Format("%.2f / %.2f / %.2f ms", calls.p50, calls.p95, calls.p99)});
    t.AddRow({Format("call p50, first %zu calls", first_calls), Format("%.2f ms", early.p50)});
    t.AddRow({"memory log", Format("%.1f MB (%.0f bytes per note)",
                                   static_cast<double>(st.memory.log_bytes) / 1e6,
                                   static_cast<double>(st.memory.log_bytes) / nd)});
    t.Print();
    Table p("remember, the same batches through the pieces on scratch stores",
            {"piece", "s", "share of Remember", "notes/s"});
    auto row = [&](const char* name, double s) {
      p.AddRow({name, Format("%.2f", s), Format("%.0f %%", 100 * s / total),
                Format("%.0f", s > 0 ? nd / s : 0)});
    };
    row("Embedder::Embed (hash, 384)", split.embed);
    row("building the forms", split.forms);
    row("MemoryStore::Commit", split.commit);
    row("VectorStore::Upsert", split.upsert);
    row("TextIndex::Add", split.text);
    row("the rest (Remember minus the pieces)", total - parts);
    row("Remember (end to end)", total);
    p.Print();
  }
  ws.reset();
  mem.reset();
  vec.reset();
  RemoveTree(ctx->tmp + "/split-memory");
  RemoveTree(ctx->tmp + "/split-vectors");
  if (st.vectors != ctx->n || st.text_docs != ctx->n) {
    return Status::Corruption(
        Format("the workspace holds %llu vectors and %llu text documents "
               "for %zu notes",
               static_cast<unsigned long long>(st.vectors),
               static_cast<unsigned long long>(st.text_docs), ctx->n));
  }
  return Status::OK();
}

// Durable Remember calls into a fresh workspace; `per_write`: the writer lock taken
// per call (WorkspaceOptions::lock_per_write, as `urd mcp` opens it).
Status DurableCalls(Context* ctx, size_t calls, bool per_write, std::vector<double>* call_ms,
                    double* total) {
  const std::string dir = ctx->tmp + (per_write ? "/durable-per-write" : "/durable");
  WorkspaceOptions o = WsOptions(MemoryFsync::kEveryCommit);
  o.lock_per_write = per_write;
  URD_ASSIGN_OR_RETURN(auto ws, Workspace::Open(dir, o));
  for (size_t b = 0; b < calls; ++b) {
    const std::span<const std::string> texts(ctx->notes.data() + b * kBatch, kBatch);
    const auto t0 = Clock::now();
    Result<std::vector<Remembered>> r = ws->Remember(texts, RememberOptions{}, kStartClock + b);
    const double s = Since(t0);
    URD_RETURN_IF_ERROR(r.status());
    *total += s;
    call_ms->push_back(s * 1e3);
  }
  ws.reset();
  RemoveTree(dir);
  return Status::OK();
}

Status RunRememberDurable(Context* ctx) {
  const size_t calls = std::min(kDurableCalls, ctx->n / kBatch);
  Progress("remember: %zu calls of %zu texts into a fresh workspace, fsync every commit, "
           "lock held / lock per write", calls, kBatch);
  std::vector<double> held_ms, per_write_ms;
  double held = 0, per_write = 0;
  // Alternating rounds, so both modes see the same disk and load.
  for (int round = 0; round < 3; ++round) {
    URD_RETURN_IF_ERROR(DurableCalls(ctx, calls, false, &held_ms, &held));
    URD_RETURN_IF_ERROR(DurableCalls(ctx, calls, true, &per_write_ms, &per_write));
  }
  const Dist d = Distribution(held_ms), dp = Distribution(per_write_ms);
  const double notes = static_cast<double>(3 * calls * kBatch);
  ctx->out["remember_durable"] = {
      {"calls", 3 * calls},  {"texts_per_call", kBatch},     {"fsync", "every commit"},
      {"remember_s", held}, {"notes_per_s", notes / held}, {"call", DistJson(d)}};
  ctx->out["remember_durable_lock_per_write"] = {
      {"calls", 3 * calls},       {"texts_per_call", kBatch},
      {"fsync", "every commit"},  {"remember_s", per_write},
      {"notes_per_s", notes / per_write}, {"call", DistJson(dp)},
      {"p50_ratio_to_lock_held", dp.p50 / d.p50}};
  if (ctx->tables) {
    Table t(Format("remember: 3 x %zu calls of %zu texts into fresh workspaces, fsync every "
                   "commit", calls, kBatch),
            {"measure", "lock held (CLI, library)", "lock per write (urd mcp)"});
    t.AddRow({"notes/s", Format("%.0f", notes / held), Format("%.0f", notes / per_write)});
    t.AddRow({"call p50 / p95 / p99",
              Format("%.2f / %.2f / %.2f ms", d.p50, d.p95, d.p99),
              Format("%.2f / %.2f / %.2f ms", dp.p50, dp.p95, dp.p99)});
    t.AddRow({"call p50 ratio", "1", Format("%.2f", dp.p50 / d.p50)});
    t.AddRow({"fsync never, first calls of the main run, p50",
              Format("%.2f ms", ctx->out["remember"]["first_calls_p50_ms"].get<double>()), ""});
    t.Print();
  }
  return Status::OK();
}

// ---- open ----

Status RunOpen(Context* ctx) {
  Progress("open: the stores alone, then Workspace::Open of %zu notes", ctx->n);
  malloc_trim(0);
  MemoryOptions mo;
  mo.read_only = true;
  auto t0 = Clock::now();
  URD_ASSIGN_OR_RETURN(auto mem, MemoryStore::Open(ctx->ws_dir, mo));
  const double mem_s = Since(t0);
  mem.reset();
  VectorOptions vo;
  vo.read_only = true;
  t0 = Clock::now();
  URD_ASSIGN_OR_RETURN(auto vec, VectorStore::Open(ctx->ws_dir + "/vectors", vo));
  const double vec_s = Since(t0);
  vec.reset();
  malloc_trim(0);
  const uint64_t rss0 = ReadVmRssBytes();
  t0 = Clock::now();
  URD_ASSIGN_OR_RETURN(ctx->ws, Workspace::Open(ctx->ws_dir, WsOptions(MemoryFsync::kNever)));
  const double ws_s = Since(t0);
  const uint64_t rss1 = ReadVmRssBytes();
  const WorkspaceStats st = ctx->ws->Stats();
  const double mb0 = static_cast<double>(rss0) / 1e6, mb1 = static_cast<double>(rss1) / 1e6;
  ctx->out["open"] = {{"memory_store_open_read_only_s", mem_s},
                      {"vector_store_open_read_only_s", vec_s},
                      {"text_index_build_s", ctx->text_build_s},
                      {"workspace_open_s", ws_s},
                      {"vmrss_before_mb", mb0},
                      {"vmrss_after_mb", mb1},
                      {"vmrss_delta_mb", mb1 - mb0},
                      {"memory_bytes", st.memory.memory_bytes},
                      {"text_index_bytes", ctx->text.ApproxMemoryBytes()},
                      {"symbols", st.memory.symbols},
                      {"vectors", st.vectors},
                      {"text_docs", st.text_docs}};
  if (ctx->tables) {
    Table t(Format("open: the workspace of %zu notes (warm page cache)", ctx->n),
            {"measure", "value"});
    t.AddRow({"MemoryStore::Open (read-only, alone)", Format("%.3f s", mem_s)});
    t.AddRow({"VectorStore::Open of vectors/ (read-only, alone)", Format("%.3f s", vec_s)});
    t.AddRow({"TextIndex::Add of the notes (from the remember pieces)",
              Format("%.3f s", ctx->text_build_s)});
    t.AddRow({"Workspace::Open (writable, fsync never)", Format("%.3f s", ws_s)});
    t.AddRow({"VmRSS before / after the open", Format("%.0f / %.0f MB", mb0, mb1)});
    t.AddRow({"VmRSS delta", Format("%.0f MB", mb1 - mb0)});
    t.AddRow({"of which: MemoryStats::memory_bytes",
              Format("%.0f MB", static_cast<double>(st.memory.memory_bytes) / 1e6)});
    t.AddRow({"of which: f32 vectors",
              Format("%.0f MB", static_cast<double>(st.vectors) *
                                    static_cast<double>(st.dimension) * 4 / 1e6)});
    t.AddRow({"of which: BM25 index (TextIndex::ApproxMemoryBytes)",
              Format("%.0f MB", static_cast<double>(ctx->text.ApproxMemoryBytes()) / 1e6)});
    t.Print();
  }
  if (st.vectors != ctx->n || st.text_docs != ctx->n) {
    return Status::Corruption("the reopened workspace lost notes");
  }
  return Status::OK();
}

// ---- recall ----

// Every thread of the process pinned to one CPU (the target's "one thread": the
// workspace's vector store scans with all hardware threads), and back.
class Pin {
 public:
  Status PinAll(int cpu) {
    DIR* d = opendir("/proc/self/task");
    if (d == nullptr) return Status::FromErrno("opendir /proc/self/task", errno);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    Status st;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      const pid_t tid = static_cast<pid_t>(std::atoi(e->d_name));
      cpu_set_t old;
      if (sched_getaffinity(tid, sizeof old, &old) != 0) continue;  // exited
      if (sched_setaffinity(tid, sizeof one, &one) != 0) {
        st = Status::FromErrno(Format("sched_setaffinity(%d)", static_cast<int>(tid)), errno);
        break;
      }
      saved_.emplace_back(tid, old);
    }
    closedir(d);
    return st;
  }

  void Restore() {
    for (const auto& [tid, mask] : saved_) sched_setaffinity(tid, sizeof mask, &mask);
    saved_.clear();
  }

  ~Pin() { Restore(); }

 private:
  std::vector<std::pair<pid_t, cpu_set_t>> saved_;
};

struct PassFigures {
  std::vector<double> embed, scan, bm25, rrf, weighted, rest;
  size_t phrases = 0, phrases_found = 0;
  std::vector<std::string> phrases_missed;  // phrase queries without their note
};

// One timed recall of every query: end to end (RRF, then weighted), then the pieces.
Status RecallPass(Context* ctx, const Embedder& embedder, const VectorStore& vectors,
                  int scan_threads, PassFigures* f) {
  RecallOptions rrf;
  rrf.k = kK;
  RecallOptions weighted = rrf;
  weighted.fusion = RecallOptions::Fusion::kWeighted;
  SearchOptions so;
  so.top_k = kScanTop;
  so.threads = scan_threads;
  for (size_t i = 0; i < kWarmup; ++i) {
    URD_RETURN_IF_ERROR(ctx->ws->Recall(ctx->queries[i % ctx->queries.size()].text, rrf).status());
  }
  for (size_t qi = 0; qi < ctx->queries.size(); ++qi) {
    const Query& q = ctx->queries[qi];
    // The two fusions in turn first, so neither always finds the caches warmed by
    // the other (a small store fits in the L3 cache).
    auto weighted_recall = [&]() -> Status {
      const auto t0 = Clock::now();
      URD_RETURN_IF_ERROR(ctx->ws->Recall(q.text, weighted).status());
      f->weighted.push_back(Since(t0) * 1e3);
      return Status::OK();
    };
    if (qi % 2 == 1) URD_RETURN_IF_ERROR(weighted_recall());
    auto t0 = Clock::now();
    Result<std::vector<RecallHit>> hits = ctx->ws->Recall(q.text, rrf);
    const double e2e = Since(t0) * 1e3;
    URD_RETURN_IF_ERROR(hits.status());
    if (qi % 2 == 0) URD_RETURN_IF_ERROR(weighted_recall());
    if (q.source) {
      ++f->phrases;
      const bool found = std::any_of(hits->begin(), hits->end(), [&](const RecallHit& h) {
        return h.memory_id == ctx->note_ids[*q.source];
      });
      if (found) {
        ++f->phrases_found;
      } else {
        f->phrases_missed.push_back(q.text);
      }
    }

    std::vector<std::vector<float>> qv;
    t0 = Clock::now();
    URD_RETURN_IF_ERROR(embedder.Embed(std::vector<std::string>{q.text}, &qv));
    const double embed = Since(t0) * 1e3;
    t0 = Clock::now();
    Result<std::vector<Hit>> vh = vectors.Search(Scope::Collection(kCollection), qv[0], so);
    const double scan = Since(t0) * 1e3;
    URD_RETURN_IF_ERROR(vh.status());
    t0 = Clock::now();
    const std::vector<recall::TextHit> bm = ctx->text.Search(q.text, kPool);
    const double bm25 = Since(t0) * 1e3;
    if (vh->size() != std::min(kScanTop, ctx->n) || bm.size() > kPool) {
      return Status::Corruption("a recall piece returned a wrong count");
    }
    f->rrf.push_back(e2e);
    f->embed.push_back(embed);
    f->scan.push_back(scan);
    f->bm25.push_back(bm25);
    f->rest.push_back(e2e - embed - scan - bm25);
  }
  return Status::OK();
}

Json PassJson(const PassFigures& f, int threads) {
  return {{"scan_threads", threads},
          {"embed", DistJson(Distribution(f.embed))},
          {"vector_scan", DistJson(Distribution(f.scan))},
          {"bm25", DistJson(Distribution(f.bm25))},
          {"rest", DistJson(Distribution(f.rest))},
          {"end_to_end_rrf", DistJson(Distribution(f.rrf))},
          {"end_to_end_weighted", DistJson(Distribution(f.weighted))},
          {"phrase_queries", f.phrases},
          {"phrase_queries_note_in_top10", f.phrases_found},
          {"phrase_queries_missed", f.phrases_missed}};
}

void PrintPass(const Context& ctx, const PassFigures& f, const std::string& title,
               const std::string& scan_label) {
  Table t(title, {"piece", "p50 ms", "p95 ms", "p99 ms", "mean ms"});
  auto row = [&](const std::string& name, const std::vector<double>& v) {
    const Dist d = Distribution(v);
    t.AddRow({name, Format("%.3f", d.p50), Format("%.3f", d.p95), Format("%.3f", d.p99),
              Format("%.3f", d.mean)});
  };
  row("query embedding (Embedder::Embed)", f.embed);
  row(scan_label, f.scan);
  row(Format("BM25 (TextIndex::Search, top %zu)", kPool), f.bm25);
  row("the rest: filters, fusion, rendering", f.rest);
  row("Workspace::Recall, RRF (end to end)", f.rrf);
  row("Workspace::Recall, weighted (end to end)", f.weighted);
  t.AddNote(
      Format("%zu queries, k = %zu, %zu notes; the rest = end to end (RRF) minus the "
             "pieces, per query",
             ctx.queries.size(), kK, ctx.n));
  t.AddNote(Format("phrase queries whose note is in the RRF top %zu: %zu of %zu", kK,
                   f.phrases_found, f.phrases));
  t.Print();
}

Status RunRecall(Context* ctx) {
  URD_ASSIGN_OR_RETURN(auto embedder, MakeEmbedder(EmbedderOptions{}));
  VectorOptions vo;
  vo.read_only = true;  // beside the workspace's writer: no lock
  URD_ASSIGN_OR_RETURN(auto vectors, VectorStore::Open(ctx->ws_dir + "/vectors", vo));
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());

  const int cpu = std::max(0, sched_getcpu());
  Progress("recall: %zu queries, k = %zu, every thread pinned to CPU %d", ctx->queries.size(), kK,
           cpu);
  PassFigures one;
  {
    Pin pin;
    URD_RETURN_IF_ERROR(pin.PinAll(cpu));
    URD_RETURN_IF_ERROR(RecallPass(ctx, *embedder, *vectors, 1, &one));
  }
  Progress("recall: %zu queries, k = %zu, unpinned (%u hardware threads)", ctx->queries.size(), kK,
           hw);
  PassFigures all;
  URD_RETURN_IF_ERROR(RecallPass(ctx, *embedder, *vectors, 0, &all));

  ctx->out["recall"] = {
      {"queries", ctx->queries.size()}, {"k", kK},
      {"vector_scan_top_k", kScanTop},  {"bm25_top_k", kPool},
      {"one_cpu", PassJson(one, 1)},    {"all_threads", PassJson(all, static_cast<int>(hw))}};
  if (ctx->tables) {
    PrintPass(*ctx, one,
              Format("recall: one CPU (every thread of the process pinned to CPU %d)", cpu),
              Format("vector scan (VectorStore::Search, top %zu, 1 thread)", kScanTop));
    PrintPass(*ctx, all,
              Format("recall: unpinned, the workspace's scan on %u hardware threads", hw),
              Format("vector scan (VectorStore::Search, top %zu, %u threads)", kScanTop, hw));
  }
  return Status::OK();
}

// ---- targets and output ----

double At(const Json& j, std::initializer_list<const char*> path) {
  const Json* x = &j;
  for (const char* key : path) {
    if (!x->is_object() || !x->contains(key)) return 0;
    x = &(*x)[key];
  }
  return x->is_number() ? x->get<double>() : 0;
}

Json ReportTargets(const Context& ctx) {
  struct Target {
    std::string metric, measured, target;
    bool pass;
  };
  const double one = At(ctx.out, {"recall", "one_cpu", "end_to_end_rrf", "p50_ms"});
  const double all = At(ctx.out, {"recall", "all_threads", "end_to_end_rrf", "p50_ms"});
  const int hw = static_cast<int>(At(ctx.out, {"recall", "all_threads", "scan_threads"}));
  const std::vector<Target> targets = {
      {"recall p50, RRF, k = 10, one CPU (ms)", Format("%.2f", one), "<= 15 (issue 5)",
       one <= kTargetP50Ms},
      {Format("recall p50, RRF, k = 10, %d hardware threads (ms)", hw), Format("%.2f", all),
       "<= 15 (issue 5)", all <= kTargetP50Ms},
  };
  Json j = Json::array();
  Table table("targets (a miss is reported, never an error)",
              {"metric", "measured", "target", "result"});
  for (const Target& t : targets) {
    j.push_back(
        {{"metric", t.metric}, {"measured", t.measured}, {"target", t.target}, {"pass", t.pass}});
    table.AddRow({t.metric, t.measured, t.target, t.pass ? "pass" : "FAIL"});
  }
  if (ctx.n != kDefaultNotes) {
    table.AddNote(Format("n = %zu: the target is set for %zu notes", ctx.n, kDefaultNotes));
  }
  if (ctx.tables) table.Print();
  return j;
}

int WriteJson(const RecallBenchOptions& options, const Json& out) {
  const std::string text = out.dump(2);
  if (options.json) std::printf("%s\n", text.c_str());
  if (!options.out.empty()) {
    std::ofstream f(options.out);
    f << text << "\n";
    if (!f) {
      std::fprintf(stderr, "urd: cannot write %s\n", options.out.c_str());
      return 5;
    }
  }
  return 0;
}

void MakeData(Context* ctx) {
  Progress("data: %zu notes, %zu queries (seed %llu)", ctx->n, ctx->options->queries,
           static_cast<unsigned long long>(kSeed));
  Corpus corpus(kSeed);
  ctx->notes.reserve(ctx->n);
  size_t bytes = 0, words = 0;
  for (size_t i = 0; i < ctx->n; ++i) {
    ctx->notes.push_back(corpus.Note());
    bytes += ctx->notes.back().size();
    words += 1 + static_cast<size_t>(
                     std::count(ctx->notes.back().begin(), ctx->notes.back().end(), ' '));
  }
  size_t phrases = 0;
  for (size_t q = 0; q < ctx->options->queries; ++q) {
    Query query;
    if (q % 4 == 0) {
      const size_t j = corpus.NextIndex(ctx->n);
      query.text = corpus.Phrase(ctx->notes[j]);
      query.source = j;
      ++phrases;
    } else {
      query.text = corpus.Words();
    }
    ctx->queries.push_back(std::move(query));
  }
  const double nd = static_cast<double>(ctx->n);
  ctx->out["data"] = {{"notes", ctx->n},
                      {"seed", kSeed},
                      {"vocabulary", kVocabulary},
                      {"text_bytes", bytes},
                      {"words_per_note", static_cast<double>(words) / nd},
                      {"queries", ctx->queries.size()},
                      {"phrase_queries", phrases},
                      {"example_note", ctx->notes[0]},
                      {"example_queries", {ctx->queries[0].text, ctx->queries[1].text}}};
  if (ctx->tables) {
    Table t("data", {"measure", "value"});
    t.AddRow({"notes", Format("%zu (%.1f words, %.0f bytes each on average)", ctx->n,
                              static_cast<double>(words) / nd, static_cast<double>(bytes) / nd)});
    t.AddRow({"vocabulary", Format("%zu words, Zipf exponent 1, %zu stop words on top", kVocabulary,
                                   kStopCount)});
    t.AddRow(
        {"queries", Format("%zu (%zu exact phrases of a note)", ctx->queries.size(), phrases)});
    t.AddNote("example note: " + ctx->notes[0]);
    t.AddNote("example queries: \"" + ctx->queries[0].text + "\", \"" + ctx->queries[1].text +
              "\"");
    t.Print();
  }
}

Status RunAll(Context* ctx) {
  MakeData(ctx);
  URD_RETURN_IF_ERROR(RunRemember(ctx));
  URD_RETURN_IF_ERROR(RunRememberDurable(ctx));
  URD_RETURN_IF_ERROR(RunOpen(ctx));
  return RunRecall(ctx);
}

}  // namespace

int RunRecallBench(const RecallBenchOptions& options) {
  Context ctx;
  ctx.options = &options;
  ctx.tables = !options.json;
  ctx.n = options.n > 0 ? options.n : (options.quick ? kQuickNotes : kDefaultNotes);
  if (ctx.n < kMinNotes) {
    std::fprintf(stderr, "urd bench recall: --n must be at least %zu\n", kMinNotes);
    return 1;
  }
  if (options.queries < kWarmup) {
    std::fprintf(stderr, "urd bench recall: --queries must be at least %zu\n", kWarmup);
    return 1;
  }
  Result<std::string> tmp = MakeTempDir(options.tmp_dir);
  if (!tmp.ok()) {
    std::fprintf(stderr, "urd: %s\n", tmp.status().ToString().c_str());
    return ExitCodeFor(tmp.status());
  }
  ctx.tmp = *tmp;
  ctx.ws_dir = ctx.tmp + "/workspace";
  const unsigned hw = std::thread::hardware_concurrency();
  ctx.out = {{"benchmark", "urd bench recall"},
             {"quick", options.quick},
             {"n", ctx.n},
             {"dir", ctx.tmp},
             {"embedder", "hash, dimension 384"}};
  ctx.out["machine"] = {
      {"cpu", CpuModelName()},      {"hardware_threads", hw},  {"simd", VectorStore::SimdLevel()},
      {"urd_version", URD_VERSION}, {"build", URD_BUILD_TYPE}, {"loadavg_start", LoadAverage()}};
  if (ctx.tables) {
    std::printf(
        "urd bench recall: %zu notes, hash embedder (384); %s, %u hardware threads, SIMD %s, "
        "load average %s\nworkspaces under %s\n",
        ctx.n, CpuModelName().c_str(), hw, VectorStore::SimdLevel(), LoadAverage().c_str(),
        ctx.tmp.c_str());
  }
  const double start = NowSeconds();
  const Status st = RunAll(&ctx);
  ctx.ws.reset();
  RemoveTree(ctx.tmp);
  ctx.out["total_s"] = NowSeconds() - start;
  ctx.out["machine"]["loadavg_end"] = LoadAverage();
  if (!st.ok()) {
    std::fprintf(stderr, "urd: %s\n", st.ToString().c_str());
    return ExitCodeFor(st);
  }
  ctx.out["targets"] = ReportTargets(ctx);
  if (ctx.tables) {
    std::printf("\ntotal %.0f s; load average at the end %s\n", ctx.out["total_s"].get<double>(),
                LoadAverage().c_str());
  }
  return WriteJson(options, ctx.out);
}

}  // namespace urd::bench
