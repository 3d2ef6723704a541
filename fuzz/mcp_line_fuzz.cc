// Copyright urd authors. Fuzz target `mcp_line`: McpServer::HandleLine
// (src/app/mcp_server.h) with arbitrary bytes as JSON-RPC lines.
//
// Every input gets a new workspace in a new in-memory Env (WorkspaceOptions::env:
// no file system, fsync never, the default hash embedder) and a new McpServer, so
// an input replays exactly the same way on its own. The input is split on '\n'
// and every piece is one line; at most kMaxLines lines are handled.
//
// Asserts, beyond "does not crash": HandleLine never throws, and every line it
// returns is one valid JSON text (no newline in it).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "app/mcp_server.h"
#include "base/clock.h"
#include "fuzz/fuzz_util.h"
#include "urd/env.h"
#include "urd/workspace.h"

namespace {

constexpr int64_t kNowMicros = 1'713'350'400'000'000;  // 2024-04-17T10:40:00Z
constexpr size_t kMaxLines = 32;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::unique_ptr<urd::Env> env = urd::NewMemEnv();
  urd::WorkspaceOptions wo;
  wo.env = env.get();
  wo.fsync = urd::MemoryFsync::kNever;
  auto ws = urd::Workspace::Open("/ws", wo);
  if (!ws.ok()) std::fprintf(stderr, "mcp_line: %s\n", ws.status().ToString().c_str());
  URD_FUZZ_CHECK(ws.ok());
  urd::ManualClock clock{kNowMicros};
  urd::app::McpOptions o;
  o.clock = &clock;
  urd::app::McpServer server(ws->get(), o);
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t lines = 0;
  for (std::string_view line : urd::fuzz::Split(in, "\n")) {
    if (++lines > kMaxLines) break;
    std::vector<std::string> out;
    bool threw = false;
    try {
      out = server.HandleLine(line);
    } catch (...) {
      threw = true;
    }
    URD_FUZZ_CHECK(!threw);
    for (const std::string& reply : out) {
      URD_FUZZ_CHECK(reply.find('\n') == std::string::npos);
      URD_FUZZ_CHECK(nlohmann::json::accept(reply));
    }
    clock.AdvanceMillis(1);
  }
  return 0;
}
