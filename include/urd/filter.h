// Copyright urd authors. Filter: a predicate over a record's Attrs.
//
// Thread-safety: an immutable value once built; safe to share between threads.
//
// Semantics (a superset of nidus 0.3.0's, docs/decisions.md):
//   Eq(k, v)     attrs[k] exists and equals v (type and value; Null needs a present Null)
//   In(k, vs)    attrs[k] exists and equals one of vs; an empty set matches nothing
//   Glob(k, p)   attrs[k] is a string matching glob p (nidus rules: anchored, `*` any
//                run incl. '/', `?` one character, `[a-z]`, `[!..]`/`[^..]` negation,
//                no escapes; over Unicode scalar values; case-sensitive)
//   Range(k, …)  attrs[k] is a number (int or float, compared numerically and
//                exactly: Int(2^53+1) > Float(2^53)) when the bounds are numbers, or
//                a string (byte order) when they are strings; lower/upper bounds
//                each optional (not both absent), inclusive or exclusive
//   Exists(k)    attrs[k] is present (any type, Null included)
//   Not(f)       f does not match
//   And(fs)      every f matches (empty: matches everything)
//   Or(fs)       some f matches (empty: matches nothing)
//
// A default-constructed Filter matches everything; so does And({}), which the
// factory returns as that same match-all filter (op() == kAll).
//
// Matches() on a filter that fails Validate() never crashes: a Range without a
// valid pair of bounds matches nothing, and NaN compares false as usual.
//
// JSON form (CLI, MCP): {"eq":{"k":3}}, {"in":{"k":[1,2]}}, {"glob":{"path":"src/*"}},
// {"range":{"n":{"gte":1,"lt":5}}}, {"exists":"k"}, {"not":F}, {"and":[F,...]},
// {"or":[F,...]}; an object with several keys is the AND of them; inside "eq"/"in"/
// "glob"/"range" several attribute keys are ANDed too. JSON numbers with no
// fraction or exponent are ints (an integer literal outside int64 is an error),
// others floats; null is Value::Null; arrays of strings given to "eq" (or as an
// element of an "in" array) are List values. Range bounds are "gt"/"gte" (at most
// one) and "lt"/"lte" (at most one), numbers or strings of one kind. `{}` is the
// match-all filter, accepted only as the whole filter; an empty object anywhere
// else is an error.

#ifndef URD_FILTER_H_
#define URD_FILTER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "urd/result.h"
#include "urd/value.h"

namespace urd {

class Filter {
 public:
  enum class Op : uint8_t { kAll, kEq, kIn, kGlob, kRange, kExists, kNot, kAnd, kOr };

  struct Bound {
    Value value;      // a number or a string
    bool inclusive;   // <= / >= when true, < / > when false
  };

  Filter() = default;  // matches everything
  static Filter Eq(std::string key, Value v);
  static Filter In(std::string key, std::vector<Value> values);
  static Filter Glob(std::string key, std::string pattern);
  static Filter Range(std::string key, std::optional<Bound> lower, std::optional<Bound> upper);
  static Filter Lt(std::string key, Value v) { return Range(std::move(key), {}, Bound{std::move(v), false}); }
  static Filter Le(std::string key, Value v) { return Range(std::move(key), {}, Bound{std::move(v), true}); }
  static Filter Gt(std::string key, Value v) { return Range(std::move(key), Bound{std::move(v), false}, {}); }
  static Filter Ge(std::string key, Value v) { return Range(std::move(key), Bound{std::move(v), true}, {}); }
  static Filter Exists(std::string key);
  static Filter Not(Filter f);
  static Filter And(std::vector<Filter> fs);
  static Filter Or(std::vector<Filter> fs);

  // Parses the JSON form. InvalidArgument names what is wrong and where (e.g.
  // `filter.and[1].range.n: bound "gte" must be a number or a string`). The result
  // passes Validate(): in particular nesting deeper than kMaxDepth is rejected.
  static Result<Filter> FromJson(std::string_view json);
  // The canonical JSON form, compact, with one operator per object; a match-all
  // filter is `{}` at the top and `{"and":[]}` inside another filter; integral
  // floats keep a fraction (`1.0`). For a filter that passes Validate(),
  // FromJson(ToJson()) gives an equal filter. Never fails: on an invalid filter
  // (NaN, bad UTF-8) the output is best effort and may not parse back.
  std::string ToJson() const;

  // And/Or/Not nesting allowed by Validate() and FromJson(); a lone leaf is depth 1.
  static constexpr int kMaxDepth = 64;

  // Checks a filter built with the factories above. InvalidArgument, with a path as
  // FromJson's, unless: attribute keys are 1..256 bytes of valid UTF-8; string, list
  // and pattern values are valid UTF-8; floats are finite; a Range has at least one
  // bound, its bounds are numbers or strings, both of one kind; nesting is at most
  // kMaxDepth levels.
  Status Validate() const;

  // Evaluates the filter (semantics at the top of this file). Recursive in the
  // nesting depth.
  bool Matches(const Attrs& attrs) const;
  bool matches_all() const { return op_ == Op::kAll; }

  // Structure, for planners (the attribute index) and printers.
  Op op() const { return op_; }
  const std::string& key() const { return key_; }
  const std::vector<Value>& values() const { return values_; }  // kEq: one; kIn: the set
  const std::string& pattern() const { return pattern_; }       // kGlob
  const std::optional<Bound>& lower() const { return lower_; }  // kRange
  const std::optional<Bound>& upper() const { return upper_; }  // kRange
  const std::vector<Filter>& children() const { return children_; }  // kNot: one; kAnd/kOr

  // Structural equality: the same operator, key, values (Value ==, in order),
  // pattern, bounds and children (in order).
  friend bool operator==(const Filter& a, const Filter& b);

 private:
  Op op_ = Op::kAll;
  std::string key_;
  std::vector<Value> values_;
  std::string pattern_;
  std::optional<Bound> lower_, upper_;
  std::vector<Filter> children_;
};

// nidus 0.3.0 glob matching (see the top of this file). Bytes that are not
// well-formed UTF-8 (in the text or the pattern) act as single characters that
// equal only themselves. Iterative; O(|pattern| * |text|) at worst.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace urd

#endif  // URD_FILTER_H_
