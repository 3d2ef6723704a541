// Copyright urd authors.

#include "urd/value.h"

namespace urd {

std::string_view Value::TypeName(Type t) {
  switch (t) {
    case Type::kNull:
      return "null";
    case Type::kString:
      return "string";
    case Type::kInt:
      return "int";
    case Type::kFloat:
      return "float";
    case Type::kBool:
      return "bool";
    case Type::kList:
      return "list";
  }
  return "unknown";
}

}  // namespace urd
