// Copyright urd authors. Filter::FromJson / ToJson and vector/value_json.h: every
// error path with its message, canonical output, seeded random round trips.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "urd/filter.h"
#include "vector/value_json.h"

namespace urd {
namespace {

using V = Value;
using nlohmann::json;

Filter Parse(const std::string& text) {
  Result<Filter> r = Filter::FromJson(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : Filter::Or({});
}

std::string ParseError(const std::string& text) {
  Result<Filter> r = Filter::FromJson(text);
  EXPECT_FALSE(r.ok()) << text << " parsed";
  if (r.ok()) return "";
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  return std::string(r.status().message());
}

TEST(FilterJsonTest, ParsesEachOperator) {
  EXPECT_EQ(Parse("{}"), Filter());
  EXPECT_EQ(Parse(" { } "), Filter());
  EXPECT_EQ(Parse(R"({"eq":{"k":3}})"), Filter::Eq("k", V::Int(3)));
  EXPECT_EQ(Parse(R"({"in":{"k":[1,2]}})"), Filter::In("k", {V::Int(1), V::Int(2)}));
  EXPECT_EQ(Parse(R"({"in":{"k":[]}})"), Filter::In("k", {}));
  EXPECT_EQ(Parse(R"({"glob":{"path":"src/*"}})"), Filter::Glob("path", "src/*"));
  EXPECT_EQ(Parse(R"({"range":{"n":{"gte":1,"lt":5}}})"),
            Filter::Range("n", Filter::Bound{V::Int(1), true}, Filter::Bound{V::Int(5), false}));
  EXPECT_EQ(Parse(R"({"range":{"n":{"gt":0.5}}})"), Filter::Gt("n", V::Float(0.5)));
  EXPECT_EQ(Parse(R"({"range":{"s":{"lte":"m"}}})"), Filter::Le("s", V::String("m")));
  EXPECT_EQ(Parse(R"({"exists":"k"})"), Filter::Exists("k"));
  EXPECT_EQ(Parse(R"({"not":{"exists":"k"}})"), Filter::Not(Filter::Exists("k")));
  EXPECT_EQ(Parse(R"({"and":[{"exists":"a"},{"exists":"b"}]})"),
            Filter::And({Filter::Exists("a"), Filter::Exists("b")}));
  EXPECT_EQ(Parse(R"({"or":[{"exists":"a"}]})"), Filter::Or({Filter::Exists("a")}));
  EXPECT_EQ(Parse(R"({"and":[]})"), Filter());
  EXPECT_EQ(Parse(R"({"or":[]})"), Filter::Or({}));
  EXPECT_EQ(Parse(R"({"not":{"and":[]}})"), Filter::Not(Filter()));
}

TEST(FilterJsonTest, ValueTypes) {
  EXPECT_EQ(Parse(R"({"eq":{"k":null}})"), Filter::Eq("k", V::Null()));
  EXPECT_EQ(Parse(R"({"eq":{"k":true}})"), Filter::Eq("k", V::Bool(true)));
  EXPECT_EQ(Parse(R"({"eq":{"k":"s"}})"), Filter::Eq("k", V::String("s")));
  EXPECT_EQ(Parse(R"({"eq":{"k":-7}})"), Filter::Eq("k", V::Int(-7)));
  EXPECT_EQ(Parse(R"({"eq":{"k":-0}})"), Filter::Eq("k", V::Int(0)));
  EXPECT_EQ(Parse(R"({"eq":{"k":3.0}})").values()[0].type(), Value::Type::kFloat);
  EXPECT_EQ(Parse(R"({"eq":{"k":1e2}})"), Filter::Eq("k", V::Float(100)));
  EXPECT_EQ(Parse(R"({"eq":{"k":1E-2}})"), Filter::Eq("k", V::Float(0.01)));
  EXPECT_EQ(Parse(R"({"eq":{"k":["a","b"]}})"), Filter::Eq("k", V::List({"a", "b"})));
  EXPECT_EQ(Parse(R"({"eq":{"k":[]}})"), Filter::Eq("k", V::List({})));
  EXPECT_EQ(Parse(R"({"eq":{"k":9223372036854775807}})"),
            Filter::Eq("k", V::Int(std::numeric_limits<int64_t>::max())));
  EXPECT_EQ(Parse(R"({"eq":{"k":-9223372036854775808}})"),
            Filter::Eq("k", V::Int(std::numeric_limits<int64_t>::min())));
  EXPECT_EQ(Parse(R"({"in":{"k":[1,"x",null,["l"],false,2.5]}})"),
            Filter::In("k", {V::Int(1), V::String("x"), V::Null(), V::List({"l"}), V::Bool(false),
                             V::Float(2.5)}));
  EXPECT_EQ(Parse(R"({"eq":{"k":"\u00e9\ud83d\ude00"}})"),
            Filter::Eq("k", V::String("\xC3\xA9\xF0\x9F\x98\x80")));
}

TEST(FilterJsonTest, SeveralKeysAreAnded) {
  EXPECT_EQ(Parse(R"({"eq":{"a":1,"b":2}})"),
            Filter::And({Filter::Eq("a", V::Int(1)), Filter::Eq("b", V::Int(2))}));
  // Operators in key order (nlohmann keeps objects sorted), each one's keys in order.
  EXPECT_EQ(Parse(R"({"glob":{"p":"x*"},"eq":{"b":2,"a":1},"exists":"c"})"),
            Filter::And({Filter::Eq("a", V::Int(1)), Filter::Eq("b", V::Int(2)),
                         Filter::Exists("c"), Filter::Glob("p", "x*")}));
  EXPECT_EQ(Parse(R"({"range":{"m":{"lt":1},"n":{"gt":2}}})"),
            Filter::And({Filter::Lt("m", V::Int(1)), Filter::Gt("n", V::Int(2))}));
  EXPECT_EQ(Parse(R"({"not":{"exists":"a"},"or":[]})"),
            Filter::And({Filter::Not(Filter::Exists("a")), Filter::Or({})}));
}

TEST(FilterJsonTest, ErrorMessages) {
  const std::string key257(257, 'k');
  struct Case {
    std::string json;
    std::string message;
  };
  const std::string range_types = "must be a number or a string";
  const Case cases[] = {
      {"[]", "filter: must be an object, got array"},
      {"\"eq\"", "filter: must be an object, got string"},
      {"null", "filter: must be an object, got null"},
      {"3", "filter: must be an object, got number"},
      {R"({"foo":1})",
       "filter: unknown operator \"foo\" (expected and, eq, exists, glob, in, not, or, range)"},
      {R"({"and":[{"eq":{"a":1},"Eq":{"b":2}}]})",
       "filter.and[0]: unknown operator \"Eq\" (expected and, eq, exists, glob, in, not, or, "
       "range)"},
      {R"({"not":{}})", "filter.not: empty object (only the whole filter may be {})"},
      {R"({"and":[{}]})", "filter.and[0]: empty object (only the whole filter may be {})"},
      {R"({"not":[]})", "filter.not: must be an object, got array"},
      {R"({"and":{}})", "filter.and: must be an array of filters"},
      {R"({"or":"x"})", "filter.or: must be an array of filters"},
      {R"({"and":[{"exists":"a"},1]})", "filter.and[1]: must be an object, got number"},
      {R"({"eq":[]})", "filter.eq: must be an object mapping attribute keys to values"},
      {R"({"in":3})", "filter.in: must be an object mapping attribute keys to values"},
      {R"({"glob":"x"})", "filter.glob: must be an object mapping attribute keys to patterns"},
      {R"({"range":null})", "filter.range: must be an object mapping attribute keys to bounds"},
      {R"({"eq":{}})", "filter.eq: must name at least one attribute"},
      {R"({"range":{}})", "filter.range: must name at least one attribute"},
      {R"({"eq":{"k":{"a":1}}})",
       "filter.eq.k: an object is not a value (expected null, a bool, a number, a string or an "
       "array of strings)"},
      {R"({"eq":{"k":["a",1]}})", "filter.eq.k[1]: list elements must be strings, got number"},
      {R"({"eq":{"k":[null]}})", "filter.eq.k[0]: list elements must be strings, got null"},
      {R"({"eq":{"k":18446744073709551615}})",
       "filter.eq.k: integer 18446744073709551615 is out of range for a 64-bit signed integer"},
      {R"({"eq":{"k":9223372036854775808}})",
       "filter.eq.k: integer 9223372036854775808 is out of range for a 64-bit signed integer"},
      {R"({"eq":{"k":123456789012345678901234567890}})",
       "filter: integer 123456789012345678901234567890 is out of range for a 64-bit signed "
       "integer"},
      {R"({"in":{"k":[1,-99999999999999999999]}})",
       "filter: integer -99999999999999999999 is out of range for a 64-bit signed integer"},
      {R"({"eq":{"k":1e400}})", "filter: number overflow parsing '1e400'"},
      {R"({"range":{"n":{"lt":-1e400}}})", "filter: number overflow parsing '-1e400'"},
      {R"({"in":{"k":1}})", "filter.in.k: must be an array of values"},
      {R"({"in":{"k":"a"}})", "filter.in.k: must be an array of values"},
      {R"({"in":{"k":[1,{}]}})",
       "filter.in.k[1]: an object is not a value (expected null, a bool, a number, a string or "
       "an array of strings)"},
      {R"({"in":{"k":[[1]]}})", "filter.in.k[0][0]: list elements must be strings, got number"},
      {R"({"glob":{"p":1}})", "filter.glob.p: pattern must be a string"},
      {R"({"glob":{"p":["a"]}})", "filter.glob.p: pattern must be a string"},
      {R"({"range":{"n":5}})", "filter.range.n: must be an object of bounds (gt, gte, lt, lte)"},
      {R"({"range":{"n":{}}})", "filter.range.n: needs at least one bound (gt, gte, lt, lte)"},
      {R"({"range":{"n":{"ge":1}}})",
       "filter.range.n: unknown bound \"ge\" (expected gt, gte, lt, lte)"},
      {R"({"range":{"n":{"gt":1,"GT":2}}})",
       "filter.range.n: unknown bound \"GT\" (expected gt, gte, lt, lte)"},
      {R"({"and":[{"exists":"a"},{"range":{"n":{"gte":true}}}]})",
       "filter.and[1].range.n: bound \"gte\" " + range_types},
      {R"({"range":{"n":{"gte":null}}})", "filter.range.n: bound \"gte\" " + range_types},
      {R"({"range":{"n":{"lt":["a"]}}})", "filter.range.n: bound \"lt\" " + range_types},
      {R"({"range":{"n":{"lte":{}}}})", "filter.range.n: bound \"lte\" " + range_types},
      {R"({"range":{"n":{"gt":1,"lte":"z"}}})",
       "filter.range.n: bounds must both be numbers or both be strings"},
      {R"({"range":{"n":{"gt":"a","lt":2.5}}})",
       "filter.range.n: bounds must both be numbers or both be strings"},
      {R"({"range":{"n":{"gt":1,"gte":2}}})", "filter.range.n: both \"gt\" and \"gte\" given"},
      {R"({"range":{"n":{"lt":1,"lte":2}}})", "filter.range.n: both \"lt\" and \"lte\" given"},
      {R"({"range":{"n":{"gt":18446744073709551615}}})",
       "filter.range.n.gt: integer 18446744073709551615 is out of range for a 64-bit signed "
       "integer"},
      {R"({"exists":1})", "filter.exists: must be a string (an attribute key)"},
      {R"({"exists":["a"]})", "filter.exists: must be a string (an attribute key)"},
      {R"({"exists":{"k":1}})", "filter.exists: must be a string (an attribute key)"},
      {R"({"exists":""})", "filter.exists: empty attribute key"},
      {R"({"eq":{"":1}})", "filter.eq: empty attribute key"},
      {R"({"in":{"a":[],"":[]}})", "filter.in: empty attribute key"},
      {R"({"glob":{")" + key257 + R"(":"x"}})",
       "filter.glob: attribute key of 257 bytes (must be 1..256)"},
      {R"({"or":[{"not":{"eq":{"k":{}}}}]})",
       "filter.or[0].not.eq.k: an object is not a value (expected null, a bool, a number, a "
       "string or an array of strings)"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseError(c.json), c.message) << c.json;
  }
}

TEST(FilterJsonTest, InvalidJsonText) {
  for (const std::string text :
       {"", " ", "not json", "{", R"({"eq":{"k":1})", "{} x", "{}{}", R"({"eq":{"k":01}})",
        R"({"eq":{"k":NaN}})", R"({"eq":{"k":Infinity}})", "{\"eq\":{\"k\":\"\xFF\"}}",
        R"({"eq":{"k":"\ud800"}})", "{\"eq\":{\"k\":1}} // comment", R"({'eq':{}})"}) {
    const std::string message = ParseError(text);
    EXPECT_EQ(message.rfind("filter: not valid JSON (", 0), 0u) << text << " -> " << message;
  }
  // The description says where the problem is.
  EXPECT_NE(ParseError("{").find("line 1, column 2"), std::string::npos);
}

std::string Nots(int n, const std::string& inner) {
  std::string s;
  for (int i = 0; i < n; ++i) s += R"({"not":)";
  s += inner;
  s += std::string(n, '}');
  return s;
}

std::string NotPath(int n) {
  std::string s = "filter";
  for (int i = 0; i < n; ++i) s += ".not";
  return s;
}

TEST(FilterJsonTest, NestingDepth) {
  // 63 Nots around a leaf: 64 levels, the most allowed.
  const Filter ok = Parse(Nots(63, R"({"exists":"k"})"));
  EXPECT_TRUE(ok.Validate().ok());
  EXPECT_EQ(ParseError(Nots(64, R"({"exists":"k"})")),
            NotPath(64) + ": nesting deeper than 64 levels");
  // Two filters in one object are an AND one level up, so they count a level.
  EXPECT_EQ(ParseError(Nots(63, R"({"exists":"a","eq":{"b":1}})")),
            NotPath(63) + ": nesting deeper than 64 levels");
  EXPECT_EQ(ParseError(Nots(63, R"({"eq":{"a":1,"b":2}})")),
            NotPath(63) + ": nesting deeper than 64 levels");
  EXPECT_TRUE(Filter::FromJson(Nots(62, R"({"eq":{"a":1,"b":2}})")).ok());
  // Very deep input fails fast without exhausting the stack.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += R"({"and":[)";
  deep += "{}";
  for (int i = 0; i < 100000; ++i) deep += "]}";
  EXPECT_NE(ParseError(deep).find("nesting deeper than 64 levels"), std::string::npos);
}

TEST(FilterJsonTest, CanonicalOutput) {
  EXPECT_EQ(Filter().ToJson(), "{}");
  EXPECT_EQ(Filter::Eq("k", V::Int(3)).ToJson(), R"({"eq":{"k":3}})");
  EXPECT_EQ(Filter::Eq("k", V::Float(1.0)).ToJson(), R"({"eq":{"k":1.0}})");
  EXPECT_EQ(Filter::Eq("k", V::Float(-0.0)).ToJson(), R"({"eq":{"k":-0.0}})");
  EXPECT_EQ(Filter::Eq("k", V::Float(1e300)).ToJson(), R"({"eq":{"k":1e+300}})");
  EXPECT_EQ(Filter::Eq("k", V::Null()).ToJson(), R"({"eq":{"k":null}})");
  EXPECT_EQ(Filter::Eq("k", V::List({"a", "b"})).ToJson(), R"({"eq":{"k":["a","b"]}})");
  EXPECT_EQ(Filter::In("k", {V::Bool(true), V::String("x")}).ToJson(),
            R"({"in":{"k":[true,"x"]}})");
  EXPECT_EQ(Filter::Glob("p", "a*").ToJson(), R"({"glob":{"p":"a*"}})");
  EXPECT_EQ(
      Filter::Range("n", Filter::Bound{V::Int(1), true}, Filter::Bound{V::Int(5), false}).ToJson(),
      R"({"range":{"n":{"gte":1,"lt":5}}})");
  EXPECT_EQ(Filter::Exists("k").ToJson(), R"({"exists":"k"})");
  EXPECT_EQ(Filter::Not(Filter()).ToJson(), R"({"not":{"and":[]}})");
  EXPECT_EQ(Filter::Or({}).ToJson(), R"({"or":[]})");
  EXPECT_EQ(Filter::And({Filter::Exists("a"), Filter()}).ToJson(),
            R"({"and":[{"exists":"a"},{"and":[]}]})");
  EXPECT_EQ(Filter::Eq("k", V::String("\xC3\xA9\"\\")).ToJson(),
            "{\"eq\":{\"k\":\"\xC3\xA9\\\"\\\\\"}}");
}

TEST(FilterJsonTest, InvalidFiltersStillPrint) {
  // Best effort, never a throw; NaN prints as null and so reads back as Null.
  EXPECT_EQ(Filter::Eq("k", V::Float(std::nan(""))).ToJson(), R"({"eq":{"k":null}})");
  const std::string bad_utf8 = Filter::Eq("k", V::String("a\xFF")).ToJson();
  EXPECT_TRUE(Filter::FromJson(bad_utf8).ok()) << bad_utf8;  // replaced by U+FFFD
  EXPECT_FALSE(Filter::FromJson(Filter::Range("n", std::nullopt, std::nullopt).ToJson()).ok());
}

// ---- Seeded random round trips ----

class FilterGen {
 public:
  explicit FilterGen(uint32_t seed) : rng_(seed) {}

  Filter Make(int depth) {
    const int op = Uniform(0, depth >= 5 ? 5 : 9);
    switch (op) {
      case 0:
        return Filter::Eq(Key(), AnyValue());
      case 1: {
        std::vector<Value> vs(Uniform(0, 4));
        for (auto& v : vs) v = AnyValue();
        return Filter::In(Key(), std::move(vs));
      }
      case 2:
        return Filter::Glob(Key(), Str());
      case 3:
        return MakeRange();
      case 4:
        return Filter::Exists(Key());
      case 5:
        return Filter();
      case 6:
        return Filter::Not(Make(depth + 1));
      case 7:
      case 8:
      case 9: {
        std::vector<Filter> fs(Uniform(0, 3));
        for (auto& f : fs) f = Make(depth + 1);
        return op == 9 ? Filter::Or(std::move(fs)) : Filter::And(std::move(fs));
      }
    }
    return Filter();
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::string Key() {
    static const char* const kKeys[] = {"a",          "b",     "path", "n",  "k\xC3\xA9y",
                                        "with space", "\"q\"", "x.y",  "[i]"};
    return kKeys[Uniform(0, std::size(kKeys) - 1)];
  }

  std::string Str() {
    static const char* const kPieces[] = {
        "",  "a", "*", "?", "[a-z]", "\xC3\xA9", "\\", "\"", "\n", "\x01", "\xF0\x9F\x98\x80",
        "/", "]"};
    std::string s;
    for (int i = Uniform(0, 4); i > 0; --i) s += kPieces[Uniform(0, std::size(kPieces) - 1)];
    return s;
  }

  int64_t Int() {
    switch (Uniform(0, 3)) {
      case 0:
        return Uniform(-5, 5);
      case 1:
        return std::numeric_limits<int64_t>::max() - Uniform(0, 2);
      case 2:
        return std::numeric_limits<int64_t>::min() + Uniform(0, 2);
      default:
        return static_cast<int64_t>(rng_());
    }
  }

  double Float() {
    switch (Uniform(0, 4)) {
      case 0:
        return Uniform(-5, 5);  // integral: must stay a Float
      case 1:
        return Uniform(-1000, 1000) / 8.0;
      case 2:
        return std::ldexp(1.0, Uniform(-1074, 1023)) * (Uniform(0, 1) ? 1 : -1);
      default: {
        double d;
        do {
          d = std::bit_cast<double>(std::uniform_int_distribution<uint64_t>()(rng_));
        } while (!std::isfinite(d));
        return d;
      }
    }
  }

  Value AnyValue() {
    switch (Uniform(0, 5)) {
      case 0:
        return V::Null();
      case 1:
        return V::String(Str());
      case 2:
        return V::Int(Int());
      case 3:
        return V::Float(Float());
      case 4:
        return V::Bool(Uniform(0, 1) == 1);
      default: {
        std::vector<std::string> l(Uniform(0, 3));
        for (auto& s : l) s = Str();
        return V::List(std::move(l));
      }
    }
  }

  Value Bound(bool numeric) {
    if (!numeric) return V::String(Str());
    return Uniform(0, 1) ? V::Int(Int()) : V::Float(Float());
  }

  Filter MakeRange() {
    const bool numeric = Uniform(0, 1) == 1;
    std::optional<Filter::Bound> lower, upper;
    const int which = Uniform(1, 3);  // lower, upper or both
    if (which & 1) lower = Filter::Bound{Bound(numeric), Uniform(0, 1) == 1};
    if (which & 2) upper = Filter::Bound{Bound(numeric), Uniform(0, 1) == 1};
    return Filter::Range(Key(), std::move(lower), std::move(upper));
  }

  std::mt19937 rng_;
};

TEST(FilterJsonTest, RandomRoundTrips) {
  FilterGen gen(20240611);
  for (int i = 0; i < 3000; ++i) {
    const Filter f = gen.Make(0);
    ASSERT_TRUE(f.Validate().ok()) << f.Validate().ToString();
    const std::string text = f.ToJson();
    Result<Filter> back = Filter::FromJson(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    ASSERT_EQ(*back, f) << text;
    ASSERT_EQ(back->ToJson(), text);
  }
}

// ---- value_json.h ----

TEST(ValueJsonTest, ValueFromJson) {
  EXPECT_EQ(*vec::ValueFromJson(json(), "v"), V::Null());
  EXPECT_EQ(*vec::ValueFromJson(json(true), "v"), V::Bool(true));
  EXPECT_EQ(*vec::ValueFromJson(json("s"), "v"), V::String("s"));
  EXPECT_EQ(*vec::ValueFromJson(json(int64_t{-3}), "v"), V::Int(-3));
  EXPECT_EQ(*vec::ValueFromJson(json(uint64_t{3}), "v"), V::Int(3));
  EXPECT_EQ(*vec::ValueFromJson(json(2.0), "v"), V::Float(2.0));
  EXPECT_EQ(*vec::ValueFromJson(json::array({"a", "b"}), "v"), V::List({"a", "b"}));
  EXPECT_EQ(vec::ValueFromJson(json(uint64_t{1} << 63), "v").status().message(),
            "v: integer 9223372036854775808 is out of range for a 64-bit signed integer");
  EXPECT_EQ(vec::ValueFromJson(json(NAN), "v").status().message(), "v: number must be finite");
  EXPECT_EQ(vec::ValueFromJson(json(-INFINITY), "v").status().message(),
            "v: number must be finite");
  EXPECT_EQ(vec::ValueFromJson(json("\xFF"), "v").status().message(),
            "v: string is not valid UTF-8");
  EXPECT_EQ(vec::ValueFromJson(json::array({"ok", "\xC3"}), "v").status().message(),
            "v[1]: string is not valid UTF-8");
  EXPECT_EQ(vec::ValueFromJson(json::array({"a", true}), "v").status().message(),
            "v[1]: list elements must be strings, got boolean");
  EXPECT_TRUE(vec::ValueFromJson(json::object(), "v").status().IsInvalidArgument());
  EXPECT_TRUE(vec::ValueFromJson(json::binary({1, 2}), "v").status().IsInvalidArgument());
}

TEST(ValueJsonTest, AttrsRoundTrip) {
  const Attrs attrs = {{"b", V::Bool(false)}, {"f", V::Float(3.0)},
                       {"i", V::Int(-9)},     {"l", V::List({"x", ""})},
                       {"n", V::Null()},      {"s", V::String("\xC3\xA9")}};
  const json j = vec::AttrsToJson(attrs);
  EXPECT_EQ(j.dump(), R"({"b":false,"f":3.0,"i":-9,"l":["x",""],"n":null,"s":"é"})");
  Result<Attrs> back = vec::AttrsFromJson(json::parse(j.dump()), "attrs");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, attrs);
  EXPECT_EQ(vec::ValueToJson(V::Float(2.0)).dump(), "2.0");
  EXPECT_TRUE(vec::ValueToJson(V::Float(2.0)).is_number_float());
}

TEST(ValueJsonTest, AttrsFromJsonErrors) {
  EXPECT_EQ(vec::AttrsFromJson(json::array(), "attrs").status().message(),
            "attrs: must be an object, got array");
  EXPECT_EQ(vec::AttrsFromJson(json::parse(R"({"":1})"), "attrs").status().message(),
            "attrs: empty attribute key");
  json long_key = json::object();
  long_key[std::string(300, 'k')] = 1;
  EXPECT_EQ(vec::AttrsFromJson(long_key, "attrs").status().message(),
            "attrs: attribute key of 300 bytes (must be 1..256)");
  EXPECT_EQ(vec::AttrsFromJson(json::parse(R"({"t":["a",[]]})"), "attrs").status().message(),
            "attrs.t[1]: list elements must be strings, got array");
  EXPECT_EQ(vec::AttrsFromJson(json::parse(R"({"o":{"x":1}})"), "r[2].attrs").status().message(),
            "r[2].attrs.o: an object is not a value (expected null, a bool, a number, a string or "
            "an array of strings)");
  EXPECT_TRUE(vec::AttrsFromJson(json::object(), "attrs").ok());
}

TEST(ValueJsonTest, CheckJsonIntegerLiterals) {
  EXPECT_TRUE(
      vec::CheckJsonIntegerLiterals(R"({"a":[1,-2,9223372036854775807,1e400,1.5]})", "x").ok());
  // Digits inside strings, escaped quotes included, are not numbers.
  EXPECT_TRUE(
      vec::CheckJsonIntegerLiterals(R"({"99999999999999999999":"a\"99999999999999999999"})", "x")
          .ok());
  EXPECT_EQ(vec::CheckJsonIntegerLiterals(R"([0, 9223372036854775808])", "x").message(),
            "x: integer 9223372036854775808 is out of range for a 64-bit signed integer");
  EXPECT_EQ(
      vec::CheckJsonIntegerLiterals(R"({"k":"\\",  "n":-9223372036854775809})", "x").message(),
      "x: integer -9223372036854775809 is out of range for a 64-bit signed integer");
}

}  // namespace
}  // namespace urd
