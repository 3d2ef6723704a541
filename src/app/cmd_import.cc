// Copyright urd authors. `urd import`: copy another system's store into a workspace.
//
//   urd import nidus NIDUS_DIR [--dir DIR] [--dim-check] [--json]
//   urd import mimir FILE [--dir DIR] [--json]
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

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/vec_open.h"
#include "memory/memory_store_impl.h"
#include "memory/mimir_file.h"
#include "memory/state.h"
#include "urd/memory_store.h"
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
}

}  // namespace urd::app
