// Copyright urd authors. Fuzz target `mcp_line`: McpServer::HandleLine
// (src/app/mcp_server.h) with arbitrary bytes as JSON-RPC lines.
//
// One workspace per process, in a temporary directory (fsync never, the default
// hash embedder), removed at exit; a new McpServer per input (so an input replays
// the same way on its own, apart from what earlier inputs stored in the
// workspace). The input is split on '\n' and every piece is one line.
//
// Asserts, beyond "does not crash": HandleLine never throws, and every line it
// returns is one valid JSON text (no newline in it).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "app/mcp_server.h"
#include "base/clock.h"
#include "fuzz/fuzz_util.h"
#include "urd/workspace.h"

namespace {

constexpr int64_t kNowMicros = 1'713'350'400'000'000;  // 2024-04-17T10:40:00Z

struct Fixture {
  std::string dir;
  std::unique_ptr<urd::Workspace> ws;
  urd::ManualClock clock{kNowMicros};
};

Fixture* fixture = nullptr;

void RemoveFixture() {
  if (fixture == nullptr) return;
  fixture->ws.reset();
  std::error_code ec;
  std::filesystem::remove_all(fixture->dir, ec);
}

Fixture* GetFixture() {
  if (fixture != nullptr) return fixture;
  fixture = new Fixture;
  std::string tmpl = (std::filesystem::temp_directory_path() / "urd_mcp_fuzz_XXXXXX").string();
  URD_FUZZ_CHECK(mkdtemp(tmpl.data()) != nullptr);
  fixture->dir = tmpl;
  urd::WorkspaceOptions o;
  o.fsync = urd::MemoryFsync::kNever;
  auto ws = urd::Workspace::Open(fixture->dir + "/ws", o);
  if (!ws.ok()) std::fprintf(stderr, "mcp_line: %s\n", ws.status().ToString().c_str());
  URD_FUZZ_CHECK(ws.ok());
  fixture->ws = std::move(*ws);
  std::atexit(RemoveFixture);
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture* f = GetFixture();
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  urd::app::McpOptions o;
  o.clock = &f->clock;
  urd::app::McpServer server(f->ws.get(), o);
  for (std::string_view line : urd::fuzz::Split(in, "\n")) {
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
    f->clock.AdvanceMillis(1);
  }
  return 0;
}
