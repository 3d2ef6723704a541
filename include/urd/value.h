// Copyright urd authors. Value and Attrs: the typed attributes of a vector record.
//
// Thread-safety: value types; distinct objects may be used from different threads.
//
// A Value is one of: null, string, int64, float64, bool, list of strings. Null is
// distinct from an absent key. Equality is by type and value: Int(1) != Float(1.0);
// lists compare element by element, order-sensitive. Floats compare with ==, so
// NaN never equals anything (NaN values are rejected on write anyway).

#ifndef URD_VALUE_H_
#define URD_VALUE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace urd {

class Value {
 public:
  enum class Type : uint8_t { kNull = 0, kString = 1, kInt = 2, kFloat = 3, kBool = 4, kList = 5 };

  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value String(std::string s) { return Value(std::in_place_type<std::string>, std::move(s)); }
  static Value Int(int64_t v) { return Value(std::in_place_type<int64_t>, v); }
  static Value Float(double v) { return Value(std::in_place_type<double>, v); }
  static Value Bool(bool v) { return Value(std::in_place_type<bool>, v); }
  static Value List(std::vector<std::string> v) {
    return Value(std::in_place_type<std::vector<std::string>>, std::move(v));
  }

  Type type() const { return static_cast<Type>(rep_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_string() const { return type() == Type::kString; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_float() const { return type() == Type::kFloat; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_list() const { return type() == Type::kList; }
  bool is_number() const { return is_int() || is_float(); }

  // REQUIRES: the matching type.
  const std::string& as_string() const { return std::get<std::string>(rep_); }
  int64_t as_int() const { return std::get<int64_t>(rep_); }
  double as_float() const { return std::get<double>(rep_); }
  bool as_bool() const { return std::get<bool>(rep_); }
  const std::vector<std::string>& as_list() const { return std::get<std::vector<std::string>>(rep_); }
  // The numeric value of an int or float. REQUIRES: is_number(). Rounds ints
  // beyond 2^53; Filter's Range compares ints and floats exactly instead.
  double as_number() const { return is_int() ? static_cast<double>(as_int()) : as_float(); }

  friend bool operator==(const Value& a, const Value& b) { return a.rep_ == b.rep_; }

  // A total order used for sorting and index keys: by type, then by value.
  friend bool operator<(const Value& a, const Value& b) { return a.rep_ < b.rep_; }

  // "null", "string", "int", "float", "bool", "list".
  static std::string_view TypeName(Type t);

 private:
  using Rep = std::variant<std::monostate, std::string, int64_t, double, bool,
                           std::vector<std::string>>;
  // Constructs the alternative in place: moving a temporary variant instead trips
  // GCC 12's -Wmaybe-uninitialized under the sanitizers.
  template <typename T, typename Arg>
  Value(std::in_place_type_t<T> type, Arg&& arg) : rep_(type, std::forward<Arg>(arg)) {}
  Rep rep_;
};

// Attributes of a record, ordered by key (byte order).
using Attrs = std::map<std::string, Value>;

}  // namespace urd

#endif  // URD_VALUE_H_
