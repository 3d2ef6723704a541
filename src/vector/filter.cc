// Copyright urd authors. Filter: factories, evaluation, validation, equality.
// The JSON form is in filter_json.cc, glob matching in glob.cc.

#include "urd/filter.h"

#include <algorithm>
#include <cmath>
#include <compare>
#include <cstdint>
#include <utility>

#include "base/utf8.h"
#include "vector/attr_codec.h"
#include "vector/value_json.h"

namespace urd {

namespace {

// Exact three-way comparison of an int64 with a double (no rounding of either).
std::partial_ordering CompareIntDouble(int64_t i, double d) {
  if (std::isnan(d)) return std::partial_ordering::unordered;
  constexpr double kTwo63 = 9223372036854775808.0;  // 2^63, exact as a double
  if (d >= kTwo63) return std::partial_ordering::less;
  if (d < -kTwo63) return std::partial_ordering::greater;
  // Now -2^63 <= d < 2^63: its integral part fits an int64 exactly, and the
  // fractional part is computed exactly by modf.
  double whole = 0;
  const double frac = std::modf(d, &whole);
  const auto w = static_cast<int64_t>(whole);
  if (i != w) return i < w ? std::partial_ordering::less : std::partial_ordering::greater;
  if (frac > 0) return std::partial_ordering::less;
  if (frac < 0) return std::partial_ordering::greater;
  return std::partial_ordering::equivalent;
}

// Numeric comparison of two numbers, or byte-order comparison of two strings.
// REQUIRES: both numbers or both strings.
std::partial_ordering CompareValues(const Value& a, const Value& b) {
  if (a.is_string()) {
    return std::string_view(a.as_string()) <=> std::string_view(b.as_string());
  }
  if (a.is_int() && b.is_int()) return a.as_int() <=> b.as_int();
  if (a.is_float() && b.is_float()) return a.as_float() <=> b.as_float();
  if (a.is_int()) return CompareIntDouble(a.as_int(), b.as_float());
  return 0 <=> CompareIntDouble(b.as_int(), a.as_float());
}

enum class BoundKind { kInvalid, kNumber, kString };

BoundKind KindOf(const Value& v) {
  if (v.is_number()) return BoundKind::kNumber;
  if (v.is_string()) return BoundKind::kString;
  return BoundKind::kInvalid;
}

// The kind of a Range's bounds, kInvalid unless they are present and agree.
BoundKind RangeKind(const std::optional<Filter::Bound>& lower,
                    const std::optional<Filter::Bound>& upper) {
  if (lower && upper) {
    const BoundKind k = KindOf(lower->value);
    return k == KindOf(upper->value) ? k : BoundKind::kInvalid;
  }
  if (lower) return KindOf(lower->value);
  if (upper) return KindOf(upper->value);
  return BoundKind::kInvalid;
}

bool InRange(const Value& v, const std::optional<Filter::Bound>& lower,
             const std::optional<Filter::Bound>& upper) {
  const BoundKind kind = RangeKind(lower, upper);
  if (kind == BoundKind::kInvalid || KindOf(v) != kind) return false;
  if (lower) {
    const std::partial_ordering c = CompareValues(v, lower->value);
    if (!(c > 0 || (lower->inclusive && c == 0))) return false;
  }
  if (upper) {
    const std::partial_ordering c = CompareValues(v, upper->value);
    if (!(c < 0 || (upper->inclusive && c == 0))) return false;
  }
  return true;
}

bool BoundsEqual(const std::optional<Filter::Bound>& a, const std::optional<Filter::Bound>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->inclusive == b->inclusive && a->value == b->value);
}

std::string_view OpName(Filter::Op op) {
  switch (op) {
    case Filter::Op::kAll:
      return "all";
    case Filter::Op::kEq:
      return "eq";
    case Filter::Op::kIn:
      return "in";
    case Filter::Op::kGlob:
      return "glob";
    case Filter::Op::kRange:
      return "range";
    case Filter::Op::kExists:
      return "exists";
    case Filter::Op::kNot:
      return "not";
    case Filter::Op::kAnd:
      return "and";
    case Filter::Op::kOr:
      return "or";
  }
  return "unknown";
}

Status Invalid(std::string_view path, std::string_view what) {
  std::string msg(path);
  msg += ": ";
  msg += what;
  return Status::InvalidArgument(msg);
}

// A value compared against attributes: finite floats, valid UTF-8 strings.
Status CheckValue(const Value& v, const std::string& path) {
  if (v.is_float() && !std::isfinite(v.as_float())) return Invalid(path, "number must be finite");
  if (v.is_string() && !IsValidUtf8(v.as_string())) {
    return Invalid(path, "string is not valid UTF-8");
  }
  if (v.is_list()) {
    for (size_t i = 0; i < v.as_list().size(); ++i) {
      if (!IsValidUtf8(v.as_list()[i])) {
        return Invalid(path + "[" + std::to_string(i) + "]", "string is not valid UTF-8");
      }
    }
  }
  return Status::OK();
}

Status CheckBound(const Filter::Bound& b, std::string_view name, const std::string& path) {
  const std::string quoted = "bound \"" + std::string(name) + "\"";
  if (KindOf(b.value) == BoundKind::kInvalid) {
    return Invalid(path, quoted + " must be a number or a string");
  }
  return CheckValue(b.value, path + "." + std::string(name));
}

Status CheckRange(const Filter& f, const std::string& path) {
  if (!f.lower() && !f.upper()) return Invalid(path, "needs at least one bound (gt, gte, lt, lte)");
  if (f.lower())
    URD_RETURN_IF_ERROR(CheckBound(*f.lower(), f.lower()->inclusive ? "gte" : "gt", path));
  if (f.upper())
    URD_RETURN_IF_ERROR(CheckBound(*f.upper(), f.upper()->inclusive ? "lte" : "lt", path));
  if (RangeKind(f.lower(), f.upper()) == BoundKind::kInvalid) {
    return Invalid(path, "bounds must both be numbers or both be strings");
  }
  return Status::OK();
}

// Eq, In, Glob and Range: the key, then the operand.
Status ValidateLeaf(const Filter& f, const std::string& op_path) {
  URD_RETURN_IF_ERROR(vec::CheckAttrKey(f.key(), op_path));
  const std::string path = op_path + "." + f.key();
  switch (f.op()) {
    case Filter::Op::kEq:
      if (f.values().size() != 1) return Invalid(path, "eq needs exactly one value");
      return CheckValue(f.values()[0], path);
    case Filter::Op::kIn:
      for (size_t i = 0; i < f.values().size(); ++i) {
        URD_RETURN_IF_ERROR(CheckValue(f.values()[i], path + "[" + std::to_string(i) + "]"));
      }
      return Status::OK();
    case Filter::Op::kGlob:
      if (!IsValidUtf8(f.pattern())) return Invalid(path, "pattern is not valid UTF-8");
      return Status::OK();
    case Filter::Op::kRange:
      return CheckRange(f, path);
    default:
      return Status::OK();
  }
}

}  // namespace

namespace vec {

Status CheckAttrKey(std::string_view key, std::string_view path) {
  if (key.empty()) return Invalid(path, "empty attribute key");
  if (key.size() > kMaxAttrKeyBytes) {
    return Invalid(path,
                   "attribute key of " + std::to_string(key.size()) + " bytes (must be 1..256)");
  }
  if (!IsValidUtf8(key)) return Invalid(path, "attribute key is not valid UTF-8");
  return Status::OK();
}

Status ValidateFilterAt(const Filter& f, const std::string& path, int depth) {
  if (depth > Filter::kMaxDepth) {
    return Invalid(path, "nesting deeper than " + std::to_string(Filter::kMaxDepth) + " levels");
  }
  const std::string op_path = path + "." + std::string(OpName(f.op()));
  switch (f.op()) {
    case Filter::Op::kAll:
      return Status::OK();
    case Filter::Op::kEq:
    case Filter::Op::kIn:
    case Filter::Op::kGlob:
    case Filter::Op::kRange:
      return ValidateLeaf(f, op_path);
    case Filter::Op::kExists:
      return CheckAttrKey(f.key(), op_path);
    case Filter::Op::kNot:
      if (f.children().size() != 1) return Invalid(op_path, "not needs exactly one filter");
      return ValidateFilterAt(f.children()[0], op_path, depth + 1);
    case Filter::Op::kAnd:
    case Filter::Op::kOr:
      for (size_t i = 0; i < f.children().size(); ++i) {
        URD_RETURN_IF_ERROR(
            ValidateFilterAt(f.children()[i], op_path + "[" + std::to_string(i) + "]", depth + 1));
      }
      return Status::OK();
  }
  return Invalid(path, "unknown operator");
}

}  // namespace vec

Filter Filter::Eq(std::string key, Value v) {
  Filter f;
  f.op_ = Op::kEq;
  f.key_ = std::move(key);
  f.values_.push_back(std::move(v));
  return f;
}

Filter Filter::In(std::string key, std::vector<Value> values) {
  Filter f;
  f.op_ = Op::kIn;
  f.key_ = std::move(key);
  f.values_ = std::move(values);
  return f;
}

Filter Filter::Glob(std::string key, std::string pattern) {
  Filter f;
  f.op_ = Op::kGlob;
  f.key_ = std::move(key);
  f.pattern_ = std::move(pattern);
  return f;
}

Filter Filter::Range(std::string key, std::optional<Bound> lower, std::optional<Bound> upper) {
  Filter f;
  f.op_ = Op::kRange;
  f.key_ = std::move(key);
  f.lower_ = std::move(lower);
  f.upper_ = std::move(upper);
  return f;
}

Filter Filter::Exists(std::string key) {
  Filter f;
  f.op_ = Op::kExists;
  f.key_ = std::move(key);
  return f;
}

Filter Filter::Not(Filter child) {
  Filter f;
  f.op_ = Op::kNot;
  f.children_.push_back(std::move(child));
  return f;
}

Filter Filter::And(std::vector<Filter> fs) {
  Filter f;  // no children: the match-all filter
  if (!fs.empty()) {
    f.op_ = Op::kAnd;
    f.children_ = std::move(fs);
  }
  return f;
}

Filter Filter::Or(std::vector<Filter> fs) {
  Filter f;
  f.op_ = Op::kOr;
  f.children_ = std::move(fs);
  return f;
}

Status Filter::Validate() const { return vec::ValidateFilterAt(*this, "filter", 1); }

bool Filter::Matches(const Attrs& attrs) const {
  const auto find = [&]() -> const Value* {
    auto it = attrs.find(key_);
    return it == attrs.end() ? nullptr : &it->second;
  };
  switch (op_) {
    case Op::kAll:
      return true;
    case Op::kEq: {
      const Value* v = find();
      return v != nullptr && !values_.empty() && *v == values_[0];
    }
    case Op::kIn: {
      const Value* v = find();
      return v != nullptr && std::find(values_.begin(), values_.end(), *v) != values_.end();
    }
    case Op::kGlob: {
      const Value* v = find();
      return v != nullptr && v->is_string() && GlobMatch(pattern_, v->as_string());
    }
    case Op::kRange: {
      const Value* v = find();
      return v != nullptr && InRange(*v, lower_, upper_);
    }
    case Op::kExists:
      return find() != nullptr;
    case Op::kNot:
      return !children_.empty() && !children_[0].Matches(attrs);
    case Op::kAnd:
      return std::all_of(children_.begin(), children_.end(),
                         [&](const Filter& c) { return c.Matches(attrs); });
    case Op::kOr:
      return std::any_of(children_.begin(), children_.end(),
                         [&](const Filter& c) { return c.Matches(attrs); });
  }
  return false;
}

bool operator==(const Filter& a, const Filter& b) {
  return a.op_ == b.op_ && a.key_ == b.key_ && a.values_ == b.values_ && a.pattern_ == b.pattern_ &&
         BoundsEqual(a.lower_, b.lower_) && BoundsEqual(a.upper_, b.upper_) &&
         a.children_ == b.children_;
}

}  // namespace urd
