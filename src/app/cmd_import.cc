// Copyright urd authors. `urd import`: copy another system's store into a workspace.
//
//   urd import nidus NIDUS_DIR [--dir DIR] [--dim-check] [--json]
//
// nidus: reads a nidus 0.3.0 store (vector/nidus_reader.h; read-only, safe beside a
// live nidus writer) and writes every collection, its meta map and its records
// into DIR/vectors, created with the nidus dimension (an existing store must have
// the same one). Every record is checked against urd's rules first (nidus accepts
// zero and non-finite vectors, urd does not), so bad input writes nothing; records
// then go in atomic batches of 1000 (a failed batch leaves earlier ones committed).
// Existing collections are merged: records with the same id are replaced, and a
// non-empty nidus meta map replaces the collection's.

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/vec_open.h"
#include "urd/vector_store.h"
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
}

}  // namespace urd::app
