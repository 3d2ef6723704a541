// Copyright urd authors. The `urd` command: argument parsing and dispatch.

#include <cstdio>
#include <exception>
#include <string>
#include <utility>

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

void BindVerb(CLI::App* cmd, int* rc, std::function<int()> fn) {
  cmd->callback([rc, fn = std::move(fn)] {
    try {
      *rc = fn();
    } catch (const std::exception& e) {  // nothing should throw; never escape main
      std::fprintf(stderr, "urd: internal error: %s\n", e.what());
      *rc = kExitUsage;
    }
  });
}

std::string JsonText(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void PrintLine(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

std::string HumanLines(const nlohmann::ordered_json& j, int indent) {
  std::string out;
  const std::string pad(static_cast<size_t>(indent), ' ');
  for (const auto& [key, value] : j.items()) {
    std::string name = key;
    for (char& c : name) c = c == '_' ? ' ' : c;
    if (value.is_object()) {
      out += pad + name + ":\n" + HumanLines(value, indent + 2);
    } else if (value.is_null()) {
      out += pad + name + ": none\n";
    } else {
      out += pad + name + ": " + (value.is_string() ? value.get<std::string>() : JsonText(value));
      out += "\n";
    }
  }
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
  AddWorkspaceCommands(&app, &rc);
  AddMemoryCommands(&app, &rc);
  AddVecCommands(&app, &rc);
  AddFramesCommands(&app, &rc);
  AddImportCommands(&app, &rc);
  AddExportCommands(&app, &rc);
  AddBenchCommands(&app, &rc);
  AddMcpCommands(&app, &rc);
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
