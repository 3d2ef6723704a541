// Copyright urd authors. `urd vec`: the vector store of a workspace (<dir>/vectors).
//
//   urd vec create  --collection C [--dim N]
//   urd vec drop    --collection C
//   urd vec list
//   urd vec meta    --collection C [--set K=V ... | --clear]
//   urd vec upsert  --collection C (--jsonl FILE | --f32 FILE | --fvecs FILE)
//                   [--dim N] [--id-prefix P] [--batch N]
//   urd vec get     --collection C --id ID...
//   urd vec delete  --collection C (--id ID... | --filter JSON)
//   urd vec search  (--collection C... | --all) (--vector JSON | --queries FILE) --k N
//                   [--filter JSON] [--min-score S] [--mode exact|int8|f16]
//                   [--rerank R] [--threads T]
//   urd vec compact
//   urd vec stats
//
// Every verb takes --dir DIR (default $URD_DIR, else .urd) and --json. Read-only
// verbs (list, meta without --set/--clear, get, search, stats) open the store
// without the lock, so they work while a writer holds it.

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/vec_open.h"
#include "app/vector_io.h"
#include "urd/vector_store.h"
#include "vector/value_json.h"
#include "vector/vector_store_impl.h"

namespace urd::app {
namespace {

using Json = nlohmann::ordered_json;

struct VecArgs {
  std::string dir;
  bool json = false;
  std::string collection;
  std::vector<std::string> collections;  // search scope
  bool all = false;
  size_t dim = 0;
  std::vector<std::string> set;  // meta
  bool clear = false;
  std::string jsonl, f32, fvecs, id_prefix;
  size_t batch = 1000;
  std::vector<std::string> ids;
  std::string filter;
  std::string vector, queries;
  size_t k = 10;
  double min_score = 0;
  CLI::Option* min_score_opt = nullptr;
  std::string mode = "exact";
  size_t rerank = 4;
  int threads = 0;
};

// ---- output helpers ----

void Print(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string AttrsText(const Attrs& attrs) {
  return vec::AttrsToJson(attrs).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int Usage(const std::string& msg) {
  std::fprintf(stderr, "urd: %s\n", msg.c_str());
  return kExitUsage;
}

VectorOptions WriterOptions(const char* verb) {
  VectorOptions o;
  o.lock_owner = std::string("urd vec ") + verb;
  return o;
}

// Per-collection record counts.
Result<Json> CollectionsJson(const VectorStore& store) {
  Json list = Json::array();
  for (const std::string& name : store.ListCollections()) {
    auto count = store.CountRecords(name);
    if (!count.ok()) return count.status();
    list.push_back({{"name", name}, {"count", *count}});
  }
  return list;
}

// Opens the existing store for writing, or creates it with dimension `dim`;
// InvalidArgument naming --dim when there is none and `dim` is 0.
Result<std::unique_ptr<VectorStore>> OpenOrCreate(const VecArgs& a, size_t dim, const char* verb) {
  VectorOptions o = WriterOptions(verb);
  o.dimension = dim;
  auto store = OpenVectorsForWrite(a.dir, o);
  if (store.ok() || !store.status().IsNotFound()) return store;
  if (dim == 0) {
    return Status::InvalidArgument("no vector store in " + VectorStorePath(a.dir) +
                                   " yet: give --dim N to create one");
  }
  return CreateVectors(a.dir, dim, o);
}

// ---- create, drop, list, meta ----

int Create(const VecArgs& a) {
  Status name = vec::ValidateCollectionName(a.collection);  // before a store is created
  if (!name.ok()) return ReportError(name);
  auto store = OpenOrCreate(a, a.dim, "create");
  if (!store.ok()) return ReportError(store.status());
  const bool existed = (*store)->HasCollection(a.collection);
  Status s = (*store)->CreateCollection(a.collection);
  if (!s.ok()) return ReportError(s);
  if (a.json) {
    Print(Dump({{"collection", a.collection},
                {"created", !existed},
                {"dimension", (*store)->dimension()}}));
  } else {
    Print((existed ? "collection exists: " : "created collection ") + a.collection +
          " (dimension " + std::to_string((*store)->dimension()) + ")");
  }
  return 0;
}

int Drop(const VecArgs& a) {
  auto store = OpenVectorsForWrite(a.dir, WriterOptions("drop"));
  if (!store.ok()) return ReportError(store.status());
  const bool existed = (*store)->HasCollection(a.collection);
  Status s = (*store)->DropCollection(a.collection);
  if (!s.ok()) return ReportError(s);
  if (a.json) {
    Print(Dump({{"collection", a.collection}, {"dropped", existed}}));
  } else {
    Print((existed ? "dropped collection " : "no collection ") + a.collection);
  }
  return 0;
}

int List(const VecArgs& a) {
  auto store = OpenVectorsReadOnly(a.dir);
  if (!store.ok()) return ReportError(store.status());
  if (!a.json) {
    for (const std::string& name : (*store)->ListCollections()) Print(name);
    return 0;
  }
  auto list = CollectionsJson(**store);
  if (!list.ok()) return ReportError(list.status());
  Print(Dump({{"collections", *list}}));
  return 0;
}

Result<std::map<std::string, std::string>> ParseMetaPairs(const std::vector<std::string>& set) {
  std::map<std::string, std::string> meta;
  for (const std::string& kv : set) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--set \"" + kv + "\": expected KEY=VALUE");
    }
    meta[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return meta;
}

void PrintMeta(const VecArgs& a, const std::map<std::string, std::string>& meta) {
  if (a.json) {
    Json m = Json::object();
    for (const auto& [k, v] : meta) m[k] = v;
    Print(Dump({{"collection", a.collection}, {"meta", m}}));
  } else {
    for (const auto& [k, v] : meta) Print(k + "=" + v);
  }
}

int Meta(const VecArgs& a) {
  if (a.set.empty() && !a.clear) {
    auto store = OpenVectorsReadOnly(a.dir);
    if (!store.ok()) return ReportError(store.status());
    auto meta = (*store)->GetMeta(a.collection);
    if (!meta.ok()) return ReportError(meta.status());
    PrintMeta(a, *meta);
    return 0;
  }
  auto meta = ParseMetaPairs(a.set);
  if (!meta.ok()) return ReportError(meta.status());
  auto store = OpenVectorsForWrite(a.dir, WriterOptions("meta"));
  if (!store.ok()) return ReportError(store.status());
  Status s = (*store)->SetMeta(a.collection, *meta);
  if (!s.ok()) return ReportError(s);
  PrintMeta(a, *meta);
  return 0;
}

// ---- upsert ----

struct UpsertCount {
  size_t records = 0;
  size_t batches = 0;
};

Status UpsertBatch(VectorStore* store, const std::string& collection,
                   std::span<const VectorRecord> records, UpsertCount* count) {
  auto n = store->Upsert(collection, records);
  if (!n.ok()) {
    if (count->batches > 0) {
      std::fprintf(stderr, "urd: %zu records in %zu earlier batches stay committed\n",
                   count->records, count->batches);
    }
    return n.status();
  }
  count->records += *n;
  count->batches++;
  return Status::OK();
}

Status UpsertJsonl(const VecArgs& a, std::unique_ptr<VectorStore>* store, UpsertCount* count) {
  URD_ASSIGN_OR_RETURN(std::string text, ReadInput(Env::Default(), a.jsonl));
  const size_t dim = *store ? (*store)->dimension() : a.dim;
  auto records = ParseRecordsJsonl(text, dim, VectorOptions{}.max_id_bytes);
  if (!records.ok()) return records.status().WithContext(a.jsonl == "-" ? "stdin" : a.jsonl);
  if (!*store) {
    if (records->empty()) return Status::OK();  // nothing to write, no dimension known
    URD_ASSIGN_OR_RETURN(*store, OpenOrCreate(a, (*records)[0].vector.size(), "upsert"));
  }
  URD_RETURN_IF_ERROR((*store)->CreateCollection(a.collection));
  std::span<const VectorRecord> all(*records);
  for (size_t i = 0; i < all.size(); i += a.batch) {
    URD_RETURN_IF_ERROR(UpsertBatch(store->get(), a.collection,
                                    all.subspan(i, std::min(a.batch, all.size() - i)), count));
  }
  return Status::OK();
}

// --f32 / --fvecs: one pass checks the whole file, a second one writes it.
Status UpsertVectorFile(const VecArgs& a, std::unique_ptr<VectorStore>* store,
                        UpsertCount* count) {
  const bool f32 = !a.f32.empty();
  const std::string& path = f32 ? a.f32 : a.fvecs;
  const auto format = f32 ? VectorFileFormat::kF32 : VectorFileFormat::kFvecs;
  Env* env = Env::Default();
  size_t dim = *store ? (*store)->dimension() : a.dim;
  if (dim == 0 && f32) {
    return Status::InvalidArgument("no vector store in " + VectorStorePath(a.dir) +
                                   " yet: give --dim N for the rows of --f32");
  }
  if (dim == 0) {
    URD_ASSIGN_OR_RETURN(dim, FvecsDimension(env, path));
  }
  URD_RETURN_IF_ERROR(ReadVectorFile(env, path, format, dim, a.batch,
                                     [](uint64_t, std::span<const float>) { return Status::OK(); }));
  if (!*store) {
    URD_ASSIGN_OR_RETURN(*store, OpenOrCreate(a, dim, "upsert"));
  }
  URD_RETURN_IF_ERROR((*store)->CreateCollection(a.collection));
  std::vector<VectorRecord> batch;
  return ReadVectorFile(env, path, format, dim, a.batch,
                        [&](uint64_t first, std::span<const float> rows) {
                          const size_t n = rows.size() / dim;
                          batch.resize(n);
                          for (size_t r = 0; r < n; r++) {
                            batch[r].id = a.id_prefix + std::to_string(first + r);
                            batch[r].vector.assign(rows.begin() + r * dim,
                                                   rows.begin() + (r + 1) * dim);
                          }
                          return UpsertBatch(store->get(), a.collection, batch, count);
                        });
}

int Upsert(const VecArgs& a) {
  const int sources = !a.jsonl.empty() + !a.f32.empty() + !a.fvecs.empty();
  if (sources != 1) return Usage("vec upsert: give exactly one of --jsonl, --f32, --fvecs");
  Status name = vec::ValidateCollectionName(a.collection);  // before a store is created
  if (!name.ok()) return ReportError(name);
  VectorOptions o = WriterOptions("upsert");
  o.dimension = a.dim;
  auto opened = OpenVectorsForWrite(a.dir, o);
  if (!opened.ok() && !opened.status().IsNotFound()) return ReportError(opened.status());
  std::unique_ptr<VectorStore> store;
  if (opened.ok()) store = std::move(opened).value();
  UpsertCount count;
  Status s = a.jsonl.empty() ? UpsertVectorFile(a, &store, &count) : UpsertJsonl(a, &store, &count);
  if (!s.ok()) return ReportError(s);
  if (a.json) {
    Print(Dump({{"collection", a.collection},
                {"upserted", count.records},
                {"batches", count.batches}}));
  } else {
    Print("upserted " + std::to_string(count.records) + " records into " + a.collection + " (" +
          std::to_string(count.batches) + " batches)");
  }
  return 0;
}

// ---- get, delete ----

std::string VectorPreview(const std::vector<float>& v, size_t shown = 4) {
  std::string out = "[";
  for (size_t i = 0; i < v.size() && i < shown; i++) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%s%.6g", i ? ", " : "", static_cast<double>(v[i]));
    out += buf;
  }
  if (v.size() > shown) out += ", ... (" + std::to_string(v.size()) + " components)";
  return out + "]";
}

int Get(const VecArgs& a) {
  auto store = OpenVectorsReadOnly(a.dir);
  if (!store.ok()) return ReportError(store.status());
  if (!(*store)->HasCollection(a.collection)) {
    return ReportError(Status::NotFound("no collection \"" + a.collection + "\""));
  }
  Json records = Json::array(), missing = Json::array();
  for (const std::string& id : a.ids) {
    auto rec = (*store)->Get(a.collection, id);
    if (!rec.ok() && !rec.status().IsNotFound()) return ReportError(rec.status());
    if (!rec.ok()) {
      missing.push_back(id);
      std::fprintf(stderr, "urd: no record \"%s\" in %s\n", id.c_str(), a.collection.c_str());
    } else if (a.json) {
      records.push_back({{"id", rec->id}, {"vector", rec->vector},
                         {"attrs", vec::AttrsToJson(rec->attrs)}});
    } else {
      Print(rec->id + "  " + AttrsText(rec->attrs) + "  " + VectorPreview(rec->vector));
    }
  }
  if (a.json) {
    Print(Dump({{"collection", a.collection}, {"records", records}, {"missing", missing}}));
  }
  return missing.empty() ? 0 : ExitCodeFor(Status::NotFound(""));
}

int Delete(const VecArgs& a) {
  if (a.ids.empty() == a.filter.empty()) {
    return Usage("vec delete: give exactly one of --id, --filter");
  }
  Filter filter;
  if (!a.filter.empty()) {
    auto f = Filter::FromJson(a.filter);
    if (!f.ok()) return ReportError(f.status());
    filter = std::move(f).value();
  }
  auto store = OpenVectorsForWrite(a.dir, WriterOptions("delete"));
  if (!store.ok()) return ReportError(store.status());
  auto n = a.ids.empty() ? (*store)->DeleteWhere(a.collection, filter)
                         : (*store)->Delete(a.collection, a.ids);
  if (!n.ok()) return ReportError(n.status());
  if (a.json) {
    Print(Dump({{"collection", a.collection}, {"deleted", *n}}));
  } else {
    Print("deleted " + std::to_string(*n) + " records from " + a.collection);
  }
  return 0;
}

// ---- search ----

Result<SearchOptions> SearchOptionsFrom(const VecArgs& a) {
  SearchOptions o;
  o.top_k = a.k;
  if (!a.filter.empty()) {
    URD_ASSIGN_OR_RETURN(o.filter, Filter::FromJson(a.filter));
  }
  if (a.min_score_opt->count() > 0) o.min_score = static_cast<float>(a.min_score);
  o.mode = a.mode == "int8" ? ScanMode::kInt8 : a.mode == "f16" ? ScanMode::kF16 : ScanMode::kExact;
  o.rerank_factor = a.rerank;
  o.threads = a.threads;
  return o;
}

Json HitsJson(const std::vector<Hit>& hits) {
  Json out = Json::array();
  for (const Hit& h : hits) {
    out.push_back({{"collection", h.collection},
                   {"id", h.id},
                   {"score", static_cast<double>(h.score)},
                   {"attrs", vec::AttrsToJson(h.attrs)}});
  }
  return out;
}

// Characters of UTF-8 text (code points; East Asian wide ones count as one).
size_t Chars(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

std::string Pad(const std::string& s, size_t width) {
  const size_t n = Chars(s);
  return n >= width ? s : s + std::string(width - n, ' ');
}

void PrintHitTable(const std::vector<Hit>& hits) {
  if (hits.empty()) {
    Print("(no hits)");
    return;
  }
  size_t cw = 10, iw = 2;  // "collection", "id"
  for (const Hit& h : hits) {
    cw = std::max(cw, Chars(h.collection));
    iw = std::max(iw, Chars(h.id));
  }
  Print("rank      score  " + Pad("collection", cw) + "  " + Pad("id", iw) + "  attrs");
  for (size_t i = 0; i < hits.size(); i++) {
    const Hit& h = hits[i];
    char num[48];
    std::snprintf(num, sizeof(num), "%4zu  %9.6f  ", i + 1, static_cast<double>(h.score));
    Print(num + Pad(h.collection, cw) + "  " + Pad(h.id, iw) + "  " + AttrsText(h.attrs));
  }
}

Scope ScopeFrom(const VecArgs& a) {
  if (a.all) return Scope::All();
  if (a.collections.size() == 1) return Scope::Collection(a.collections[0]);
  return Scope::Collections(a.collections);
}

int SearchQueries(const VecArgs& a, const VectorStore& store, const SearchOptions& o) {
  auto text = ReadInput(Env::Default(), a.queries);
  if (!text.ok()) return ReportError(text.status());
  auto queries = ParseQueriesJsonl(*text, store.dimension());
  if (!queries.ok()) {
    return ReportError(queries.status().WithContext(a.queries == "-" ? "stdin" : a.queries));
  }
  auto results = store.SearchBatch(ScopeFrom(a), *queries, o);
  if (!results.ok()) return ReportError(results.status());
  if (a.json) {
    Json out = Json::array();
    for (const auto& hits : *results) out.push_back({{"hits", HitsJson(hits)}});
    Print(Dump({{"results", out}}));
    return 0;
  }
  for (size_t q = 0; q < results->size(); q++) {
    if (q > 0) Print("");
    Print("query " + std::to_string(q + 1) + ":");
    PrintHitTable((*results)[q]);
  }
  return 0;
}

int Search(const VecArgs& a) {
  if (a.all == !a.collections.empty()) return Usage("vec search: give --collection C... or --all");
  if (a.vector.empty() == a.queries.empty()) {
    return Usage("vec search: give exactly one of --vector, --queries");
  }
  auto o = SearchOptionsFrom(a);
  if (!o.ok()) return ReportError(o.status());
  VectorOptions vo;
  vo.keep_int8 = o->mode == ScanMode::kInt8;
  vo.keep_f16 = o->mode == ScanMode::kF16;
  vo.scan_threads = a.threads;
  auto store = OpenVectorsReadOnly(a.dir, vo);
  if (!store.ok()) return ReportError(store.status());
  if (!a.queries.empty()) return SearchQueries(a, **store, *o);
  auto query = ParseVectorText(a.vector, "--vector", (*store)->dimension());
  if (!query.ok()) return ReportError(query.status());
  auto hits = (*store)->Search(ScopeFrom(a), *query, *o);
  if (!hits.ok()) return ReportError(hits.status());
  if (a.json) {
    Print(Dump({{"hits", HitsJson(*hits)}}));
  } else {
    PrintHitTable(*hits);
  }
  return 0;
}

// ---- compact, stats ----

int Compact(const VecArgs& a) {
  VectorOptions o = WriterOptions("compact");
  o.auto_compact.reset();  // compact here, explicitly, so that before/after are reported
  auto store = OpenVectorsForWrite(a.dir, o);
  if (!store.ok()) return ReportError(store.status());
  const Footprint before = (*store)->GetFootprint();
  Status s = (*store)->Compact();
  if (!s.ok()) return ReportError(s);
  const Footprint after = (*store)->GetFootprint();
  if (a.json) {
    Print(Dump({{"generation", after.generation},
                {"rows", after.rows},
                {"rows_before", before.rows},
                {"file_bytes", after.file_bytes},
                {"file_bytes_before", before.file_bytes}}));
  } else {
    std::printf("compacted %s: generation %llu, rows %llu -> %llu, file bytes %llu -> %llu\n",
                VectorStorePath(a.dir).c_str(), (unsigned long long)after.generation,
                (unsigned long long)before.rows, (unsigned long long)after.rows,
                (unsigned long long)before.file_bytes, (unsigned long long)after.file_bytes);
  }
  return 0;
}

int Stats(const VecArgs& a) {
  auto store = OpenVectorsReadOnly(a.dir);
  if (!store.ok()) return ReportError(store.status());
  const Footprint f = (*store)->GetFootprint();
  auto collections = CollectionsJson(**store);
  if (!collections.ok()) return ReportError(collections.status());
  Json j = {{"rows", f.rows},
            {"dead_rows", f.dead_rows},
            {"docs", f.doc_count},
            {"dimension", f.dimension},
            {"vector_bytes", f.vector_bytes},
            {"memory_bytes", f.memory_bytes},
            {"file_bytes", f.file_bytes},
            {"generation", f.generation},
            {"simd", VectorStore::SimdLevel()},
            {"collections", *collections}};
  if (a.json) {
    Print(Dump(j));
    return 0;
  }
  for (const auto& [key, value] : j.items()) {
    if (key == "collections") continue;
    std::string name = key;
    for (char& c : name) c = c == '_' ? ' ' : c;
    Print(name + ": " + (value.is_string() ? value.get<std::string>() : value.dump()));
  }
  Print("collections: " + std::to_string(collections->size()));
  for (const Json& c : *collections) {
    Print("  " + c["name"].get<std::string>() + ": " + c["count"].dump() + " records");
  }
  return 0;
}

// ---- registration ----

void Bind(CLI::App* cmd, int* rc, std::function<int()> fn) {
  cmd->callback([rc, fn = std::move(fn)] {
    try {
      *rc = fn();
    } catch (const std::exception& e) {  // nothing should throw; never escape main
      std::fprintf(stderr, "urd: internal error: %s\n", e.what());
      *rc = kExitUsage;
    }
  });
}

CLI::App* Verb(CLI::App* vec, const std::shared_ptr<VecArgs>& a, const char* name,
               const char* help) {
  CLI::App* cmd = vec->add_subcommand(name, help);
  cmd->add_option("--dir", a->dir, "Workspace directory; the store is DIR/vectors")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "JSON output");
  return cmd;
}

void AddCollectionOption(CLI::App* cmd, VecArgs* a) {
  cmd->add_option("--collection", a->collection, "Collection name")->required();
}

void AddCollectionVerbs(CLI::App* vec, const std::shared_ptr<VecArgs>& a, int* rc) {
  CLI::App* create = Verb(vec, a, "create", "Create a collection (and the store: give --dim)");
  AddCollectionOption(create, a.get());
  create->add_option("--dim", a->dim, "Dimension; required when the store does not exist yet")
      ->check(CLI::PositiveNumber);
  Bind(create, rc, [a] { return Create(*a); });

  CLI::App* drop = Verb(vec, a, "drop", "Remove a collection and its records");
  AddCollectionOption(drop, a.get());
  Bind(drop, rc, [a] { return Drop(*a); });

  CLI::App* list = Verb(vec, a, "list", "List collections (--json: with record counts)");
  Bind(list, rc, [a] { return List(*a); });

  CLI::App* meta = Verb(vec, a, "meta", "Print a collection's metadata, or replace it");
  AddCollectionOption(meta, a.get());
  auto* set = meta->add_option("--set", a->set, "KEY=VALUE pairs: replace the whole map");
  meta->add_flag("--clear", a->clear, "Replace the map with an empty one")->excludes(set);
  Bind(meta, rc, [a] { return Meta(*a); });
}

void AddRecordVerbs(CLI::App* vec, const std::shared_ptr<VecArgs>& a, int* rc) {
  CLI::App* upsert = Verb(vec, a, "upsert", "Insert or replace records from a file");
  upsert->footer(
      "Records go in atomic batches of --batch rows; if a batch fails, the earlier batches "
      "stay committed. The whole input is checked before the first batch is written: a bad "
      "line or row writes nothing.");
  AddCollectionOption(upsert, a.get());
  auto* jl = upsert->add_option("--jsonl", a->jsonl,
      "JSONL file ('-': stdin), lines {\"id\": str, \"vector\": [...], \"attrs\": {...}}");
  auto* f32 = upsert->add_option("--f32", a->f32,
      "Raw little-endian f32 rows of the store's dimension; ids <prefix><row index>");
  auto* fv = upsert->add_option("--fvecs", a->fvecs,
      "fvecs file (per vector: int32 d, then d f32); ids <prefix><row index>");
  jl->excludes(f32)->excludes(fv);
  f32->excludes(fv);
  upsert->add_option("--dim", a->dim,
      "Dimension of a new store (--jsonl and --fvecs default to the data's)")
      ->check(CLI::PositiveNumber);
  upsert->add_option("--id-prefix", a->id_prefix, "Id prefix for --f32 / --fvecs rows");
  upsert->add_option("--batch", a->batch, "Rows per atomic batch")
      ->capture_default_str()->check(CLI::PositiveNumber);
  Bind(upsert, rc, [a] { return Upsert(*a); });

  CLI::App* get = Verb(vec, a, "get", "Print records by id");
  get->footer(
      "Prints id, attrs and the first components of the stored vector (normalised to unit "
      "length on write); --json prints whole vectors. Exit 3 if any id is missing.");
  AddCollectionOption(get, a.get());
  get->add_option("--id", a->ids, "Record ids")->required();
  Bind(get, rc, [a] { return Get(*a); });

  CLI::App* del = Verb(vec, a, "delete", "Delete records by id or by filter (atomic)");
  AddCollectionOption(del, a.get());
  auto* ids = del->add_option("--id", a->ids, "Record ids");
  auto* filter = del->add_option("--filter", a->filter, "Filter as JSON, e.g. {\"eq\":{\"k\":3}}");
  ids->excludes(filter);
  Bind(del, rc, [a] { return Delete(*a); });
}

void AddSearchAndStoreVerbs(CLI::App* vec, const std::shared_ptr<VecArgs>& a, int* rc) {
  CLI::App* search = Verb(vec, a, "search", "Exact cosine top-k search");
  auto* coll = search->add_option("--collection", a->collections, "Collections to search");
  search->add_flag("--all", a->all, "Search every collection")->excludes(coll);
  auto* vector = search->add_option("--vector", a->vector, "Query vector as a JSON array");
  search->add_option("--queries", a->queries,
      "JSONL of queries ('-': stdin), arrays or {\"vector\": [...]}; one batched pass")
      ->excludes(vector);
  search->add_option("--k", a->k, "Hits per query")->required()->check(CLI::NonNegativeNumber);
  search->add_option("--filter", a->filter, "Filter as JSON, e.g. {\"eq\":{\"k\":3}}");
  a->min_score_opt = search->add_option("--min-score", a->min_score, "Drop hits below this score");
  search->add_option("--mode", a->mode, "Scan: exact, int8 or f16 (compressed, then exact re-rank)")
      ->capture_default_str()->check(CLI::IsMember({"exact", "int8", "f16"}));
  search->add_option("--rerank", a->rerank, "int8/f16: re-rank k * R candidates exactly")
      ->capture_default_str()->check(CLI::PositiveNumber);
  search->add_option("--threads", a->threads, "Scan threads (0: all hardware threads)")
      ->check(CLI::NonNegativeNumber);
  Bind(search, rc, [a] { return Search(*a); });

  CLI::App* compact = Verb(vec, a, "compact", "Rewrite the store with live rows only");
  Bind(compact, rc, [a] { return Compact(*a); });

  CLI::App* stats = Verb(vec, a, "stats", "Counts, sizes, footprint, SIMD level");
  Bind(stats, rc, [a] { return Stats(*a); });
}

}  // namespace

void AddVecCommands(CLI::App* app, int* rc) {
  auto args = std::make_shared<VecArgs>();
  args->dir = DefaultWorkspaceDir();
  CLI::App* vec = app->add_subcommand(
      "vec", "The vector store of a workspace (DIR/vectors): collections, records, search");
  vec->require_subcommand(1);
  AddCollectionVerbs(vec, args, rc);
  AddRecordVerbs(vec, args, rc);
  AddSearchAndStoreVerbs(vec, args, rc);
}

}  // namespace urd::app
