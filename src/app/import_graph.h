// Copyright urd authors. Reading the knowledge-graph file of
// @modelcontextprotocol/server-memory (memory.jsonl) for `urd import jsonl`.
//
// Thread-safety: pure functions.

#ifndef URD_APP_IMPORT_GRAPH_H_
#define URD_APP_IMPORT_GRAPH_H_

#include <string>
#include <string_view>

#include "urd/knowledge_graph.h"
#include "urd/result.h"

namespace urd::app {

// Whether `line` is a knowledge-graph line: a JSON object whose "type" is
// "entity" or "relation".
bool IsGraphLine(std::string_view line);

// Parses every line of `bytes` (the file `name`; blank lines skipped, a UTF-8 BOM
// and CR line ends accepted) into a graph, in file order. InvalidArgument naming
// the first bad line ("<name> line N: <why>; nothing imported").
Result<KgGraph> ParseGraphFile(const std::string& name, std::string_view bytes);

}  // namespace urd::app

#endif  // URD_APP_IMPORT_GRAPH_H_
