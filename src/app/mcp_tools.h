// Copyright urd authors. The tools of `urd mcp` (docs/mcp.md): what each one is
// called, its input and output JSON Schemas, and the function that runs it against
// a Workspace. McpServer (mcp_server.h) lists them, checks arguments against the
// input schema (mcp_schema.h) and wraps what a tool returns into a tools/call
// result. More tool groups (the knowledge-graph tools) are added as more functions
// returning std::vector<McpTool>.
//
// Thread-safety: a tool's `call` touches the Workspace, which is thread-safe; the
// tools themselves hold no state.

#ifndef URD_APP_MCP_TOOLS_H_
#define URD_APP_MCP_TOOLS_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/clock.h"
#include "urd/result.h"
#include "urd/workspace.h"

namespace urd::app {

// What a successful tool call produced.
struct McpToolOutput {
  nlohmann::ordered_json structured;  // an object conforming to the output schema
  std::string text;                   // the same, rendered for a reader (a model)
};

struct McpTool {
  std::string name;   // [a-z_]+, unique
  std::string title;  // for people
  std::string description;
  nlohmann::ordered_json input_schema;   // an object schema, additionalProperties false
  nlohmann::ordered_json output_schema;  // an object schema
  bool read_only = false;                // annotations (2025-03-26 and later)
  bool idempotent = false;
  bool destructive = false;
  // A successful call may have changed the knowledge graph: subscribers of
  // memory://knowledge-graph are notified (notifications/resources/updated).
  bool changes_graph = false;
  // Runs the tool on `ws`, with `clock` as the commit clock, on arguments that
  // already conform to input_schema. An error Status (bad input the schema cannot
  // express, not found, a store failure) becomes a tool result with isError true
  // and the status message. Tools keep no state: one table serves every server.
  std::function<Result<McpToolOutput>(Workspace* ws, Clock* clock,
                                      const nlohmann::json& arguments)>
      call;
};

// remember, recall, memory_write, memory_query, memory_history, stats.
std::vector<McpTool> WorkspaceTools();

// The nine knowledge-graph tools of @modelcontextprotocol/server-memory
// (create_entities … open_nodes) over ws->graph() (mcp_graph_tools.cc).
std::vector<McpTool> GraphTools();

// WorkspaceTools() followed by GraphTools(), built once per process (the schemas
// are parsed the first time) and never changed; safe to call from any thread.
const std::vector<McpTool>& AllTools();

// The graph as server-memory renders it: JSON.stringify(graph, null, 2).
std::string GraphJsonText(const KgGraph& g);

// `ms` as a full ISO-8601 UTC instant, "YYYY-MM-DDTHH:MM:SS[.mmm]Z".
std::string IsoTime(uint64_t ms);

}  // namespace urd::app

#endif  // URD_APP_MCP_TOOLS_H_
