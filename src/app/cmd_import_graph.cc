// Copyright urd authors. `urd import jsonl` of a knowledge-graph file: the
// memory.jsonl of @modelcontextprotocol/server-memory, one {"type": "entity",
// "name", "entityType", "observations"} or {"type": "relation", "from", "to",
// "relationType"} object per line. Every line is checked first (the first bad one
// refuses the file, naming it); then the whole graph is merged into the workspace's
// knowledge graph in one atomic batch (KnowledgeGraph::Merge).

#include "app/import_graph.h"

#include <nlohmann/json.hpp>

#include "app/jsonl_lines.h"
#include "base/utf8.h"

namespace urd::app {

namespace {

using Json = nlohmann::json;

// The string field `key` of line object `j`, or the problem.
std::string StringField(const Json& j, const char* key, std::string* out) {
  auto it = j.find(key);
  if (it == j.end()) return std::string("missing \"") + key + "\"";
  if (!it->is_string()) return std::string("\"") + key + "\" must be a string";
  *out = it->get<std::string>();
  return "";
}

std::string CheckGraphLine(std::string_view raw, KgGraph* graph) {
  Json j = Json::parse(raw, nullptr, false);
  if (j.is_discarded()) return "bad JSON";
  if (!j.is_object()) return "not a JSON object";
  const std::string type = j.value("type", "");
  std::string why;
  if (type == "entity") {
    KgEntity e;
    if (!(why = StringField(j, "name", &e.name)).empty()) return why;
    if (!(why = StringField(j, "entityType", &e.entity_type)).empty()) return why;
    auto obs = j.find("observations");
    if (obs == j.end() || !obs->is_array()) return "\"observations\" must be an array of strings";
    for (const Json& o : *obs) {
      if (!o.is_string()) return "\"observations\" must be an array of strings";
      e.observations.push_back(o.get<std::string>());
    }
    graph->entities.push_back(std::move(e));
    return "";
  }
  if (type == "relation") {
    KgRelation r;
    if (!(why = StringField(j, "from", &r.from)).empty()) return why;
    if (!(why = StringField(j, "to", &r.to)).empty()) return why;
    if (!(why = StringField(j, "relationType", &r.relation_type)).empty()) return why;
    graph->relations.push_back(std::move(r));
    return "";
  }
  return "\"type\" must be \"entity\" or \"relation\" in a knowledge-graph file (line 1 is one)";
}

}  // namespace

bool IsGraphLine(std::string_view line) {
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  auto t = j.find("type");
  return t != j.end() && t->is_string() && (*t == "entity" || *t == "relation");
}

Result<KgGraph> ParseGraphFile(const std::string& name, std::string_view bytes) {
  KgGraph graph;
  URD_RETURN_IF_ERROR(ForEachJsonlLine(bytes, [&](size_t number, std::string_view line) {
    std::string why = IsValidUtf8(line) ? CheckGraphLine(line, &graph) : "not valid UTF-8";
    if (why.empty()) return Status::OK();
    return Status::InvalidArgument(name + " line " + std::to_string(number) + ": " + why +
                                   "; nothing imported");
  }));
  return graph;
}

}  // namespace urd::app
