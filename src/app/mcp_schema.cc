// Copyright urd authors. The JSON Schema subset checker of the MCP tools.

#include "app/mcp_schema.h"

#include <cmath>
#include <cstdio>
#include <string_view>

namespace urd::app {
namespace {

using OJson = nlohmann::ordered_json;

template <typename J>
bool IsIntegral(const J& v) {
  if (v.is_number_integer()) return true;  // signed and unsigned
  if (!v.is_number_float()) return false;
  const double d = v.template get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

template <typename J>
bool HasType(const J& v, std::string_view type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") return IsIntegral(v);
  return false;
}

template <typename J>
std::string TypeName(const J& v) {
  if (v.is_number()) return IsIntegral(v) ? "an integer" : "a number";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  return "null";
}

std::string Number(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

template <typename J>
std::string Check(const OJson& schema, const J& v, const std::string& path);

template <typename J>
std::string CheckType(const OJson& schema, const J& v, const std::string& path) {
  auto it = schema.find("type");
  if (it == schema.end()) return "";
  std::string wanted;
  if (it->is_string()) {
    if (HasType(v, it->template get<std::string>())) return "";
    wanted = it->template get<std::string>();
  } else if (it->is_array()) {
    for (const OJson& t : *it) {
      if (t.is_string() && HasType(v, t.template get<std::string>())) return "";
      if (t.is_string()) wanted += (wanted.empty() ? "" : " or ") + t.template get<std::string>();
    }
  } else {
    return "";
  }
  return path + ": must be of type " + wanted + ", not " + TypeName(v);
}

template <typename J>
std::string CheckEnum(const OJson& schema, const J& v, const std::string& path) {
  auto it = schema.find("enum");
  if (it == schema.end() || !it->is_array()) return "";
  std::string choices;
  for (const OJson& e : *it) {
    if (J(e) == v) return "";
    choices += (choices.empty() ? "" : ", ") + e.dump();
  }
  return path + ": must be one of " + choices;
}

template <typename J>
std::string CheckNumber(const OJson& schema, const J& v, const std::string& path) {
  if (!v.is_number()) return "";
  const double d = v.template get<double>();
  auto min = schema.find("minimum");
  if (min != schema.end() && min->is_number() && !(d >= min->template get<double>())) {
    return path + ": must be at least " + Number(min->template get<double>());
  }
  auto max = schema.find("maximum");
  if (max != schema.end() && max->is_number() && !(d <= max->template get<double>())) {
    return path + ": must be at most " + Number(max->template get<double>());
  }
  return "";
}

// minLength/maxLength (strings) or minItems/maxItems (arrays) against `size`.
std::string CheckSize(const OJson& schema, size_t size, const char* min_key, const char* max_key,
                      const char* unit, const std::string& path) {
  auto min = schema.find(min_key);
  if (min != schema.end() && min->is_number_unsigned() && size < min->get<size_t>()) {
    return path + ": must have at least " + std::to_string(min->get<size_t>()) + " " + unit;
  }
  auto max = schema.find(max_key);
  if (max != schema.end() && max->is_number_unsigned() && size > max->get<size_t>()) {
    return path + ": must have at most " + std::to_string(max->get<size_t>()) + " " + unit;
  }
  return "";
}

template <typename J>
std::string CheckArray(const OJson& schema, const J& v, const std::string& path) {
  std::string err = CheckSize(schema, v.size(), "minItems", "maxItems", "items", path);
  if (!err.empty()) return err;
  auto items = schema.find("items");
  if (items == schema.end()) return "";
  for (size_t i = 0; i < v.size(); ++i) {
    err = Check(*items, v[i], path + "[" + std::to_string(i) + "]");
    if (!err.empty()) return err;
  }
  return "";
}

std::string PropertyNames(const OJson& properties) {
  std::string names;
  for (const auto& [key, value] : properties.items()) {
    names += (names.empty() ? "" : ", ") + key;
  }
  return names.empty() ? "none" : names;
}

template <typename J>
std::string CheckObject(const OJson& schema, const J& v, const std::string& path) {
  static const OJson kEmpty = OJson::object();
  auto props_it = schema.find("properties");
  const OJson& props = props_it != schema.end() && props_it->is_object() ? *props_it : kEmpty;
  auto required = schema.find("required");
  if (required != schema.end() && required->is_array()) {
    for (const OJson& key : *required) {
      if (key.is_string() && !v.contains(key.template get<std::string>())) {
        return path + ": missing required property `" + key.template get<std::string>() + "`";
      }
    }
  }
  auto extra = schema.find("additionalProperties");
  for (const auto& [key, value] : v.items()) {
    auto p = props.find(key);
    std::string err;
    if (p != props.end()) {
      err = Check(*p, value, path + "." + key);
    } else if (extra != schema.end() && extra->is_boolean() && !extra->template get<bool>()) {
      err = path + ": unknown property `" + key + "` (allowed: " + PropertyNames(props) + ")";
    } else if (extra != schema.end() && extra->is_object()) {
      err = Check(*extra, value, path + "." + key);
    }
    if (!err.empty()) return err;
  }
  return "";
}

template <typename J>
std::string Check(const OJson& schema, const J& v, const std::string& path) {
  if (!schema.is_object()) return "";
  std::string err = CheckType(schema, v, path);
  if (err.empty()) err = CheckEnum(schema, v, path);
  if (!err.empty()) return err;
  if (v.is_number()) return CheckNumber(schema, v, path);
  if (v.is_string()) {
    return CheckSize(schema, CodePoints(v.template get_ref<const std::string&>()), "minLength",
                     "maxLength", "characters", path);
  }
  if (v.is_array()) return CheckArray(schema, v, path);
  if (v.is_object()) return CheckObject(schema, v, path);
  return "";
}

}  // namespace

std::string SchemaViolation(const nlohmann::ordered_json& schema, const nlohmann::json& value,
                            const std::string& path) {
  return Check(schema, value, path);
}

std::string SchemaViolation(const nlohmann::ordered_json& schema,
                            const nlohmann::ordered_json& value, const std::string& path) {
  return Check(schema, value, path);
}

}  // namespace urd::app
