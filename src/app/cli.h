// Copyright urd authors. Shared pieces of the `urd` command's verbs.
//
// Conventions (DESIGN.md): human output on stdout, diagnostics on stderr, `--json`
// for machine output; exit codes 0 success, 1 usage error, 2 bad input, 3 not found,
// 4 locked by another writer, 5 corruption or I/O failure.

#ifndef URD_APP_CLI_H_
#define URD_APP_CLI_H_

#include <CLI/CLI.hpp>
#include <string>

#include "urd/status.h"

namespace urd::app {

inline constexpr int kExitUsage = 1;

// Prints "urd: <status>" on stderr and returns the exit code for it.
int ReportError(const Status& status);

// `urd --version` text: version, build type, SIMD level, CRC32C implementation.
std::string VersionText();

// Each registers a group of verbs on `app`; the verbs store their exit code in *rc.
void AddFramesCommands(CLI::App* app, int* rc);   // urd frames ...   (cmd_frames.cc)
void AddVecCommands(CLI::App* app, int* rc);      // urd vec ...      (cmd_vec.cc)
void AddImportCommands(CLI::App* app, int* rc);   // urd import ...   (cmd_import.cc)
void AddBenchCommands(CLI::App* app, int* rc);    // urd bench ...    (cmd_bench.cc)

}  // namespace urd::app

#endif  // URD_APP_CLI_H_
