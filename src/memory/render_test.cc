// Copyright urd authors.

#include "memory/render.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "memory/ir/binder.h"
#include "memory/ir/lexer.h"
#include "memory/ir/parser.h"
#include "memory/ir/timestamp.h"

namespace urd::mem {
namespace {

constexpr ClockTime kNow = 1'713'350'400'000;    // 2024-04-17T10:40:00Z
constexpr ClockTime kValid = 1'705'276'800'000;  // 2024-01-15T00:00:00Z

// Parses and binds `text` against `*table`, then commits the table's journal.
::testing::AssertionResult BindText(std::string_view text, SymbolTable* table, BindOutput* out) {
  std::vector<Form> forms;
  ParseError parse_error;
  if (!ParseForms(text, &forms, &parse_error)) {
    return ::testing::AssertionFailure() << ToStatus(parse_error).ToString() << " in " << text;
  }
  BindError bind_error;
  if (!Bind(forms, table, out, &bind_error)) {
    return ::testing::AssertionFailure() << ToStatus(bind_error).ToString() << " in " << text;
  }
  table->Commit();
  return ::testing::AssertionSuccess();
}

// ---- The records a compiler makes from bound forms ----

SymbolId KeySymbol(const BoundKeywords& k, std::string_view key) {
  return k.Find(key)->value.symbol();
}
ClockTime KeyTime(const BoundKeywords& k, std::string_view key) {
  return k.Find(key)->value.timestamp();
}
Confidence KeyConfidence(const BoundKeywords& k) {
  return ConfidenceFromFloat(k.Find("c")->value.float_value()).value();
}
bool KeyProjected(const BoundKeywords& k) {
  const BoundKeyword* p = k.Find("projected");
  return p != nullptr && p->value.boolean();
}

SemRecord MakeRecord(const BoundSem& b) {
  SemRecord r;
  r.memory_id = 1000;
  r.s = b.s;
  r.p = b.p;
  r.o = b.o;
  r.source = KeySymbol(b.keywords, "src");
  r.confidence = KeyConfidence(b.keywords);
  r.valid_at = KeyTime(b.keywords, "v");
  r.observed_at = r.committed_at = kNow;
  r.projected = KeyProjected(b.keywords);
  return r;
}

EpiRecord MakeRecord(const BoundEpi& b) {
  EpiRecord r;
  r.memory_id = 1000;
  r.event_id = b.event_id;
  r.kind = b.kind;
  r.participants = b.participants;
  r.location = b.location;
  r.at_time = KeyTime(b.keywords, "at");
  r.observed_at = KeyTime(b.keywords, "obs");
  r.source = KeySymbol(b.keywords, "src");
  r.confidence = KeyConfidence(b.keywords);
  r.committed_at = kNow;
  return r;
}

ProRecord MakeRecord(const BoundPro& b) {
  ProRecord r;
  r.memory_id = 1000;
  r.rule_id = b.rule_id;
  r.trigger = b.trigger;
  r.action = b.action;
  if (const BoundKeyword* pre = b.keywords.Find("pre")) r.precondition = pre->value;
  r.scope = KeySymbol(b.keywords, "scp");
  r.source = KeySymbol(b.keywords, "src");
  r.confidence = KeyConfidence(b.keywords);
  r.valid_at = r.observed_at = r.committed_at = kNow;
  return r;
}

InfRecord MakeRecord(const BoundInf& b) {
  InfRecord r;
  r.memory_id = 1000;
  r.s = b.s;
  r.p = b.p;
  r.o = b.o;
  r.derived_from = b.derived_from;
  r.method = b.method;
  r.confidence = KeyConfidence(b.keywords);
  r.valid_at = KeyTime(b.keywords, "v");
  r.observed_at = r.committed_at = kNow;
  r.projected = KeyProjected(b.keywords);
  return r;
}

FlagRecord MakeRecord(const BoundFlag& b) {
  static constexpr FlagKind kKinds[] = {FlagKind::kPin, FlagKind::kUnpin,
                                        FlagKind::kAuthoritativeSet, FlagKind::kAuthoritativeClear};
  return FlagRecord{kKinds[static_cast<int>(b.op)], b.memory, kNow, b.actor};
}

// Renders `record`, then parses and binds the text against `*table`; checks that
// binding allocated nothing and left the table as it was.
std::optional<BoundForm> RenderAndRebind(const CanonicalRecord& record, SymbolTable* table,
                                         std::string* text) {
  const std::optional<std::string> rendered = RenderForm(record, *table);
  if (!rendered) {
    ADD_FAILURE() << "RenderForm returned nullopt for " << RecordName(record);
    return std::nullopt;
  }
  *text = *rendered;
  const SymbolTable before = *table;
  BindOutput out;
  const ::testing::AssertionResult bound = BindText(*rendered, table, &out);
  if (!bound) {
    ADD_FAILURE() << bound.message();
    return std::nullopt;
  }
  EXPECT_TRUE(out.journal.empty()) << "re-binding allocated: " << *rendered;
  EXPECT_TRUE(*table == before) << "re-binding changed the table: " << *rendered;
  if (out.forms.size() != 1) {
    ADD_FAILURE() << out.forms.size() << " forms from " << *rendered;
    return std::nullopt;
  }
  return out.forms[0];
}

// Binds `text` (one memory or flag form) on `*table`, makes its record, renders
// it, re-binds the rendering on the same table, remakes the record and compares.
// Returns the rendering.
template <typename BoundT>
std::string ExpectRoundTrip(std::string_view text, SymbolTable* table) {
  BindOutput first;
  EXPECT_TRUE(BindText(text, table, &first));
  if (first.forms.size() != 1 || !std::holds_alternative<BoundT>(first.forms[0])) {
    ADD_FAILURE() << "expected one form of the right kind from " << text;
    return "";
  }
  const auto record = MakeRecord(std::get<BoundT>(first.forms[0]));
  std::string rendered;
  const std::optional<BoundForm> again = RenderAndRebind(record, table, &rendered);
  if (!again || !std::holds_alternative<BoundT>(*again)) {
    ADD_FAILURE() << "re-bound form of another kind: " << rendered;
    return rendered;
  }
  EXPECT_EQ(MakeRecord(std::get<BoundT>(*again)), record)
      << "original: " << text << "\nrendered: " << rendered;
  return rendered;
}

// ---- Memory forms ----

TEST(RenderTest, SemGoldenText) {
  SymbolTable table;
  EXPECT_EQ(ExpectRoundTrip<BoundSem>(
                "(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)", &table),
            "(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15T00:00:00Z)");
}

TEST(RenderTest, SemStringObjectBarewordPredicateProjected) {
  SymbolTable table;
  EXPECT_EQ(
      ExpectRoundTrip<BoundSem>(
          "(sem @alice email \"alice@example.com\" :src @profile :c 0.95 :v 2024-01-15)", &table),
      "(sem @alice @email \"alice@example.com\" :src @profile :c 0.95 "
      ":v 2024-01-15T00:00:00Z)");
  EXPECT_EQ(ExpectRoundTrip<BoundSem>("(sem @alice status @future :src @agent_instruction :c 0.9 "
                                      ":v 2099-01-01T12:30:00.125Z :projected true)",
                                      &table),
            "(sem @alice @status @future :src @agent_instruction :c 0.9 "
            ":v 2099-01-01T12:30:00.125Z :projected true)");
  // `:projected false` is the same record as no :projected at all.
  EXPECT_EQ(ExpectRoundTrip<BoundSem>(
                "(sem @alice @age 42 :src @alice :c 1 :v 2024-01-15 :projected false)", &table),
            "(sem @alice @age 42 :src @alice :c 1.0 :v 2024-01-15T00:00:00Z)");
}

TEST(RenderTest, Epi) {
  SymbolTable table;
  EXPECT_EQ(ExpectRoundTrip<BoundEpi>("(epi @ev1 @meeting (@alice @bob) @room_101 "
                                      ":at 2024-01-15T10:00:00Z :obs 2024-01-15T10:05:00.25Z "
                                      ":src @observation :c 0.9)",
                                      &table),
            "(epi @ev1 @meeting (@alice @bob) @room_101 :at 2024-01-15T10:00:00Z "
            ":obs 2024-01-15T10:05:00.250Z :src @observation :c 0.9)");
  EXPECT_EQ(ExpectRoundTrip<BoundEpi>("(epi @ev2 @meeting () @room_101 :at 2024-01-16 "
                                      ":obs 2024-01-16 :src @alice :c 0)",
                                      &table),
            "(epi @ev2 @meeting () @room_101 :at 2024-01-16T00:00:00Z :obs 2024-01-16T00:00:00Z "
            ":src @alice :c 0.0)");
}

TEST(RenderTest, Pro) {
  SymbolTable table;
  EXPECT_EQ(ExpectRoundTrip<BoundPro>(
                "(pro @rule_route \"agent_write\" \"route_via_librarian\" :scp @mimir "
                ":src @policy :c 1.0)",
                &table),
            "(pro @rule_route \"agent_write\" \"route_via_librarian\" :scp @mimir :src @policy "
            ":c 1.0)");
  EXPECT_EQ(ExpectRoundTrip<BoundPro>("(pro @rule_2 @on_write route :scp @mimir :src @policy "
                                      ":c 0.5 :pre -17)",
                                      &table),
            "(pro @rule_2 @on_write \"route\" :scp @mimir :src @policy :c 0.5 :pre -17)");
  EXPECT_EQ(ExpectRoundTrip<BoundPro>("(pro @rule_3 2.5 true :scp @mimir :src @policy :c 0.25 "
                                      ":pre @on_write)",
                                      &table),
            "(pro @rule_3 2.5 true :scp @mimir :src @policy :c 0.25 :pre @on_write)");
}

TEST(RenderTest, Inf) {
  SymbolTable table;
  EXPECT_EQ(
      ExpectRoundTrip<BoundInf>(
          "(inf @alice @likes @coffee (@mem1 @mem2) @majority_vote :c 0.7 :v 2024-01-20)", &table),
      "(inf @alice @likes @coffee (@mem1 @mem2) @majority_vote :c 0.7 "
      ":v 2024-01-20T00:00:00Z)");
  EXPECT_EQ(ExpectRoundTrip<BoundInf>("(inf @alice @friend_of @carol (@m0) @citation_link :c 0.6 "
                                      ":v 2024-01-15T00:00:01Z :projected true)",
                                      &table),
            "(inf @alice @friend_of @carol (@m0) @citation_link :c 0.6 "
            ":v 2024-01-15T00:00:01Z :projected true)");
}

TEST(RenderTest, FlagForms) {
  SymbolTable table;
  EXPECT_EQ(ExpectRoundTrip<BoundFlag>("(pin @__mem_3 :actor @mira)", &table),
            "(pin @__mem_3 :actor @mira)");
  EXPECT_EQ(ExpectRoundTrip<BoundFlag>("(unpin @__mem_3 :actor @mira)", &table),
            "(unpin @__mem_3 :actor @mira)");
  EXPECT_EQ(ExpectRoundTrip<BoundFlag>("(authoritative_set @__mem_4 :actor @operator)", &table),
            "(authoritative_set @__mem_4 :actor @operator)");
  EXPECT_EQ(ExpectRoundTrip<BoundFlag>("(authoritative_clear @__mem_4 :actor @operator)", &table),
            "(authoritative_clear @__mem_4 :actor @operator)");
}

// A symbol whose kind is not its slot's default is written `@name:Kind`.
TEST(RenderTest, AnnotatesKindsThatDifferFromTheSlotDefault) {
  SymbolTable table;
  EXPECT_EQ(ExpectRoundTrip<BoundSem>("(sem @lit:Literal @q:Agent @x:Agent :src @m:Memory :c 0.5 "
                                      ":v 2024-01-15)",
                                      &table),
            "(sem @lit:Literal @q:Agent @x:Agent :src @m:Memory :c 0.5 "
            ":v 2024-01-15T00:00:00Z)");
  EXPECT_EQ(ExpectRoundTrip<BoundEpi>("(epi @m @x:Agent (@lit:Literal @q) @x:Agent "
                                      ":at 2024-01-15 :obs 2024-01-15 :src @q :c 0.5)",
                                      &table),
            "(epi @m @x:Agent (@lit:Literal @q) @x:Agent :at 2024-01-15T00:00:00Z "
            ":obs 2024-01-15T00:00:00Z :src @q :c 0.5)");
  EXPECT_EQ(ExpectRoundTrip<BoundPro>("(pro @rule @m:Memory @lit :scp @x:Agent :src @q :c 0.5 "
                                      ":pre @q:Agent)",
                                      &table),
            "(pro @rule @m:Memory @lit :scp @x:Agent :src @q :c 0.5 :pre @q:Agent)");
  EXPECT_EQ(ExpectRoundTrip<BoundInf>("(inf @m:Memory @knows @m:Memory (@q:Agent @rule) "
                                      "@majority_vote :c 0.5 :v 2024-01-15)",
                                      &table),
            "(inf @m:Memory @knows @m:Memory (@q:Agent @rule) @majority_vote :c 0.5 "
            ":v 2024-01-15T00:00:00Z)");
  EXPECT_EQ(ExpectRoundTrip<BoundFlag>("(pin @q:Agent :actor @m:Memory)", &table),
            "(pin @q:Agent :actor @m:Memory)");
}

// Symbols are written by their current canonical name (an alias or an old name
// in the original text does not matter).
TEST(RenderTest, UsesTheCurrentCanonicalName) {
  SymbolTable table;
  BindOutput out;
  ASSERT_TRUE(
      BindText("(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)"
               "(rename @alice @alicia) (alias @bob @robert)",
               &table, &out));
  EXPECT_EQ(ExpectRoundTrip<BoundSem>(
                "(sem @alice @knows @robert :src @observation :c 0.8 :v 2024-01-15)", &table),
            "(sem @alicia @knows @bob :src @observation :c 0.8 :v 2024-01-15T00:00:00Z)");
}

// ---- Symbol operations ----

// Binds `text` (one symbol operation) and returns its SYMBOL_* record.
SymbolEventRecord BindSymbolOp(std::string_view text, SymbolTable* table) {
  BindOutput out;
  EXPECT_TRUE(BindText(text, table, &out));
  if (out.journal.size() != 1) {
    ADD_FAILURE() << out.journal.size() << " journal entries from " << text;
    return {};
  }
  const SymbolEvent& e = out.journal[0];
  static constexpr SymbolEventKind kKinds[] = {SymbolEventKind::kAlloc, SymbolEventKind::kAlias,
                                               SymbolEventKind::kRename, SymbolEventKind::kRetire};
  return SymbolEventRecord{kKinds[static_cast<int>(e.type)], e.id, e.name, e.kind, kNow};
}

class RenderSymbolOpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BindOutput out;
    ASSERT_TRUE(
        BindText("(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)", &table_, &out));
  }

  // Renders `record` against `after`, binds the text against `before` (the table
  // without the operation) and against `after`; expects `before` to become
  // `after` and `after` to stay as it is. Returns the rendering.
  std::string Check(const SymbolEventRecord& record, SymbolTable before, const SymbolTable& after) {
    const std::optional<std::string> text = RenderForm(record, after);
    if (!text) {
      ADD_FAILURE() << "nullopt for " << RecordName(record);
      return "";
    }
    BindOutput out;
    EXPECT_TRUE(BindText(*text, &before, &out));
    EXPECT_TRUE(before == after) << "binding " << *text << " on the old table differs";
    SymbolTable again = after;
    EXPECT_TRUE(BindText(*text, &again, &out));
    EXPECT_TRUE(again == after) << "binding " << *text << " on the new table changed it";
    return *text;
  }

  SymbolTable table_;
};

TEST_F(RenderSymbolOpTest, Alias) {
  const SymbolTable before = table_;
  const SymbolEventRecord r = BindSymbolOp("(alias @bob @robert)", &table_);
  EXPECT_EQ(r.kind, SymbolEventKind::kAlias);
  EXPECT_EQ(Check(r, before, table_), "(alias @bob @robert)");
  // Attached the other way round: the same record, the same rendering.
  SymbolTable reversed = before;
  EXPECT_EQ(BindSymbolOp("(alias @robert @bob)", &reversed), r);
}

// When the alias has since become the canonical name, another name is used.
TEST_F(RenderSymbolOpTest, AliasOfARenamedSymbol) {
  const SymbolEventRecord r = BindSymbolOp("(alias @bob @robert)", &table_);
  BindOutput out;
  ASSERT_TRUE(BindText("(rename @bob @robert)", &table_, &out));
  EXPECT_EQ(RenderForm(r, table_), "(alias @bob @robert)");
}

TEST_F(RenderSymbolOpTest, Rename) {
  const SymbolTable before = table_;
  const SymbolEventRecord r = BindSymbolOp("(rename @alice @alicia)", &table_);
  EXPECT_EQ(r.kind, SymbolEventKind::kRename);
  EXPECT_EQ(Check(r, before, table_), "(rename @alice @alicia)");
}

TEST_F(RenderSymbolOpTest, RenameBackToAnOldName) {
  BindOutput out;
  ASSERT_TRUE(BindText("(rename @alice @alicia)", &table_, &out));
  const SymbolTable before = table_;
  const SymbolEventRecord r = BindSymbolOp("(rename @alicia @alice)", &table_);
  EXPECT_EQ(Check(r, before, table_), "(rename @alicia @alice)");
}

TEST_F(RenderSymbolOpTest, Retire) {
  const SymbolTable before = table_;
  const SymbolEventRecord r = BindSymbolOp("(retire @bob :reason \"gone\")", &table_);
  EXPECT_EQ(r.kind, SymbolEventKind::kRetire);
  EXPECT_EQ(Check(r, before, table_), "(retire @bob)");
}

// ---- What is not rendered ----

TEST(RenderTest, NulloptForRecordsWithoutAForm) {
  SymbolTable table;
  SymbolId id = 0;
  ASSERT_EQ(table.Allocate("__mem_0", SymbolKind::kMemory, &id), SymbolTableCode::kOk);
  const CanonicalRecord records[] = {
      EdgeRecord{EdgeKind::kSupersedes, 0, 0, kNow},
      CheckpointRecord{0, kNow, 1},
      EpisodeMetaRecord{0, kNow, "label", std::nullopt, {}},
      SymbolEventRecord{SymbolEventKind::kAlloc, 0, "__mem_0", SymbolKind::kMemory, kNow},
      SymbolEventRecord{SymbolEventKind::kUnretire, 0, "__mem_0", SymbolKind::kMemory, kNow},
  };
  for (const CanonicalRecord& r : records) EXPECT_EQ(RenderForm(r, table), std::nullopt);
}

class RenderNulloptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BindOutput out;
    ASSERT_TRUE(
        BindText("(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)", &table_, &out));
    sem_ = MakeRecord(std::get<BoundSem>(out.forms[0]));
    ASSERT_TRUE(RenderForm(sem_, table_).has_value());
  }

  SymbolTable table_;
  SemRecord sem_;
};

TEST_F(RenderNulloptTest, UnknownSymbolId) {
  SemRecord r = sem_;
  r.source = 99;
  EXPECT_EQ(RenderForm(r, table_), std::nullopt);
  r = sem_;
  r.o = Value::Symbol(99);
  EXPECT_EQ(RenderForm(r, table_), std::nullopt);
  EXPECT_EQ(RenderForm(FlagRecord{FlagKind::kPin, 99, kNow, 0}, table_), std::nullopt);
  EXPECT_EQ(
      RenderForm(SymbolEventRecord{SymbolEventKind::kRetire, 99, "x", SymbolKind::kAgent, kNow},
                 table_),
      std::nullopt);
}

TEST_F(RenderNulloptTest, NameThatIsNotASymbolName) {
  ASSERT_EQ(table_.ReplayAllocate(50, "Alice Smith", SymbolKind::kAgent), SymbolTableCode::kOk);
  SemRecord r = sem_;
  r.s = 50;
  EXPECT_EQ(RenderForm(r, table_), std::nullopt);
}

TEST_F(RenderNulloptTest, NaNFloat) {
  SemRecord r = sem_;
  r.o = Value::Float(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(RenderForm(r, table_), std::nullopt);
  EXPECT_EQ(RenderFloat(std::numeric_limits<double>::quiet_NaN()), std::nullopt);
}

TEST_F(RenderNulloptTest, InvalidUtf8String) {
  SemRecord r = sem_;
  r.o = Value::String("bad \xff byte");
  EXPECT_EQ(RenderForm(r, table_), std::nullopt);
}

TEST_F(RenderNulloptTest, SentinelClock) {
  SemRecord r = sem_;
  r.valid_at = kClockSentinel;
  EXPECT_EQ(RenderForm(r, table_), std::nullopt);
  r = sem_;
  r.o = Value::Timestamp(kClockSentinel);
  EXPECT_EQ(RenderForm(r, table_), std::nullopt);
}

TEST_F(RenderNulloptTest, RenameOrAliasWithoutAnotherName) {
  const SymbolId alice = *table_.Lookup("alice");
  const SymbolId bob = *table_.Lookup("bob");
  // alice has no name other than "alice".
  EXPECT_EQ(RenderForm(SymbolEventRecord{SymbolEventKind::kRename, alice, "alice",
                                         SymbolKind::kAgent, kNow},
                       table_),
            std::nullopt);
  EXPECT_EQ(RenderForm(SymbolEventRecord{SymbolEventKind::kAlias, alice, "alice",
                                         SymbolKind::kAgent, kNow},
                       table_),
            std::nullopt);
  // "bob" names another id.
  EXPECT_EQ(
      RenderForm(SymbolEventRecord{SymbolEventKind::kAlias, alice, "bob", SymbolKind::kAgent, kNow},
                 table_),
      std::nullopt);
  // A new name that is not a symbol name.
  EXPECT_EQ(RenderForm(
                SymbolEventRecord{SymbolEventKind::kRename, bob, "Bob", SymbolKind::kLiteral, kNow},
                table_),
            std::nullopt);
}

// ---- Values ----

class RenderValueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BindOutput out;
    ASSERT_TRUE(
        BindText("(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)", &table_, &out));
    sem_ = MakeRecord(std::get<BoundSem>(out.forms[0]));
  }

  // Renders a sem record whose object is `v`, re-binds it and returns the bound
  // object (Symbol(#999) on failure); `*text` gets the rendering.
  Value RoundTrip(const Value& v, std::string* text = nullptr) {
    SemRecord r = sem_;
    r.o = v;
    std::string rendered;
    const std::optional<BoundForm> bound = RenderAndRebind(r, &table_, &rendered);
    if (text != nullptr) *text = rendered;
    if (!bound || !std::holds_alternative<BoundSem>(*bound)) return Value::Symbol(999);
    const SemRecord back = MakeRecord(std::get<BoundSem>(*bound));
    EXPECT_EQ(back.s, r.s);
    EXPECT_EQ(back.source, r.source);
    return back.o;
  }

  // The rendered object: the text between the predicate and ` :src`.
  static std::string ObjectText(const std::string& form) {
    const size_t start = form.find("@knows ") + 7;
    return form.substr(start, form.find(" :src") - start);
  }

  SymbolTable table_;
  SemRecord sem_;
};

TEST_F(RenderValueTest, FloatsRoundTripBitForBit) {
  const double kValues[] = {
      0.1,
      -0.1,
      1e300,
      -0.0,
      0.0,
      5.0,
      1.0 / 3.0,
      123456.789,
      1e-7,
      9007199254740993.0,
      std::numeric_limits<double>::denorm_min(),
      -std::numeric_limits<double>::denorm_min(),
      2.2250738585072009e-308,  // the largest subnormal
      1e-310,
      std::numeric_limits<double>::min(),
      std::numeric_limits<double>::max(),
      std::numeric_limits<double>::lowest(),
      std::numeric_limits<double>::infinity(),
      -std::numeric_limits<double>::infinity(),
  };
  for (double d : kValues) {
    std::string text;
    const Value back = RoundTrip(Value::Float(d), &text);
    ASSERT_TRUE(back.is_float()) << text;
    EXPECT_EQ(std::bit_cast<uint64_t>(back.float_value()), std::bit_cast<uint64_t>(d))
        << "rendered " << text;
    EXPECT_EQ(ObjectText(text).find_first_not_of("-0123456789."), std::string::npos) << text;
  }
}

TEST_F(RenderValueTest, FloatSpellings) {
  EXPECT_EQ(RenderFloat(5.0), "5.0");
  EXPECT_EQ(RenderFloat(0.1), "0.1");
  EXPECT_EQ(RenderFloat(-0.0), "-0.0");
  EXPECT_EQ(RenderFloat(0.0), "0.0");
  EXPECT_EQ(RenderFloat(-2.5), "-2.5");
  EXPECT_EQ(RenderFloat(1e300), "1" + std::string(300, '0') + ".0");
  EXPECT_EQ(RenderFloat(1e-5), "0.00001");
  EXPECT_EQ(RenderFloat(123456.789), "123456.789");
  EXPECT_EQ(RenderFloat(1.25e20), "125000000000000000000.0");
  EXPECT_EQ(RenderFloat(std::numeric_limits<double>::denorm_min()),
            "0." + std::string(323, '0') + "5");
  EXPECT_EQ(RenderFloat(std::numeric_limits<double>::infinity()),
            "2" + std::string(308, '0') + ".0");
  EXPECT_EQ(RenderFloat(-std::numeric_limits<double>::infinity()),
            "-2" + std::string(308, '0') + ".0");
}

TEST_F(RenderValueTest, StringsWithEveryEscapeAndNonAscii) {
  const std::string kValues[] = {
      "",
      "plain",
      "quote\" backslash\\ newline\n return\r tab\t end",
      "\\\"\\n",
      "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87",
      std::string("nul\0byte", 8),
      "\x01\x1f\x7f",
      "\xe2\x80\xa8 line separator",
      "; not a comment (not a list) @not_a_symbol :not_a_keyword nil",
  };
  for (const std::string& s : kValues) {
    std::string text;
    EXPECT_EQ(RoundTrip(Value::String(s), &text), Value::String(s)) << text;
  }
  EXPECT_EQ(QuoteString("a\"b\\c\nd\re\tf"), "\"a\\\"b\\\\c\\nd\\re\\tf\"");
  EXPECT_EQ(QuoteString("\xc3\xa9"), "\"\xc3\xa9\"");
}

TEST_F(RenderValueTest, Timestamps) {
  const ClockTime kYear10000 = 253'402'300'800'000;  // 10000-01-01T00:00:00Z
  const ClockTime kValues[] = {
      0,    kValid,         kValid + 500, kValid + 5,     kValid + 36'000'123,
      kNow, kYear10000 - 1, kYear10000,   kYear10000 + 1, kClockSentinel - 1,
  };
  for (ClockTime t : kValues) {
    std::string text;
    EXPECT_EQ(RoundTrip(Value::Timestamp(t), &text), Value::Timestamp(t)) << text;
    SemRecord r = sem_;
    r.valid_at = t;
    std::string rendered;
    const std::optional<BoundForm> bound = RenderAndRebind(r, &table_, &rendered);
    ASSERT_TRUE(bound.has_value());
    EXPECT_EQ(MakeRecord(std::get<BoundSem>(*bound)).valid_at, t) << rendered;
  }
  EXPECT_EQ(RenderTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(RenderTimestamp(kValid), "2024-01-15T00:00:00Z");
  EXPECT_EQ(RenderTimestamp(kValid + 500), "2024-01-15T00:00:00.500Z");
  EXPECT_EQ(RenderTimestamp(kValid + 5), "2024-01-15T00:00:00.005Z");
  EXPECT_EQ(RenderTimestamp(kNow), "2024-04-17T10:40:00Z");
  EXPECT_EQ(RenderTimestamp(kYear10000), "9999-12-31T24:00:00Z");
}

TEST_F(RenderValueTest, IntegersBooleansSymbols) {
  const Value kValues[] = {
      Value::Integer(0),
      Value::Integer(-7),
      Value::Integer(std::numeric_limits<int64_t>::min()),
      Value::Integer(std::numeric_limits<int64_t>::max()),
      Value::Boolean(true),
      Value::Boolean(false),
      Value::Symbol(*table_.Lookup("bob")),
      Value::Symbol(*table_.Lookup("alice")),  // an Agent in a Literal slot
  };
  for (const Value& v : kValues) {
    std::string text;
    EXPECT_EQ(RoundTrip(v, &text), v) << text;
  }
  std::string text;
  (void)RoundTrip(Value::Integer(std::numeric_limits<int64_t>::min()), &text);
  EXPECT_EQ(ObjectText(text), "-9223372036854775808");
  (void)RoundTrip(Value::Symbol(*table_.Lookup("alice")), &text);
  EXPECT_EQ(ObjectText(text), "@alice:Agent");
  (void)RoundTrip(Value::Boolean(false), &text);
  EXPECT_EQ(ObjectText(text), "false");
}

// ---- Confidence ----

// Every raw value renders with at most 5 decimals and reads back, through the
// lexer's float token and ConfidenceFromFloat (the write path's `:c`), to itself;
// one decimal fewer does not (the rendering is the shortest).
TEST(RenderConfidenceTest, AllRawValuesRoundTripWithAtMostFiveDecimals) {
  const auto reads_back = [](const std::string& text, uint16_t raw) {
    std::vector<Token> tokens;
    LexError lex_error;
    if (!Lex(text, &tokens, &lex_error) || tokens.size() != 1 ||
        tokens[0].kind != TokenKind::kFloat) {
      return false;
    }
    const Result<Confidence> c = ConfidenceFromFloat(tokens[0].real);
    return c.ok() && c->raw == raw;
  };
  int failures = 0;
  int too_long = 0;
  int not_shortest = 0;
  int five_decimals = 0;
  std::string first_failure;
  char buf[32];
  for (uint32_t r = 0; r <= 65535; ++r) {
    const auto raw = static_cast<uint16_t>(r);
    const std::string text = RenderConfidence(Confidence{raw});
    const size_t decimals = text.size() - 2;  // "d." then the decimals
    if (text.size() < 3 || text[1] != '.' || decimals > 5) ++too_long;
    if (decimals == 5) ++five_decimals;
    if (!reads_back(text, raw) && failures++ == 0) first_failure = std::to_string(r) + " " + text;
    if (decimals > 1) {
      std::snprintf(buf, sizeof(buf), "%.*f", static_cast<int>(decimals - 1), r / 65535.0);
      if (reads_back(buf, raw)) ++not_shortest;
    }
  }
  EXPECT_EQ(failures, 0) << "first: " << first_failure;
  EXPECT_EQ(too_long, 0);
  EXPECT_EQ(not_shortest, 0);
  EXPECT_GT(five_decimals, 0);  // 4 decimals are not enough in general
  EXPECT_EQ(RenderConfidence(Confidence{0}), "0.0");
  EXPECT_EQ(RenderConfidence(Confidence{52428}), "0.8");
  EXPECT_EQ(RenderConfidence(Confidence{58981}), "0.9");
  EXPECT_EQ(RenderConfidence(Confidence{32768}), "0.5");
  EXPECT_EQ(RenderConfidence(Confidence{1}), "0.00002");
  EXPECT_EQ(RenderConfidence(Confidence{65535}), "1.0");
}

// ---- DescribeRecord ----

class DescribeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [id, name, kind] : kSymbols) {
      ASSERT_EQ(table_.ReplayAllocate(id, name, kind), SymbolTableCode::kOk);
    }
  }

  struct Sym {
    SymbolId id;
    const char* name;
    SymbolKind kind;
  };
  static constexpr Sym kSymbols[] = {
      {0, "alice", SymbolKind::kAgent},    {1, "knows", SymbolKind::kPredicate},
      {2, "bob", SymbolKind::kLiteral},    {3, "observation", SymbolKind::kAgent},
      {4, "__mem_0", SymbolKind::kMemory}, {5, "__ep_0", SymbolKind::kMemory},
      {6, "__mem_1", SymbolKind::kMemory}, {7, "__ep_1", SymbolKind::kMemory},
      {8, "mira", SymbolKind::kAgent},     {9, "majority_vote", SymbolKind::kInferenceMethod},
  };

  SemRecord Sem() const {
    SemRecord r;
    r.memory_id = 4;
    r.s = 0;
    r.p = 1;
    r.o = Value::Symbol(2);
    r.source = 3;
    r.confidence = Confidence{52428};
    r.valid_at = kValid;
    r.observed_at = r.committed_at = kNow;
    return r;
  }

  SymbolTable table_;
};

TEST_F(DescribeTest, MemoryRecords) {
  EXPECT_EQ(DescribeRecord(Sem(), table_),
            "SEM __mem_0 at 2024-04-17T10:40:00Z (sem @alice @knows @bob :src @observation "
            ":c 0.8 :v 2024-01-15T00:00:00Z)");
  InfRecord inf;
  inf.memory_id = 6;
  inf.s = 0;
  inf.p = 1;
  inf.o = Value::Integer(3);
  inf.derived_from = {4};
  inf.method = 9;
  inf.confidence = Confidence{65535};
  inf.valid_at = kValid;
  inf.observed_at = inf.committed_at = kNow;
  inf.invalid_at = kNow + 1000;
  inf.stale = true;
  EXPECT_EQ(DescribeRecord(inf, table_),
            "INF __mem_1 at 2024-04-17T10:40:00Z invalid_at 2024-04-17T10:40:01Z stale "
            "(inf @alice @knows 3 (@__mem_0) @majority_vote :c 1.0 :v 2024-01-15T00:00:00Z)");
}

TEST_F(DescribeTest, UnrenderableMemoryRecordStillDescribed) {
  SemRecord r = Sem();
  r.source = 77;
  r.o = Value::Float(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(DescribeRecord(r, table_),
            "SEM __mem_0 at 2024-04-17T10:40:00Z (sem @alice @knows nil :src @#77 :c 0.8 "
            ":v 2024-01-15T00:00:00Z)");
}

TEST_F(DescribeTest, FlagsEdgesCheckpointsEpisodes) {
  EXPECT_EQ(DescribeRecord(FlagRecord{FlagKind::kAuthoritativeSet, 4, kNow, 8}, table_),
            "AUTHORITATIVE_SET __mem_0 at 2024-04-17T10:40:00Z "
            "(authoritative_set @__mem_0 :actor @mira)");
  EXPECT_EQ(DescribeRecord(EdgeRecord{EdgeKind::kSupersedes, 6, 4, kValid}, table_),
            "SUPERSEDES __mem_1 -> __mem_0 at 2024-01-15T00:00:00Z");
  EXPECT_EQ(DescribeRecord(EdgeRecord{EdgeKind::kStaleParent, 6, 42, kValid}, table_),
            "STALE_PARENT __mem_1 -> #42 at 2024-01-15T00:00:00Z");
  EXPECT_EQ(DescribeRecord(CheckpointRecord{5, kNow, 1}, table_),
            "CHECKPOINT __ep_0 at 2024-04-17T10:40:00Z memories 1");
  EXPECT_EQ(DescribeRecord(EpisodeMetaRecord{7, kNow, "design \"x\"\n", 5, {5, 42}}, table_),
            "EPISODE_META __ep_1 at 2024-04-17T10:40:00Z label \"design \\\"x\\\"\\n\" "
            "parent __ep_0 retracted (__ep_0 #42)");
  EXPECT_EQ(DescribeRecord(EpisodeMetaRecord{7, kNow, "", std::nullopt, {}}, table_),
            "EPISODE_META __ep_1 at 2024-04-17T10:40:00Z");
}

TEST_F(DescribeTest, SymbolEvents) {
  EXPECT_EQ(DescribeRecord(
                SymbolEventRecord{SymbolEventKind::kAlloc, 5, "__ep_0", SymbolKind::kMemory, kNow},
                table_),
            "SYMBOL_ALLOC #5 __ep_0 Memory at 2024-04-17T10:40:00Z");
  EXPECT_EQ(DescribeRecord(SymbolEventRecord{SymbolEventKind::kRename, 0, "alicia",
                                             SymbolKind::kAgent, kValid},
                           table_),
            "SYMBOL_RENAME #0 alicia Agent at 2024-01-15T00:00:00Z");
  EXPECT_EQ(DescribeRecord(SymbolEventRecord{SymbolEventKind::kUnretire, 99, "Odd name",
                                             SymbolKind::kLiteral, kValid},
                           table_),
            "SYMBOL_UNRETIRE #99 \"Odd name\" Literal at 2024-01-15T00:00:00Z");
}

}  // namespace
}  // namespace urd::mem
