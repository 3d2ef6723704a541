// Copyright urd authors. Values, Attrs and filter checks in their JSON form: shared
// by Filter::FromJson/ToJson, the CLI and the MCP server.
//
// Thread-safety: pure functions.
//
// JSON to Value: null is Null; true/false Bool; a string String; an integer number
// (nlohmann's number_integer / number_unsigned, i.e. a literal with no fraction or
// exponent) Int, InvalidArgument if above INT64_MAX; any other number Float; an
// array of strings List. Objects, arrays holding anything but strings, and (in a
// hand-built json) non-finite floats or strings that are not UTF-8 are
// InvalidArgument. Errors read "<path>: <what is wrong>", the path naming the
// value, e.g. `attrs.tags[2]: list elements must be strings, got number`.
//
// One gap of the DOM: nlohmann parses an integer literal beyond 64 bits (e.g.
// 1e30 written out in digits) as a float, which ValueFromJson cannot tell from a
// float literal. Callers that start from text call CheckJsonIntegerLiterals() too.

#ifndef URD_VECTOR_VALUE_JSON_H_
#define URD_VECTOR_VALUE_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "urd/filter.h"
#include "urd/result.h"
#include "urd/value.h"

namespace urd::vec {

// Converts one JSON value (rules above). `path` names it in error messages.
Result<Value> ValueFromJson(const nlohmann::json& j, std::string_view path);

// The JSON form of a value: Float as a JSON float (nlohmann prints an integral one
// as `1.0`, so it reads back as a Float), List as an array of strings. A NaN or
// infinite Float becomes null (such values are rejected on write).
nlohmann::json ValueToJson(const Value& v);

// Converts a JSON object of attributes. InvalidArgument unless `j` is an object
// whose keys are 1..256 bytes and whose values convert; messages as above, the
// path of a value being `<path>.<key>`.
Result<Attrs> AttrsFromJson(const nlohmann::json& j, std::string_view path);

// The JSON object of `attrs` (values as ValueToJson).
nlohmann::json AttrsToJson(const Attrs& attrs);

// Scans JSON text (REQUIRES: valid JSON) for integer literals (no fraction, no
// exponent) outside int64. InvalidArgument "<path>: integer <digits> is out of
// range for a 64-bit signed integer" for the first one; OK if none.
Status CheckJsonIntegerLiterals(std::string_view json_text, std::string_view path);

// InvalidArgument "<path>: ..." unless `key` is 1..256 bytes of valid UTF-8.
Status CheckAttrKey(std::string_view key, std::string_view path);

// Filter::Validate() for a filter found at `path` (the whole filter: "filter") and
// nesting level `depth` (the whole filter: 1). The path of a leaf's problem is
// `<path>.<op>.<key>` as in the JSON form, e.g. `filter.and[1].range.n`.
Status ValidateFilterAt(const Filter& f, const std::string& path, int depth);

}  // namespace urd::vec

#endif  // URD_VECTOR_VALUE_JSON_H_
