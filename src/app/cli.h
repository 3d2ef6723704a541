// Copyright urd authors. Shared pieces of the `urd` command's verbs.
//
// Conventions (DESIGN.md): human output on stdout, diagnostics on stderr, `--json`
// for machine output; exit codes 0 success, 1 usage error, 2 bad input, 3 not found,
// 4 locked by another writer, 5 corruption or I/O failure.

#ifndef URD_APP_CLI_H_
#define URD_APP_CLI_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

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
void AddExportCommands(CLI::App* app, int* rc);   // urd export ...   (cmd_export.cc)
void AddBenchCommands(CLI::App* app, int* rc);    // urd bench ...    (cmd_bench.cc)
// urd write|query|history|stats (cmd_memory.cc); it also calls
// AddMemoryLogCommands: urd log|verify (cmd_memory_log.cc).
void AddMemoryCommands(CLI::App* app, int* rc);
void AddMemoryLogCommands(CLI::App* app, int* rc);
// urd init|remember|recall|reindex (cmd_workspace.cc).
void AddWorkspaceCommands(CLI::App* app, int* rc);
// urd mcp: the MCP server on stdio (cmd_mcp.cc, mcp_server.h).
void AddMcpCommands(CLI::App* app, int* rc);

// ---- helpers shared by the verbs (main.cc) ----

// Sets `cmd`'s callback to store fn()'s exit code in *rc. An exception (none
// should be thrown) is reported as an internal error, exit 1: it never escapes main.
void BindVerb(CLI::App* cmd, int* rc, std::function<int()> fn);

// `j` on one line; invalid UTF-8 in strings is replaced, never thrown on.
std::string JsonText(const nlohmann::ordered_json& j);

// Writes `line` and a newline to stdout.
void PrintLine(std::string_view line);

// `j` (an object) as "key: value" lines, underscores in keys shown as spaces,
// nested objects indented by two spaces under a "key:" line, null as "none",
// strings as they are, arrays and other scalars as JSON text.
std::string HumanLines(const nlohmann::ordered_json& j, int indent = 0);

// ---- the memory store of a workspace (cmd_memory.cc) ----

// <workspace>/memory.log.
std::string MemoryLogPath(const std::string& workspace);

// Creates `dir` and its missing parents.
Status CreateWorkspaceDir(const std::string& dir);

// The footprint of <workspace>/vectors opened read-only: {"path", "rows",
// "dead_rows", "docs", "dimension", "vector_bytes", "memory_bytes", "file_bytes",
// "generation"}; on failure {"path", "error"} and *status holds the error.
nlohmann::ordered_json VectorFootprintJson(const std::string& workspace, Status* status);

}  // namespace urd::app

#endif  // URD_APP_CLI_H_
