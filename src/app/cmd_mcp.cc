// Copyright urd authors. `urd mcp`: the MCP server on stdio (docs/mcp.md).
//
//   urd mcp [--dir DIR]
//
// Opens (or creates, with the hash embedder) the workspace DIR (default $URD_DIR,
// else .urd), then reads newline-delimited JSON-RPC messages on stdin and writes
// each reply line to stdout, flushed at once. stdout carries protocol messages and
// nothing else; the start-up line and errors go to stderr. Exits 0 at end of input
// (or when stdout is closed); a workspace that cannot be opened is reported as by
// the other verbs (exit 4 when another process holds its writer lock).

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli.h"
#include "app/mcp_server.h"
#include "app/vec_open.h"
#include "urd/workspace.h"

namespace urd::app {
namespace {

struct McpArgs {
  std::string dir;
  int lock_wait_ms = 10000;
};

// Reads one line of stdin without its newline into *line, keeping at most `max`
// bytes of it (the rest of a longer line is read and dropped). False at end of
// input with nothing read.
bool ReadLine(size_t max, std::string* line) {
  line->clear();
  int c;
  bool any = false;
  while ((c = getc_unlocked(stdin)) != EOF) {
    any = true;
    if (c == '\n') return true;
    if (line->size() < max) line->push_back(static_cast<char>(c));
  }
  return any;
}

// False when stdout is gone (the client closed its end).
bool WriteLine(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) return false;
  if (std::fputc('\n', stdout) == EOF) return false;
  return std::fflush(stdout) == 0;
}

int Serve(const McpArgs& a) {
  WorkspaceOptions o;
  o.lock_owner = "urd mcp";
  o.lock_per_write = true;  // other sessions and CLI commands share the workspace
  o.lock_wait = std::chrono::milliseconds(a.lock_wait_ms);
  auto ws = Workspace::Open(a.dir, o);
  if (!ws.ok()) return ReportError(ws.status());
  const WorkspaceStats st = (*ws)->Stats();
  std::fprintf(stderr, "urd mcp: workspace %s, embedder %s, %llu memories; serving MCP on stdio\n",
               a.dir.c_str(), st.embedder.c_str(),
               static_cast<unsigned long long>(st.memory.sem + st.memory.epi + st.memory.pro +
                                               st.memory.inf));
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout is a write error, not a signal
  McpOptions options;
  McpServer server(ws->get(), options);
  // Keep one byte past the limit so that the server sees the line is too long.
  const size_t keep = options.max_line_bytes + 1;
  std::string line;
  while (ReadLine(keep, &line)) {
    for (const std::string& reply : server.HandleLine(line)) {
      if (!WriteLine(reply)) {
        std::fprintf(stderr, "urd mcp: stdout closed; stopping\n");
        return 0;
      }
    }
  }
  return 0;
}

}  // namespace

void AddMcpCommands(CLI::App* app, int* rc) {
  auto a = std::make_shared<McpArgs>();
  a->dir = DefaultWorkspaceDir();
  CLI::App* mcp = app->add_subcommand("mcp", "MCP server on stdio (newline-delimited JSON-RPC)");
  mcp->add_option("--dir", a->dir, "Workspace directory (created when missing)")
      ->capture_default_str();
  mcp->add_option("--lock-wait", a->lock_wait_ms,
                  "Milliseconds a write waits for another process's write to finish")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600000));
  mcp->footer(
      "Speaks the Model Context Protocol (versions 2024-11-05 to 2025-11-25) on stdin/stdout: "
      "tools remember, recall, memory_write, memory_query, memory_history, stats and the nine "
      "knowledge-graph tools of server-memory; resource memory://knowledge-graph. Several "
      "servers may share one workspace (each takes the writer lock per write). stdout "
      "carries protocol messages only; logs go to stderr. Exits 0 at end of input. "
      "See docs/mcp.md for a client configuration.");
  BindVerb(mcp, rc, [a] { return Serve(*a); });
}

}  // namespace urd::app
