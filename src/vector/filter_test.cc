// Copyright urd authors. Filter semantics: nidus 0.3.0's tables (nidus.md §3.3)
// plus Range, Exists, Not, Or and floats; Validate(); equality; Value names.

#include "urd/filter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "urd/value.h"

namespace urd {
namespace {

using V = Value;

constexpr int64_t kTwo53 = int64_t{1} << 53;
constexpr double kTwo53F = 9007199254740992.0;
constexpr double kTwo63F = 9223372036854775808.0;
constexpr int64_t kMaxI = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinI = std::numeric_limits<int64_t>::min();

Attrs One(const std::string& key, Value v) { return Attrs{{key, std::move(v)}}; }

TEST(ValueTest, TypeNames) {
  EXPECT_EQ(Value::TypeName(Value::Type::kNull), "null");
  EXPECT_EQ(Value::TypeName(Value::Type::kString), "string");
  EXPECT_EQ(Value::TypeName(Value::Type::kInt), "int");
  EXPECT_EQ(Value::TypeName(Value::Type::kFloat), "float");
  EXPECT_EQ(Value::TypeName(Value::Type::kBool), "bool");
  EXPECT_EQ(Value::TypeName(Value::Type::kList), "list");
  EXPECT_EQ(Value::TypeName(V::List({"a"}).type()), "list");
}

TEST(FilterTest, DefaultMatchesEverything) {
  Filter f;
  EXPECT_TRUE(f.matches_all());
  EXPECT_TRUE(f.Matches({}));
  EXPECT_TRUE(f.Matches(One("k", V::Int(1))));
  EXPECT_TRUE(f.Validate().ok());
}

TEST(FilterTest, EqNullIsNotAbsent) {
  const Filter f = Filter::Eq("k", V::Null());
  EXPECT_TRUE(f.Matches(One("k", V::Null())));
  EXPECT_FALSE(f.Matches({}));
  EXPECT_FALSE(f.Matches(One("other", V::Null())));
  EXPECT_FALSE(f.Matches(One("k", V::String(""))));
}

TEST(FilterTest, EqNeedsSameTypeAndValue) {
  EXPECT_TRUE(Filter::Eq("k", V::Int(1)).Matches(One("k", V::Int(1))));
  EXPECT_FALSE(Filter::Eq("k", V::Int(1)).Matches(One("k", V::Float(1.0))));
  EXPECT_FALSE(Filter::Eq("k", V::Float(1.0)).Matches(One("k", V::Int(1))));
  EXPECT_FALSE(Filter::Eq("k", V::Int(1)).Matches(One("k", V::String("1"))));
  EXPECT_FALSE(Filter::Eq("k", V::Bool(true)).Matches(One("k", V::Int(1))));
  EXPECT_FALSE(Filter::Eq("k", V::String("a")).Matches(One("k", V::List({"a"}))));
  EXPECT_TRUE(Filter::Eq("k", V::Bool(false)).Matches(One("k", V::Bool(false))));
  EXPECT_TRUE(Filter::Eq("k", V::Float(0.5)).Matches(One("k", V::Float(0.5))));
  EXPECT_TRUE(Filter::Eq("k", V::String("x")).Matches(One("k", V::String("x"))));
  EXPECT_FALSE(Filter::Eq("k", V::String("x")).Matches(One("K", V::String("x"))));
}

TEST(FilterTest, EqListsAreOrderSensitive) {
  const Filter f = Filter::Eq("tags", V::List({"a", "b"}));
  EXPECT_TRUE(f.Matches(One("tags", V::List({"a", "b"}))));
  EXPECT_FALSE(f.Matches(One("tags", V::List({"b", "a"}))));
  EXPECT_FALSE(f.Matches(One("tags", V::List({"a"}))));
  EXPECT_FALSE(f.Matches(One("tags", V::List({"a", "b", "c"}))));
  EXPECT_TRUE(Filter::Eq("tags", V::List({})).Matches(One("tags", V::List({}))));
}

TEST(FilterTest, In) {
  const Filter f = Filter::In("k", {V::Int(1), V::String("two"), V::Null()});
  EXPECT_TRUE(f.Matches(One("k", V::Int(1))));
  EXPECT_TRUE(f.Matches(One("k", V::String("two"))));
  EXPECT_TRUE(f.Matches(One("k", V::Null())));  // In(k, [Null]) matches a present Null
  EXPECT_FALSE(f.Matches({}));
  EXPECT_FALSE(f.Matches(One("k", V::Float(1.0))));
  EXPECT_FALSE(f.Matches(One("k", V::Int(2))));
  const Filter empty = Filter::In("k", {});
  EXPECT_FALSE(empty.Matches(One("k", V::Int(1))));
  EXPECT_FALSE(empty.Matches({}));
  EXPECT_TRUE(Filter::In("k", {V::List({"x", "y"})}).Matches(One("k", V::List({"x", "y"}))));
  EXPECT_FALSE(Filter::In("k", {V::List({"x", "y"})}).Matches(One("k", V::List({"y", "x"}))));
}

TEST(FilterTest, GlobNeedsAString) {
  const Filter f = Filter::Glob("path", "src/*");
  EXPECT_TRUE(f.Matches(One("path", V::String("src/a/b.rs"))));
  EXPECT_FALSE(f.Matches(One("path", V::String("lib/a.rs"))));
  EXPECT_FALSE(f.Matches({}));
  EXPECT_FALSE(f.Matches(One("path", V::Null())));
  EXPECT_FALSE(f.Matches(One("path", V::List({"src/a"}))));
  EXPECT_FALSE(Filter::Glob("n", "*").Matches(One("n", V::Int(1))));
  EXPECT_TRUE(Filter::Glob("n", "*").Matches(One("n", V::String(""))));
}

TEST(FilterTest, ExistsIncludesNull) {
  const Filter f = Filter::Exists("k");
  EXPECT_TRUE(f.Matches(One("k", V::Null())));
  EXPECT_TRUE(f.Matches(One("k", V::Bool(false))));
  EXPECT_FALSE(f.Matches({}));
  EXPECT_FALSE(f.Matches(One("kk", V::Int(0))));
}

TEST(FilterTest, NotAndOr) {
  const Attrs a = {{"kind", V::String("doc")}, {"n", V::Int(3)}};
  const Filter is_doc = Filter::Eq("kind", V::String("doc"));
  const Filter is_code = Filter::Eq("kind", V::String("code"));
  EXPECT_TRUE(Filter::Not(is_code).Matches(a));
  EXPECT_FALSE(Filter::Not(is_doc).Matches(a));
  EXPECT_TRUE(Filter::Not(Filter::Exists("x")).Matches(a));  // absent keys negate to true
  EXPECT_TRUE(Filter::And({is_doc, Filter::Ge("n", V::Int(3))}).Matches(a));
  EXPECT_FALSE(Filter::And({is_doc, is_code}).Matches(a));
  EXPECT_TRUE(Filter::Or({is_code, is_doc}).Matches(a));
  EXPECT_FALSE(Filter::Or({is_code, Filter::Exists("x")}).Matches(a));
  EXPECT_FALSE(Filter::Or({}).Matches(a));  // empty Or matches nothing
  EXPECT_EQ(Filter::Or({}).op(), Filter::Op::kOr);
}

TEST(FilterTest, EmptyAndIsMatchAll) {
  const Filter f = Filter::And({});
  EXPECT_TRUE(f.matches_all());
  EXPECT_EQ(f.op(), Filter::Op::kAll);
  EXPECT_EQ(f, Filter());
  EXPECT_TRUE(f.Matches({}));
  EXPECT_EQ(Filter::And({Filter::Exists("a")}).op(), Filter::Op::kAnd);
}

TEST(FilterTest, RangeIntBounds) {
  const Filter f =
      Filter::Range("n", Filter::Bound{V::Int(1), true}, Filter::Bound{V::Int(5), false});
  EXPECT_FALSE(f.Matches(One("n", V::Int(0))));
  EXPECT_TRUE(f.Matches(One("n", V::Int(1))));
  EXPECT_TRUE(f.Matches(One("n", V::Int(4))));
  EXPECT_FALSE(f.Matches(One("n", V::Int(5))));
  EXPECT_TRUE(f.Matches(One("n", V::Float(4.999))));  // floats compare numerically
  EXPECT_TRUE(f.Matches(One("n", V::Float(1.0))));
  EXPECT_FALSE(f.Matches(One("n", V::Float(0.999))));
  EXPECT_FALSE(f.Matches(One("n", V::Float(5.0))));
  EXPECT_FALSE(f.Matches(One("n", V::String("3"))));  // type mismatch
  EXPECT_FALSE(f.Matches(One("n", V::Bool(true))));
  EXPECT_FALSE(f.Matches(One("n", V::Null())));
  EXPECT_FALSE(f.Matches({}));
}

TEST(FilterTest, RangeFloatBoundsOnInts) {
  EXPECT_TRUE(Filter::Gt("n", V::Float(2.5)).Matches(One("n", V::Int(3))));
  EXPECT_FALSE(Filter::Gt("n", V::Float(2.5)).Matches(One("n", V::Int(2))));
  EXPECT_TRUE(Filter::Lt("n", V::Float(-0.5)).Matches(One("n", V::Int(-1))));
  EXPECT_FALSE(Filter::Lt("n", V::Float(-0.5)).Matches(One("n", V::Int(0))));
  EXPECT_TRUE(Filter::Ge("n", V::Float(3.0)).Matches(One("n", V::Int(3))));
  EXPECT_FALSE(Filter::Gt("n", V::Float(3.0)).Matches(One("n", V::Int(3))));
  EXPECT_TRUE(Filter::Le("n", V::Float(-0.0)).Matches(One("n", V::Int(0))));
  EXPECT_TRUE(Filter::Ge("n", V::Int(0)).Matches(One("n", V::Float(-0.0))));
}

TEST(FilterTest, RangeHugeIntsCompareExactly) {
  // 2^53 + 1 is not a double; converting it would round to 2^53 and compare equal.
  EXPECT_TRUE(Filter::Gt("n", V::Float(kTwo53F)).Matches(One("n", V::Int(kTwo53 + 1))));
  EXPECT_FALSE(Filter::Le("n", V::Float(kTwo53F)).Matches(One("n", V::Int(kTwo53 + 1))));
  EXPECT_FALSE(Filter::Gt("n", V::Float(kTwo53F)).Matches(One("n", V::Int(kTwo53))));
  EXPECT_TRUE(Filter::Ge("n", V::Float(kTwo53F)).Matches(One("n", V::Int(kTwo53))));
  EXPECT_TRUE(Filter::Lt("n", V::Int(kTwo53 + 1)).Matches(One("n", V::Float(kTwo53F))));
  EXPECT_FALSE(Filter::Ge("n", V::Int(kTwo53 + 1)).Matches(One("n", V::Float(kTwo53F))));
  // The ends of int64: 2^63 is a double just above INT64_MAX; -2^63 is INT64_MIN.
  EXPECT_TRUE(Filter::Lt("n", V::Float(kTwo63F)).Matches(One("n", V::Int(kMaxI))));
  EXPECT_FALSE(Filter::Ge("n", V::Float(kTwo63F)).Matches(One("n", V::Int(kMaxI))));
  EXPECT_TRUE(Filter::Gt("n", V::Int(kMaxI)).Matches(One("n", V::Float(kTwo63F))));
  EXPECT_TRUE(Filter::Ge("n", V::Float(-kTwo63F)).Matches(One("n", V::Int(kMinI))));
  EXPECT_FALSE(Filter::Gt("n", V::Float(-kTwo63F)).Matches(One("n", V::Int(kMinI))));
  EXPECT_TRUE(Filter::Le("n", V::Int(kMinI)).Matches(One("n", V::Float(-kTwo63F))));
  EXPECT_TRUE(Filter::Lt("n", V::Int(kMinI)).Matches(One("n", V::Float(-1e300))));
  EXPECT_TRUE(Filter::Gt("n", V::Int(kMaxI)).Matches(One("n", V::Float(1e300))));
  EXPECT_TRUE(Filter::Lt("n", V::Float(1e300)).Matches(One("n", V::Int(kMaxI))));
  // Ints on both sides never go through a double.
  EXPECT_TRUE(Filter::Gt("n", V::Int(kMaxI - 1)).Matches(One("n", V::Int(kMaxI))));
  EXPECT_FALSE(Filter::Gt("n", V::Int(kMaxI)).Matches(One("n", V::Int(kMaxI))));
  // Fractions around a large int.
  const double big = 4503599627370495.5;  // 2^52 - 0.5, exact
  EXPECT_TRUE(Filter::Gt("n", V::Float(big)).Matches(One("n", V::Int(4503599627370496))));
  EXPECT_TRUE(Filter::Lt("n", V::Float(big)).Matches(One("n", V::Int(4503599627370495))));
}

TEST(FilterTest, RangeStringsByByteOrder) {
  const Filter f =
      Filter::Range("s", Filter::Bound{V::String("b"), true}, Filter::Bound{V::String("d"), false});
  EXPECT_FALSE(f.Matches(One("s", V::String("a"))));
  EXPECT_TRUE(f.Matches(One("s", V::String("b"))));
  EXPECT_TRUE(f.Matches(One("s", V::String("cz"))));
  EXPECT_FALSE(f.Matches(One("s", V::String("d"))));
  EXPECT_FALSE(f.Matches(One("s", V::String("B"))));  // 'B' < 'b'
  EXPECT_FALSE(f.Matches(One("s", V::Int(1))));
  EXPECT_FALSE(f.Matches(One("s", V::List({"c"}))));
  // Bytes compare unsigned: é (C3 A9) sorts after every ASCII character.
  EXPECT_TRUE(Filter::Gt("s", V::String("z")).Matches(One("s", V::String("\xC3\xA9"))));
  EXPECT_TRUE(Filter::Lt("s", V::String("ab")).Matches(One("s", V::String("a"))));
  EXPECT_TRUE(Filter::Ge("s", V::String("")).Matches(One("s", V::String(""))));
}

TEST(FilterTest, InvalidRangesMatchNothing) {
  const Attrs n = One("n", V::Int(3));
  const Attrs s = One("n", V::String("3"));
  const Filter mixed =
      Filter::Range("n", Filter::Bound{V::Int(1), true}, Filter::Bound{V::String("z"), true});
  const Filter none = Filter::Range("n", std::nullopt, std::nullopt);
  const Filter null_bound = Filter::Gt("n", V::Null());
  const Filter nan_bound = Filter::Gt("n", V::Float(std::nan("")));
  for (const Filter* f : {&mixed, &none, &null_bound, &nan_bound}) {
    EXPECT_FALSE(f->Matches(n));
    EXPECT_FALSE(f->Matches(s));
    EXPECT_FALSE(f->Validate().ok());
  }
}

TEST(FilterTest, ValidateMessages) {
  struct Case {
    Filter filter;
    const char* message;
  };
  const std::string long_key(257, 'k');
  const Case cases[] = {
      {Filter::Range("n", Filter::Bound{V::Int(1), true}, Filter::Bound{V::String("z"), false}),
       "filter.range.n: bounds must both be numbers or both be strings"},
      {Filter::Range("n", std::nullopt, std::nullopt),
       "filter.range.n: needs at least one bound (gt, gte, lt, lte)"},
      {Filter::And({Filter::Exists("a"), Filter::Ge("n", V::Bool(true))}),
       "filter.and[1].range.n: bound \"gte\" must be a number or a string"},
      {Filter::Lt("n", V::List({"a"})),
       "filter.range.n: bound \"lt\" must be a number or a string"},
      {Filter::Gt("n", V::Float(std::nan(""))), "filter.range.n.gt: number must be finite"},
      {Filter::Le("n", V::Float(INFINITY)), "filter.range.n.lte: number must be finite"},
      {Filter::Eq("k", V::Float(-INFINITY)), "filter.eq.k: number must be finite"},
      {Filter::In("k", {V::Int(1), V::Float(std::nan(""))}),
       "filter.in.k[1]: number must be finite"},
      {Filter::Eq("k", V::String("\xFF")), "filter.eq.k: string is not valid UTF-8"},
      {Filter::Eq("k", V::List({"ok", "\xC3"})), "filter.eq.k[1]: string is not valid UTF-8"},
      {Filter::Glob("p", "\xC0\xAF"), "filter.glob.p: pattern is not valid UTF-8"},
      {Filter::Eq("", V::Int(1)), "filter.eq: empty attribute key"},
      {Filter::Exists(long_key), "filter.exists: attribute key of 257 bytes (must be 1..256)"},
      {Filter::Not(Filter::Glob("\xFF", "x")), "filter.not.glob: attribute key is not valid UTF-8"},
      {Filter::Or({Filter::Exists("a"), Filter::Not(Filter::In("k", {V::String("\xFF")}))}),
       "filter.or[1].not.in.k[0]: string is not valid UTF-8"},
  };
  for (const Case& c : cases) {
    const Status s = c.filter.Validate();
    EXPECT_TRUE(s.IsInvalidArgument()) << c.message;
    EXPECT_EQ(s.message(), c.message);
  }
  EXPECT_TRUE(Filter::Exists(std::string(256, 'k')).Validate().ok());
  EXPECT_TRUE(Filter::Eq("k", V::Null()).Validate().ok());
  EXPECT_TRUE(Filter::In("k", {}).Validate().ok());
  EXPECT_TRUE(Filter::Or({}).Validate().ok());
  EXPECT_TRUE(Filter::Lt("s", V::String("m")).Validate().ok());
}

Filter Nest(int depth) {  // `depth` levels: depth - 1 Nots around an Exists
  Filter f = Filter::Exists("k");
  for (int i = 1; i < depth; ++i) f = Filter::Not(std::move(f));
  return f;
}

TEST(FilterTest, ValidateDepth) {
  EXPECT_TRUE(Nest(Filter::kMaxDepth).Validate().ok());
  const Status s = Nest(Filter::kMaxDepth + 1).Validate();
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("nesting deeper than 64 levels"), std::string_view::npos);
  EXPECT_FALSE(Nest(Filter::kMaxDepth).Matches(One("k", V::Null())));     // 63 Nots
  EXPECT_TRUE(Nest(Filter::kMaxDepth + 1).Matches(One("k", V::Null())));  // 64 Nots
}

TEST(FilterTest, StructuralEquality) {
  EXPECT_EQ(Filter::Eq("k", V::Int(1)), Filter::Eq("k", V::Int(1)));
  EXPECT_NE(Filter::Eq("k", V::Int(1)), Filter::Eq("k", V::Float(1)));
  EXPECT_NE(Filter::Eq("k", V::Int(1)), Filter::Eq("j", V::Int(1)));
  EXPECT_NE(Filter::Eq("k", V::Int(1)), Filter::In("k", {V::Int(1)}));
  EXPECT_NE(Filter::In("k", {V::Int(1), V::Int(2)}), Filter::In("k", {V::Int(2), V::Int(1)}));
  EXPECT_EQ(Filter::Ge("k", V::Int(1)), Filter::Ge("k", V::Int(1)));
  EXPECT_NE(Filter::Ge("k", V::Int(1)), Filter::Gt("k", V::Int(1)));
  EXPECT_NE(Filter::Ge("k", V::Int(1)), Filter::Le("k", V::Int(1)));
  EXPECT_NE(Filter::Glob("k", "a*"), Filter::Glob("k", "a?"));
  EXPECT_NE(Filter::And({Filter::Exists("a"), Filter::Exists("b")}),
            Filter::And({Filter::Exists("b"), Filter::Exists("a")}));
  EXPECT_NE(Filter::And({Filter::Exists("a")}), Filter::Or({Filter::Exists("a")}));
  EXPECT_NE(Filter::Not(Filter::Exists("a")), Filter::Exists("a"));
  EXPECT_EQ(Filter::Not(Filter::Exists("a")), Filter::Not(Filter::Exists("a")));
}

TEST(FilterTest, StructureAccessors) {
  const Filter r = Filter::Range("n", Filter::Bound{V::Int(1), false}, std::nullopt);
  EXPECT_EQ(r.op(), Filter::Op::kRange);
  EXPECT_EQ(r.key(), "n");
  ASSERT_TRUE(r.lower().has_value());
  EXPECT_FALSE(r.lower()->inclusive);
  EXPECT_FALSE(r.upper().has_value());
  const Filter e = Filter::Eq("k", V::String("v"));
  ASSERT_EQ(e.values().size(), 1u);
  EXPECT_EQ(e.values()[0], V::String("v"));
  const Filter n = Filter::Not(e);
  ASSERT_EQ(n.children().size(), 1u);
  EXPECT_EQ(n.children()[0], e);
}

}  // namespace
}  // namespace urd
