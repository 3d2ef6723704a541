// Copyright urd authors. McpServer: the Model Context Protocol server behind
// `urd mcp` (docs/mcp.md), independent of its transport. The stdio transport
// (cmd_mcp.cc) feeds it one line at a time and writes back the lines it returns.
//
// Protocol: JSON-RPC 2.0, one message per line. Protocol versions 2024-11-05,
// 2025-03-26, 2025-06-18 and 2025-11-25: `initialize` answers the client's version
// when it is one of these, else the newest. Methods: initialize, ping, tools/list,
// tools/call, resources/list, resources/templates/list, resources/read,
// resources/subscribe, resources/unsubscribe (one resource, memory://knowledge-graph;
// another uri: -32002); notifications/initialized and notifications/cancelled are
// accepted. After a knowledge-graph tool succeeds, a client subscribed to the graph
// gets notifications/resources/updated, on the line before the tool's response.
// Every tools/call and resources/read first catches up with what other processes
// sharing the workspace committed (Workspace::Refresh).
// The tools are those of mcp_tools.h.
//
// Errors (JSON-RPC codes): a line that is not JSON: -32700 (id null); a message
// that is not a request object (not an object, jsonrpc not "2.0", id neither a
// string nor an integer, no method, params neither object nor array), a line over
// McpOptions::max_line_bytes or nested deeper than max_depth, a batch where the
// negotiated version has none: -32600; an unknown method: -32601; bad params of a
// known method (not an object, a missing or mistyped field, an unknown tool):
// -32602; an exception inside the server: -32603. Arguments that fail a tool's
// input schema and tools that fail are tool results with isError true.
// Notifications never get a response, whatever they contain.
//
// Requests before `initialize` are answered as if the newest version had been
// negotiated (the specification tells clients not to send them, and names no error
// for a server to return).
//
// Thread-safety: not thread-safe; one transport thread calls HandleLine. The
// Workspace may be shared with other threads (it is thread-safe).

#ifndef URD_APP_MCP_SERVER_H_
#define URD_APP_MCP_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "urd/workspace.h"

namespace urd::app {

struct McpOptions {
  // The commit clock of `remember` and `memory_write`. Default (null): SystemClock().
  // Not owned; must outlive the server.
  Clock* clock = nullptr;
  // Longer lines are answered with -32600 without being parsed. Default 4 MiB.
  size_t max_line_bytes = size_t{4} << 20;
  // Arrays and objects nested deeper than this: -32600, not parsed. Default 64.
  int max_depth = 64;
};

class McpServer {
 public:
  // REQUIRES: `ws` is open and outlives the server.
  McpServer(Workspace* ws, McpOptions options);
  ~McpServer();
  McpServer(const McpServer&) = delete;
  McpServer& operator=(const McpServer&) = delete;

  // Handles one line (one JSON-RPC message or batch, without its newline) and
  // returns the lines to write back, each one JSON text without a newline: none
  // for a notification, a response, or a blank line; one response (or one batch
  // response array) otherwise. Never throws; never returns text that is not JSON.
  std::vector<std::string> HandleLine(std::string_view line);

  // The negotiated protocol version; empty before `initialize`.
  const std::string& protocol_version() const;
  // Whether notifications/initialized arrived after the last `initialize`.
  bool client_initialized() const;

  // The versions `initialize` accepts, oldest first; the last is the newest.
  static const std::vector<std::string>& SupportedVersions();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace urd::app

#endif  // URD_APP_MCP_SERVER_H_
