// Copyright urd authors. The JSON form of filters (include/urd/filter.h) and of
// values and attributes (vector/value_json.h).
//
// nlohmann::json is used without letting an exception out: text is parsed with
// exceptions disabled, conversions switch on the type before reading a value, and
// the remaining calls that could throw sit inside try/catch.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/utf8.h"
#include "urd/filter.h"
#include "vector/value_json.h"

namespace urd {

namespace {

using nlohmann::json;

Status Invalid(std::string_view path, std::string_view what) {
  std::string msg(path);
  msg += ": ";
  msg += what;
  return Status::InvalidArgument(msg);
}

std::string OutOfRange(std::string_view digits) {
  return "integer " + std::string(digits) + " is out of range for a 64-bit signed integer";
}

std::string Indexed(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

// ---- JSON to Filter ----

constexpr std::string_view kOperators = "and, eq, exists, glob, in, not, or, range";

// Operators whose argument is an object keyed by attribute: each key is one filter.
bool IsPerAttribute(const std::string& op) {
  return op == "eq" || op == "in" || op == "glob" || op == "range";
}

Result<Filter> ParseFilter(const json& j, const std::string& path, int depth, bool top);

Result<Filter::Bound> ParseBound(const std::string& name, const json& b, const std::string& path) {
  if (!b.is_number() && !b.is_string()) {
    return Invalid(path, "bound \"" + name + "\" must be a number or a string");
  }
  URD_ASSIGN_OR_RETURN(Value v, vec::ValueFromJson(b, path + "." + name));
  return Filter::Bound{std::move(v), name.size() == 3};  // gte, lte
}

Result<Filter> ParseRange(const std::string& key, const json& j, const std::string& path) {
  if (!j.is_object()) return Invalid(path, "must be an object of bounds (gt, gte, lt, lte)");
  std::optional<Filter::Bound> lower, upper;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    if (name != "gt" && name != "gte" && name != "lt" && name != "lte") {
      return Invalid(path, "unknown bound \"" + name + "\" (expected gt, gte, lt, lte)");
    }
    URD_ASSIGN_OR_RETURN(Filter::Bound b, ParseBound(name, it.value(), path));
    std::optional<Filter::Bound>& slot = name[0] == 'g' ? lower : upper;
    if (slot) {
      return Invalid(
          path, name[0] == 'g' ? "both \"gt\" and \"gte\" given" : "both \"lt\" and \"lte\" given");
    }
    slot = std::move(b);
  }
  return Filter::Range(key, std::move(lower), std::move(upper));
}

// One attribute's filter of an "eq", "in", "glob" or "range" object.
Result<Filter> ParseLeaf(const std::string& op, const std::string& key, const json& arg,
                         const std::string& path) {
  if (op == "eq") {
    URD_ASSIGN_OR_RETURN(Value v, vec::ValueFromJson(arg, path));
    return Filter::Eq(key, std::move(v));
  }
  if (op == "in") {
    if (!arg.is_array()) return Invalid(path, "must be an array of values");
    std::vector<Value> values;
    values.reserve(arg.size());
    for (size_t i = 0; i < arg.size(); ++i) {
      URD_ASSIGN_OR_RETURN(Value v, vec::ValueFromJson(arg[i], Indexed(path, i)));
      values.push_back(std::move(v));
    }
    return Filter::In(key, std::move(values));
  }
  if (op == "glob") {
    if (!arg.is_string()) return Invalid(path, "pattern must be a string");
    return Filter::Glob(key, arg.get<std::string>());
  }
  return ParseRange(key, arg, path);
}

// Appends the filters of one operator of the object at `path` to `*out`; they sit
// at nesting level `depth`.
Status ParseOperator(const std::string& op, const json& arg, const std::string& path, int depth,
                     std::vector<Filter>* out) {
  const std::string op_path = path + "." + op;
  if (IsPerAttribute(op)) {
    if (!arg.is_object()) {
      return Invalid(op_path, "must be an object mapping attribute keys to " +
                                  std::string(op == "glob"    ? "patterns"
                                              : op == "range" ? "bounds"
                                                              : "values"));
    }
    if (arg.empty()) return Invalid(op_path, "must name at least one attribute");
    for (auto it = arg.begin(); it != arg.end(); ++it) {
      URD_RETURN_IF_ERROR(vec::CheckAttrKey(it.key(), op_path));
      URD_ASSIGN_OR_RETURN(Filter leaf,
                           ParseLeaf(op, it.key(), it.value(), op_path + "." + it.key()));
      // Key, UTF-8, finiteness and bound-kind rules, with the same paths.
      URD_RETURN_IF_ERROR(vec::ValidateFilterAt(leaf, path, depth));
      out->push_back(std::move(leaf));
    }
    return Status::OK();
  }
  if (op == "exists") {
    if (!arg.is_string()) return Invalid(op_path, "must be a string (an attribute key)");
    URD_RETURN_IF_ERROR(vec::CheckAttrKey(arg.get_ref<const std::string&>(), op_path));
    out->push_back(Filter::Exists(arg.get<std::string>()));
    return Status::OK();
  }
  if (op == "not") {
    URD_ASSIGN_OR_RETURN(Filter child, ParseFilter(arg, op_path, depth + 1, false));
    out->push_back(Filter::Not(std::move(child)));
    return Status::OK();
  }
  if (op == "and" || op == "or") {
    if (!arg.is_array()) return Invalid(op_path, "must be an array of filters");
    std::vector<Filter> children;
    children.reserve(arg.size());
    for (size_t i = 0; i < arg.size(); ++i) {
      URD_ASSIGN_OR_RETURN(Filter child,
                           ParseFilter(arg[i], Indexed(op_path, i), depth + 1, false));
      children.push_back(std::move(child));
    }
    out->push_back(op == "and" ? Filter::And(std::move(children))
                               : Filter::Or(std::move(children)));
    return Status::OK();
  }
  return Invalid(path,
                 "unknown operator \"" + op + "\" (expected " + std::string(kOperators) + ")");
}

// The filter of the JSON object `j` at `path`, at nesting level `depth`. An object
// of several filters is their AND (at `depth`), so they sit one level deeper.
Result<Filter> ParseFilter(const json& j, const std::string& path, int depth, bool top) {
  if (depth > Filter::kMaxDepth) {
    return Invalid(path, "nesting deeper than " + std::to_string(Filter::kMaxDepth) + " levels");
  }
  if (!j.is_object()) return Invalid(path, "must be an object, got " + std::string(j.type_name()));
  if (j.empty()) {
    if (top) return Filter();
    return Invalid(path, "empty object (only the whole filter may be {})");
  }
  size_t parts = 0;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const json& arg = it.value();
    parts += IsPerAttribute(it.key()) && arg.is_object() && !arg.empty() ? arg.size() : 1;
  }
  const int part_depth = parts > 1 ? depth + 1 : depth;
  if (part_depth > Filter::kMaxDepth) {
    return Invalid(path, "nesting deeper than " + std::to_string(Filter::kMaxDepth) + " levels");
  }
  std::vector<Filter> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    URD_RETURN_IF_ERROR(ParseOperator(it.key(), it.value(), path, part_depth, &out));
  }
  if (out.size() == 1) return std::move(out[0]);
  return Filter::And(std::move(out));
}

// ---- Filter to JSON ----

json BoundsToJson(const Filter& f) {
  json bounds = json::object();
  if (f.lower()) bounds[f.lower()->inclusive ? "gte" : "gt"] = vec::ValueToJson(f.lower()->value);
  if (f.upper()) bounds[f.upper()->inclusive ? "lte" : "lt"] = vec::ValueToJson(f.upper()->value);
  return bounds;
}

json FilterToJson(const Filter& f, bool top) {
  json out = json::object();
  json keyed = json::object();
  switch (f.op()) {
    case Filter::Op::kAll:
      if (!top) out["and"] = json::array();
      return out;
    case Filter::Op::kEq:
      keyed[f.key()] = f.values().empty() ? json() : vec::ValueToJson(f.values()[0]);
      out["eq"] = std::move(keyed);
      return out;
    case Filter::Op::kIn: {
      json values = json::array();
      for (const Value& v : f.values()) values.push_back(vec::ValueToJson(v));
      keyed[f.key()] = std::move(values);
      out["in"] = std::move(keyed);
      return out;
    }
    case Filter::Op::kGlob:
      keyed[f.key()] = f.pattern();
      out["glob"] = std::move(keyed);
      return out;
    case Filter::Op::kRange:
      keyed[f.key()] = BoundsToJson(f);
      out["range"] = std::move(keyed);
      return out;
    case Filter::Op::kExists:
      out["exists"] = f.key();
      return out;
    case Filter::Op::kNot:
      out["not"] = f.children().empty() ? json::object() : FilterToJson(f.children()[0], false);
      return out;
    case Filter::Op::kAnd:
    case Filter::Op::kOr: {
      json children = json::array();
      for (const Filter& c : f.children()) children.push_back(FilterToJson(c, false));
      out[f.op() == Filter::Op::kAnd ? "and" : "or"] = std::move(children);
      return out;
    }
  }
  return out;
}

}  // namespace

Result<Filter> Filter::FromJson(std::string_view text) {
  try {
    const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      // Parse again, only to get nlohmann's description of the problem, without its
      // "[json.exception.parse_error.101] " prefix.
      const auto describe = [](const json::exception& e) {
        const std::string_view what = e.what();
        const size_t bracket = what.find("] ");
        return std::string(bracket == std::string_view::npos ? what : what.substr(bracket + 2));
      };
      try {
        const json unused = json::parse(text.begin(), text.end());
      } catch (const json::parse_error& e) {
        return Status::InvalidArgument("filter: not valid JSON (" + describe(e) + ")");
      } catch (const json::exception& e) {  // e.g. a number beyond double: 1e400
        return Status::InvalidArgument("filter: " + describe(e));
      }
      return Status::InvalidArgument("filter: not valid JSON");
    }
    URD_ASSIGN_OR_RETURN(Filter f, ParseFilter(j, "filter", 1, true));
    URD_RETURN_IF_ERROR(vec::CheckJsonIntegerLiterals(text, "filter"));
    // The parser checks as it goes; this only guards the contract "result is valid".
    URD_RETURN_IF_ERROR(f.Validate());
    return f;
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("filter: ") + e.what());
  }
}

std::string Filter::ToJson() const {
  try {
    // `replace`: strings that are not UTF-8 (an invalid filter) must not throw.
    return FilterToJson(*this, true).dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::exception&) {
    return "null";  // never parses as a filter, so it can't widen into match-all
  }
}

namespace vec {

Result<Value> ValueFromJson(const json& j, std::string_view path) {
  switch (j.type()) {
    case json::value_t::null:
      return Value::Null();
    case json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (!IsValidUtf8(s)) return Invalid(path, "string is not valid UTF-8");
      return Value::String(s);
    }
    case json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case json::value_t::number_unsigned: {
      const auto u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Invalid(path, OutOfRange(std::to_string(u)));
      }
      return Value::Int(static_cast<int64_t>(u));
    }
    case json::value_t::number_float: {
      const auto d = j.get<double>();
      if (!std::isfinite(d)) return Invalid(path, "number must be finite");
      return Value::Float(d);
    }
    case json::value_t::array: {
      std::vector<std::string> list;
      list.reserve(j.size());
      for (size_t i = 0; i < j.size(); ++i) {
        if (!j[i].is_string()) {
          return Invalid(Indexed(path, i),
                         "list elements must be strings, got " + std::string(j[i].type_name()));
        }
        const auto& s = j[i].get_ref<const std::string&>();
        if (!IsValidUtf8(s)) return Invalid(Indexed(path, i), "string is not valid UTF-8");
        list.push_back(s);
      }
      return Value::List(std::move(list));
    }
    case json::value_t::object:
      return Invalid(path,
                     "an object is not a value (expected null, a bool, a number, a string or "
                     "an array of strings)");
    case json::value_t::binary:
    case json::value_t::discarded:
      break;
  }
  return Invalid(path, "not a value");
}

json ValueToJson(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      return json();
    case Value::Type::kString:
      return json(v.as_string());
    case Value::Type::kInt:
      return json(v.as_int());
    case Value::Type::kFloat:
      return json(v.as_float());
    case Value::Type::kBool:
      return json(v.as_bool());
    case Value::Type::kList: {
      json list = json::array();
      for (const auto& s : v.as_list()) list.push_back(s);
      return list;
    }
  }
  return json();
}

Result<Attrs> AttrsFromJson(const json& j, std::string_view path) {
  if (!j.is_object()) return Invalid(path, "must be an object, got " + std::string(j.type_name()));
  Attrs attrs;
  for (auto it = j.begin(); it != j.end(); ++it) {
    URD_RETURN_IF_ERROR(CheckAttrKey(it.key(), path));
    URD_ASSIGN_OR_RETURN(Value v, ValueFromJson(it.value(), std::string(path) + "." + it.key()));
    attrs.emplace_hint(attrs.end(), it.key(), std::move(v));
  }
  return attrs;
}

json AttrsToJson(const Attrs& attrs) {
  json out = json::object();
  for (const auto& [key, v] : attrs) out[key] = ValueToJson(v);
  return out;
}

Status CheckJsonIntegerLiterals(std::string_view text, std::string_view path) {
  const auto is_number_char = [](char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
  };
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {  // skip a string, escapes included
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      ++i;
      continue;
    }
    if (c != '-' && !(c >= '0' && c <= '9')) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && is_number_char(text[end])) ++end;
    const std::string_view literal = text.substr(i, end - i);
    if (literal.find_first_of(".eE") == std::string_view::npos) {
      int64_t v = 0;
      const auto r = std::from_chars(literal.data(), literal.data() + literal.size(), v);
      if (r.ec == std::errc::result_out_of_range) return Invalid(path, OutOfRange(literal));
    }
    i = end;
  }
  return Status::OK();
}

}  // namespace vec

}  // namespace urd
