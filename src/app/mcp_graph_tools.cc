// Copyright urd authors. The nine knowledge-graph tools of `urd mcp`, with the
// input schemas, result shapes and messages of @modelcontextprotocol/server-memory
// 2026.8.31 (docs/knowledge_graph.md, docs/mcp.md §4), over Workspace::graph().

#include "app/mcp_tools.h"

namespace urd::app {

namespace {

using Json = nlohmann::json;
using OJson = nlohmann::ordered_json;

constexpr char kEntitySchema[] = R"({"type":"object","properties":{
  "name":{"type":"string","description":"The name of the entity"},
  "entityType":{"type":"string","description":"The type of the entity"},
  "observations":{"type":"array","items":{"type":"string"},
    "description":"An array of observation contents associated with the entity"}},
  "required":["name","entityType","observations"]})";

constexpr char kRelationSchema[] = R"({"type":"object","properties":{
  "from":{"type":"string","description":"The name of the entity where the relation starts"},
  "to":{"type":"string","description":"The name of the entity where the relation ends"},
  "relationType":{"type":"string","description":"The type of the relation"}},
  "required":["from","to","relationType"]})";

OJson Parse(const char* text) { return OJson::parse(text); }

OJson ObjectOf(std::initializer_list<std::pair<const char*, OJson>> props) {
  OJson s = {{"type", "object"}, {"properties", OJson::object()}, {"required", OJson::array()}};
  for (const auto& [name, schema] : props) {
    s["properties"][name] = schema;
    s["required"].push_back(name);
  }
  return s;
}

OJson ArrayOf(OJson items, const char* description = nullptr) {
  OJson s = {{"type", "array"}, {"items", std::move(items)}};
  if (description != nullptr) s["description"] = description;
  return s;
}

OJson StringSchema(const char* description) {
  return {{"type", "string"}, {"description", description}};
}

OJson GraphSchema() {
  return ObjectOf({{"entities", ArrayOf(Parse(kEntitySchema))},
                   {"relations", ArrayOf(Parse(kRelationSchema))}});
}

OJson SuccessSchema() {
  return ObjectOf({{"success", {{"type", "boolean"}}}, {"message", {{"type", "string"}}}});
}

OJson EntityJson(const KgEntity& e) {
  return {{"name", e.name}, {"entityType", e.entity_type}, {"observations", e.observations}};
}

OJson RelationJson(const KgRelation& r) {
  return {{"from", r.from}, {"to", r.to}, {"relationType", r.relation_type}};
}

OJson EntitiesJson(const std::vector<KgEntity>& es) {
  OJson a = OJson::array();
  for (const KgEntity& e : es) a.push_back(EntityJson(e));
  return a;
}

OJson RelationsJson(const std::vector<KgRelation>& rs) {
  OJson a = OJson::array();
  for (const KgRelation& r : rs) a.push_back(RelationJson(r));
  return a;
}

// The text rendering is JSON.stringify(value, null, 2), as server-memory writes it.
McpToolOutput Output(OJson structured, const OJson& shown) {
  return {std::move(structured), shown.dump(2, ' ', false, OJson::error_handler_t::replace)};
}

McpToolOutput GraphOutput(const KgGraph& g) {
  OJson j = {{"entities", EntitiesJson(g.entities)}, {"relations", RelationsJson(g.relations)}};
  return Output(j, j);
}

McpToolOutput Success(const std::string& message) {
  return {{{"success", true}, {"message", message}}, message};
}

std::vector<KgEntity> EntitiesFrom(const Json& a) {
  std::vector<KgEntity> out;
  for (const Json& e : a) {
    out.push_back({e.at("name").get<std::string>(), e.at("entityType").get<std::string>(),
                   e.at("observations").get<std::vector<std::string>>()});
  }
  return out;
}

std::vector<KgRelation> RelationsFrom(const Json& a) {
  std::vector<KgRelation> out;
  for (const Json& r : a) {
    out.push_back({r.at("from").get<std::string>(), r.at("to").get<std::string>(),
                   r.at("relationType").get<std::string>()});
  }
  return out;
}

std::vector<KgObservations> ObservationsFrom(const Json& a, const char* list) {
  std::vector<KgObservations> out;
  for (const Json& o : a) {
    out.push_back({o.at("entityName").get<std::string>(), o.at(list).get<std::vector<std::string>>()});
  }
  return out;
}

McpTool GraphTool(const char* name, const char* title, const char* description, OJson input,
                  OJson output) {
  McpTool t;
  t.name = name;
  t.title = title;
  t.description = description;
  t.input_schema = std::move(input);
  t.output_schema = std::move(output);
  t.changes_graph = true;
  return t;
}

McpTool ReadTool(const char* name, const char* title, const char* description, OJson input) {
  McpTool t = GraphTool(name, title, description, std::move(input), GraphSchema());
  t.read_only = true;
  t.idempotent = true;
  t.changes_graph = false;
  return t;
}

McpTool DeleteTool(const char* name, const char* title, const char* description, OJson input) {
  McpTool t = GraphTool(name, title, description, std::move(input), SuccessSchema());
  t.destructive = true;
  t.idempotent = true;
  return t;
}

void AddWriteTools(std::vector<McpTool>* tools) {
  tools->push_back(GraphTool("create_entities", "Create Entities",
                             "Create multiple new entities in the knowledge graph",
                             ObjectOf({{"entities", ArrayOf(Parse(kEntitySchema))}}),
                             ObjectOf({{"entities", ArrayOf(Parse(kEntitySchema))}})));
  tools->back().call = [](Workspace* ws, Clock* clock, const Json& a) -> Result<McpToolOutput> {
    KnowledgeGraph* g = ws->graph();
    URD_ASSIGN_OR_RETURN(auto created, g->CreateEntities(EntitiesFrom(a.at("entities")),
                                                         clock->NowMillis()));
    OJson list = EntitiesJson(created);
    return Output({{"entities", list}}, list);
  };
  tools->push_back(GraphTool(
      "create_relations", "Create Relations",
      "Create multiple new relations between entities in the knowledge graph. Relations "
      "should be in active voice",
      ObjectOf({{"relations", ArrayOf(Parse(kRelationSchema))}}),
      ObjectOf({{"relations", ArrayOf(Parse(kRelationSchema))}})));
  tools->back().call = [](Workspace* ws, Clock* clock, const Json& a) -> Result<McpToolOutput> {
    KnowledgeGraph* g = ws->graph();
    URD_ASSIGN_OR_RETURN(auto created, g->CreateRelations(RelationsFrom(a.at("relations")),
                                                          clock->NowMillis()));
    OJson list = RelationsJson(created);
    return Output({{"relations", list}}, list);
  };
  OJson addition = ObjectOf(
      {{"entityName", StringSchema("The name of the entity to add the observations to")},
       {"contents", ArrayOf({{"type", "string"}}, "An array of observation contents to add")}});
  OJson added = ObjectOf({{"entityName", {{"type", "string"}}},
                          {"addedObservations", ArrayOf({{"type", "string"}})}});
  tools->push_back(GraphTool("add_observations", "Add Observations",
                             "Add new observations to existing entities in the knowledge graph",
                             ObjectOf({{"observations", ArrayOf(addition)}}),
                             ObjectOf({{"results", ArrayOf(added)}})));
  tools->back().call = [](Workspace* ws, Clock* clock, const Json& a) -> Result<McpToolOutput> {
    KnowledgeGraph* g = ws->graph();
    URD_ASSIGN_OR_RETURN(auto results,
                         g->AddObservations(ObservationsFrom(a.at("observations"), "contents"),
                                            clock->NowMillis()));
    OJson list = OJson::array();
    for (const KgObservations& r : results) {
      list.push_back({{"entityName", r.entity_name}, {"addedObservations", r.observations}});
    }
    return Output({{"results", list}}, list);
  };
}

void AddDeleteTools(std::vector<McpTool>* tools) {
  tools->push_back(DeleteTool(
      "delete_entities", "Delete Entities",
      "Delete multiple entities and their associated relations from the knowledge graph",
      ObjectOf({{"entityNames", ArrayOf({{"type", "string"}}, "An array of entity names to delete")}})));
  tools->back().call = [](Workspace* ws, Clock* clock, const Json& a) -> Result<McpToolOutput> {
    KnowledgeGraph* g = ws->graph();
    URD_RETURN_IF_ERROR(g->DeleteEntities(a.at("entityNames").get<std::vector<std::string>>(),
                                          clock->NowMillis()));
    return Success("Entities deleted successfully");
  };
  OJson deletion = ObjectOf(
      {{"entityName", StringSchema("The name of the entity containing the observations")},
       {"observations", ArrayOf({{"type", "string"}}, "An array of observations to delete")}});
  tools->push_back(DeleteTool("delete_observations", "Delete Observations",
                              "Delete specific observations from entities in the knowledge graph",
                              ObjectOf({{"deletions", ArrayOf(deletion)}})));
  tools->back().call = [](Workspace* ws, Clock* clock, const Json& a) -> Result<McpToolOutput> {
    KnowledgeGraph* g = ws->graph();
    URD_RETURN_IF_ERROR(g->DeleteObservations(ObservationsFrom(a.at("deletions"), "observations"),
                                              clock->NowMillis()));
    return Success("Observations deleted successfully");
  };
  tools->push_back(DeleteTool(
      "delete_relations", "Delete Relations", "Delete multiple relations from the knowledge graph",
      ObjectOf({{"relations", ArrayOf(Parse(kRelationSchema), "An array of relations to delete")}})));
  tools->back().call = [](Workspace* ws, Clock* clock, const Json& a) -> Result<McpToolOutput> {
    KnowledgeGraph* g = ws->graph();
    URD_RETURN_IF_ERROR(g->DeleteRelations(RelationsFrom(a.at("relations")), clock->NowMillis()));
    return Success("Relations deleted successfully");
  };
}

void AddReadTools(std::vector<McpTool>* tools) {
  tools->push_back(ReadTool("read_graph", "Read Graph", "Read the entire knowledge graph",
                            {{"type", "object"}, {"properties", OJson::object()}}));
  tools->back().call = [](Workspace* ws, Clock*, const Json&) -> Result<McpToolOutput> {
    KnowledgeGraph* g = ws->graph();
    URD_ASSIGN_OR_RETURN(KgGraph graph, g->Read());
    return GraphOutput(graph);
  };
  OJson search = ObjectOf({{"query", StringSchema("The search query to match against entity "
                                                  "names, types, and observation content")}});
  search["properties"]["mode"] = {
      {"type", "string"},
      {"enum", {"substring", "semantic"}},
      {"description",
       "substring (default): case-insensitive substring match; semantic: the entities whose "
       "names and observations are nearest in meaning, best first (urd extension)"}};
  search["properties"]["k"] = {{"type", "integer"},
                               {"minimum", 1},
                               {"maximum", 100},
                               {"description", "semantic mode: at most this many entities (10)"}};
  tools->push_back(ReadTool("search_nodes", "Search Nodes",
                            "Search for nodes in the knowledge graph based on a query", search));
  tools->back().call = [](Workspace* ws, Clock*, const Json& a) -> Result<McpToolOutput> {
    KnowledgeGraph* g = ws->graph();
    const std::string query = a.at("query").get<std::string>();
    Result<KgGraph> graph = a.value("mode", "substring") == "semantic"
                                ? g->SearchSemantic(query, a.value("k", 10))
                                : g->Search(query);
    if (!graph.ok()) return graph.status();
    return GraphOutput(*graph);
  };
  tools->push_back(ReadTool(
      "open_nodes", "Open Nodes", "Open specific nodes in the knowledge graph by their names",
      ObjectOf({{"names", ArrayOf({{"type", "string"}}, "An array of entity names to retrieve")}})));
  tools->back().call = [](Workspace* ws, Clock*, const Json& a) -> Result<McpToolOutput> {
    KnowledgeGraph* g = ws->graph();
    URD_ASSIGN_OR_RETURN(KgGraph graph,
                         g->OpenNodes(a.at("names").get<std::vector<std::string>>()));
    return GraphOutput(graph);
  };
}

}  // namespace

std::vector<McpTool> GraphTools() {
  std::vector<McpTool> tools;
  AddWriteTools(&tools);
  AddDeleteTools(&tools);
  AddReadTools(&tools);
  return tools;
}

std::string GraphJsonText(const KgGraph& g) { return GraphOutput(g).text; }

}  // namespace urd::app
