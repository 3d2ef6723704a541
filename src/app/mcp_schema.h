// Copyright urd authors. Checking a JSON value against the JSON Schema subset that
// the MCP tools of `urd mcp` use for their inputSchema and outputSchema.
//
// Thread-safety: pure functions.
//
// Keywords understood (JSON Schema 2020-12 meaning):
//   type                  "object" | "array" | "string" | "integer" | "number" |
//                         "boolean" | "null", or an array of them (any one matches);
//                         "integer" accepts any number with no fractional part
//   properties, required  per-key schemas; keys that must be present
//   additionalProperties  false (unknown keys rejected) or a schema for them
//   items                 the schema of every array element
//   enum                  the value equals one of the listed values
//   minimum, maximum      inclusive numeric bounds
//   minLength, maxLength  string length in Unicode code points
//   minItems, maxItems    array length
// Every other keyword (description, title, default, format, $schema …) is an
// annotation and is not checked. A schema that is not an object accepts anything.

#ifndef URD_APP_MCP_SCHEMA_H_
#define URD_APP_MCP_SCHEMA_H_

#include <nlohmann/json.hpp>
#include <string>

namespace urd::app {

// Empty when `value` conforms to `schema`; otherwise one readable message naming the
// first violation and where it is, e.g. "arguments.k: must be at most 100" or
// "arguments: unknown property `color`". `path` names `value` in the message.
// Recursive in the nesting depth of `schema` (not of `value`).
std::string SchemaViolation(const nlohmann::ordered_json& schema, const nlohmann::json& value,
                            const std::string& path = "arguments");

// The same for a value built by the server (outputs, in tests).
std::string SchemaViolation(const nlohmann::ordered_json& schema,
                            const nlohmann::ordered_json& value,
                            const std::string& path = "result");

}  // namespace urd::app

#endif  // URD_APP_MCP_SCHEMA_H_
