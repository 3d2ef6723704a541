// Copyright urd authors. The `urd` command: argument parsing and dispatch.

#include <cstdio>
#include <string>

#include "app/cli.h"
#include "base/cpu_features.h"
#include "base/crc32c.h"
#include "urd/vector_store.h"

namespace urd::app {

int ReportError(const Status& status) {
  std::fprintf(stderr, "urd: %s\n", status.ToString().c_str());
  return ExitCodeFor(status);
}

std::string VersionText() {
  std::string out = "urd " URD_VERSION "\n";
  out += "build: " URD_BUILD_TYPE "\n";
  out += std::string("simd: ") + VectorStore::SimdLevel() + "\n";
  out += std::string("crc32c: ") + Crc32cImplementation() + "\n";
  std::string cpu = CpuFeaturesString();
  out += "cpu: " + (cpu.empty() ? std::string("baseline") : cpu) + "\n";
  return out;
}

namespace {

int Run(int argc, char** argv) {
  CLI::App app{
      "urd: an embeddable, local-first memory engine for AI agents.\n"
      "Exit codes: 0 ok, 1 usage, 2 bad input, 3 not found, 4 locked, 5 corruption/I/O.",
      "urd"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print version, build type and SIMD level, then exit");
  int rc = 0;
  AddFramesCommands(&app, &rc);
  AddVecCommands(&app, &rc);
  AddImportCommands(&app, &rc);
  AddBenchCommands(&app, &rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (version) {
    std::fputs(VersionText().c_str(), stdout);
    return 0;
  }
  if (app.get_subcommands().empty()) {
    std::fputs(app.help().c_str(), stdout);
    return kExitUsage;
  }
  return rc;
}

}  // namespace
}  // namespace urd::app

int main(int argc, char** argv) { return urd::app::Run(argc, argv); }
