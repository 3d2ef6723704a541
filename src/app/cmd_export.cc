// Copyright urd authors. `urd export`: write a workspace's store in another
// system's format.
//
//   urd export mimir FILE [--dir DIR] [--force] [--json]
//
// mimir: every committed record of DIR/memory.log, in log order, as a mimir-core
// 0.1.0 `canonical.log` (memory/mimir_file.h). The log is read directly and
// read-only (safe beside a running writer, which it does not wait for); a torn
// tail is left out and noted, corruption followed by committed data refuses the
// export. FILE is replaced atomically (FILE.tmp, fsync, rename, fsync of the
// directory); an existing FILE is kept unless --force. Lossless: `urd import
// mimir X` then `urd export mimir Y` gives Y equal to X's committed prefix.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/vec_open.h"
#include "memory/memory_log.h"
#include "memory/mimir_file.h"
#include "storage/log_reader.h"

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
}

}  // namespace urd::app
