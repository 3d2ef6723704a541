// Copyright urd authors.

#include "memory/ir/binder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "memory/ir/parser.h"

namespace urd::mem {
namespace {

using Ev = SymbolEvent::Type;

constexpr std::string_view kGolden =
    "(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)";

std::vector<Form> Parse(std::string_view input) {
  std::vector<Form> forms;
  ParseError err;
  EXPECT_TRUE(ParseForms(input, &forms, &err)) << input << "\n" << ToStatus(err).ToString();
  return forms;
}

BindOutput BindOk(std::string_view input, SymbolTable* table) {
  BindOutput out;
  BindError err;
  EXPECT_TRUE(Bind(Parse(input), table, &out, &err))
      << input << "\n" << ToStatus(err).ToString();
  table->Commit();
  return out;
}

// Binds `input`, expects `kind`, and checks that the table is unchanged.
BindError BindFails(std::string_view input, SymbolTable* table, BindErrorKind kind) {
  const SymbolTable before = *table;
  BindOutput out;
  BindError err;
  EXPECT_FALSE(Bind(Parse(input), table, &out, &err)) << input;
  EXPECT_EQ(err.kind, kind) << input << "\n" << ToStatus(err).ToString();
  EXPECT_EQ(*table, before) << input;
  EXPECT_FALSE(table->journal_open());
  EXPECT_TRUE(out.forms.empty());
  EXPECT_TRUE(out.journal.empty());
  return err;
}

TEST(BinderTest, GoldenBatchAllocationOrder) {
  SymbolTable t;
  BindOutput out = BindOk(kGolden, &t);
  // Positional s, p, o first; then keywords in key order c, src, v.
  std::vector<SymbolEvent> want = {
      {Ev::kAllocate, 0, "alice", SymbolKind::kAgent},
      {Ev::kAllocate, 1, "knows", SymbolKind::kPredicate},
      {Ev::kAllocate, 2, "bob", SymbolKind::kLiteral},
      {Ev::kAllocate, 3, "observation", SymbolKind::kAgent},
  };
  EXPECT_EQ(out.journal, want);
  EXPECT_EQ(t.next_id(), 4u);
  ASSERT_EQ(out.forms.size(), 1u);
  const auto& sem = std::get<BoundSem>(out.forms[0]);
  EXPECT_EQ(sem.s, 0u);
  EXPECT_EQ(sem.p, 1u);
  EXPECT_EQ(sem.o, Value::Symbol(2));
  ASSERT_EQ(sem.keywords.items.size(), 3u);
  EXPECT_EQ(sem.keywords.items[0].key, "c");
  EXPECT_EQ(sem.keywords.items[0].value, Value::Float(0.8));
  EXPECT_EQ(sem.keywords.Find("src")->value, Value::Symbol(3));
  EXPECT_EQ(sem.keywords.Find("v")->value, Value::Timestamp(1705276800000));
  EXPECT_EQ(sem.keywords.Find("projected"), nullptr);
}

TEST(BinderTest, KnownSymbolsAreReusedNotReallocated) {
  SymbolTable t;
  BindOk(kGolden, &t);
  BindOutput out = BindOk(
      "(sem @alice @knows @carol :src @observation :c 1 :v 2024-01-16 :projected false)", &t);
  ASSERT_EQ(out.journal.size(), 1u);
  EXPECT_EQ(out.journal[0], (SymbolEvent{Ev::kAllocate, 4, "carol", SymbolKind::kLiteral}));
  const auto& sem = std::get<BoundSem>(out.forms[0]);
  EXPECT_EQ(sem.keywords.Find("c")->value, Value::Float(1.0));  // integer widened
  EXPECT_EQ(sem.keywords.Find("projected")->value, Value::Boolean(false));
}

TEST(BinderTest, ValuesBindByType) {
  SymbolTable t;
  BindOutput out = BindOk(
      "(sem @a email \"a@example.com\" :src @profile :c 0.9 :v 2024-01-15)"
      "(sem @a age 42 :src @profile :c 0.9 :v 2024-01-15)"
      "(sem @a height 1.5 :src @profile :c 0.9 :v 2024-01-15)"
      "(sem @a active true :src @profile :c 0.9 :v 2024-01-15)"
      "(sem @a born 1990-01-01 :src @profile :c 0.9 :v 2024-01-15)",
      &t);
  ASSERT_EQ(out.forms.size(), 5u);
  EXPECT_EQ(std::get<BoundSem>(out.forms[0]).o, Value::String("a@example.com"));
  EXPECT_EQ(std::get<BoundSem>(out.forms[1]).o, Value::Integer(42));
  EXPECT_EQ(std::get<BoundSem>(out.forms[2]).o, Value::Float(1.5));
  EXPECT_EQ(std::get<BoundSem>(out.forms[3]).o, Value::Boolean(true));
  EXPECT_EQ(std::get<BoundSem>(out.forms[4]).o, Value::Timestamp(631152000000));
  // A bareword predicate is a Predicate symbol.
  EXPECT_EQ(t.Find(*t.Lookup("email"))->kind, SymbolKind::kPredicate);
}

TEST(BinderTest, KindAnnotationOverridesSlotDefault) {
  SymbolTable t;
  BindOk("(sem @alice @knows @bob:Agent :src @observation :c 0.8 :v 2024-01-15)", &t);
  EXPECT_EQ(t.Find(*t.Lookup("bob"))->kind, SymbolKind::kAgent);
  // bob is now an Agent: as a subject it needs no annotation.
  BindOk("(sem @bob @knows @alice:Agent :src @observation :c 0.8 :v 2024-01-15)", &t);
}

TEST(BinderTest, SymbolKindMismatchLocksFirstKind) {
  SymbolTable t;
  BindOk(kGolden, &t);
  BindError err = BindFails("(sem @knows @likes @x :src @observation :c 0.8 :v 2024-01-15)", &t,
                            BindErrorKind::kSymbolKindMismatch);
  EXPECT_EQ(err.subject, "knows");
  EXPECT_EQ(err.expected, SymbolKind::kAgent);
  EXPECT_EQ(err.existing, SymbolKind::kPredicate);
  EXPECT_EQ(err.pos.column, 6u);
  BindFails("(sem @alice @knows @bob:Agent :src @observation :c 0.8 :v 2024-01-15)", &t,
            BindErrorKind::kSymbolKindMismatch);
}

TEST(BinderTest, SymbolRenameConflict) {
  SymbolTable t;
  BindOk(kGolden, &t);
  BindError err = BindFails("(rename @alice @bob)", &t, BindErrorKind::kSymbolRenameConflict);
  EXPECT_EQ(err.subject, "bob");
}

TEST(BinderTest, AliasChainLengthExceeded) {
  SymbolTable t;
  std::string batch(kGolden);
  for (size_t i = 0; i < kAliasChainLimit; ++i) {
    batch += " (alias @alice @al" + std::to_string(i) + ")";
  }
  BindOutput out = BindOk(batch, &t);
  EXPECT_EQ(t.Find(0)->aliases.size(), kAliasChainLimit);
  BindError err = BindFails("(alias @alice @one_too_many)", &t,
                            BindErrorKind::kAliasChainLengthExceeded);
  EXPECT_EQ(err.subject, "alice");
}

TEST(BinderTest, UnknownSymbol) {
  SymbolTable t;
  EXPECT_EQ(BindFails("(retire @ghost)", &t, BindErrorKind::kUnknownSymbol).subject, "ghost");
  BindFails("(rename @ghost @spirit)", &t, BindErrorKind::kUnknownSymbol);
  BindFails("(alias @ghost @spirit)", &t, BindErrorKind::kUnknownSymbol);
}

TEST(BinderTest, BadKind) {
  SymbolTable t;
  BindError err = BindFails("(sem @alice:Robot @knows @bob :src @observation :c 0.8 :v 2024-01-15)",
                            &t, BindErrorKind::kBadKind);
  EXPECT_EQ(err.subject, "Robot");
  BindFails("(sem @alice:AGENT @knows @bob :src @observation :c 0.8 :v 2024-01-15)", &t,
            BindErrorKind::kBadKind);  // case-sensitive
}

TEST(BinderTest, UnregisteredInferenceMethod) {
  SymbolTable t;
  BindError err = BindFails("(inf @alice @likes @coffee (@m1 @m2) @guesswork :c 0.7 :v 2024-01-20)",
                            &t, BindErrorKind::kUnregisteredInferenceMethod);
  EXPECT_EQ(err.subject, "guesswork");
}

TEST(BinderTest, InferenceBindsParentsAndMethod) {
  SymbolTable t;
  BindOutput out =
      BindOk("(inf @alice @likes @coffee (@mem1 @mem2) @majority_vote :c 0.7 :v 2024-01-20)", &t);
  const auto& inf = std::get<BoundInf>(out.forms[0]);
  EXPECT_EQ(inf.derived_from, (std::vector<SymbolId>{3, 4}));
  EXPECT_EQ(inf.method, 5u);
  EXPECT_EQ(t.Find(3)->kind, SymbolKind::kMemory);
  EXPECT_EQ(t.Find(5)->kind, SymbolKind::kInferenceMethod);
}

TEST(BinderTest, InvalidKeywordValue) {
  SymbolTable t;
  BindError err = BindFails("(sem @a @p @b :src @observation :c \"high\" :v 2024-01-15)", &t,
                            BindErrorKind::kInvalidKeywordValue);
  EXPECT_EQ(err.subject, "c");
  err = BindFails("(sem @a @p @b :src @observation :c 0.8 :v 2024-01-15 :projected 1)", &t,
                  BindErrorKind::kInvalidKeywordValue);
  EXPECT_EQ(err.subject, "projected");
  BindFails("(query :include_retired \"yes\")", &t, BindErrorKind::kInvalidKeywordValue);
}

TEST(BinderTest, ConfidenceOutOfRange) {
  SymbolTable t;
  BindFails("(sem @a @p @b :src @observation :c 1.5 :v 2024-01-15)", &t,
            BindErrorKind::kConfidenceOutOfRange);
  BindFails("(sem @a @p @b :src @observation :c 2 :v 2024-01-15)", &t,
            BindErrorKind::kConfidenceOutOfRange);
  BindFails("(sem @a @p @b :src @observation :c -0.1 :v 2024-01-15)", &t,
            BindErrorKind::kConfidenceOutOfRange);
}

TEST(BinderTest, UnexpectedListForNilAndLists) {
  SymbolTable t;
  BindError err = BindFails("(pro @rule \"t\" \"a\" :scp @mimir :src @policy :c 1.0 :pre nil)", &t,
                            BindErrorKind::kUnexpectedList);
  EXPECT_EQ(err.subject, "pre");
  err = BindFails("(sem @a @p (1 2) :src @observation :c 0.8 :v 2024-01-15)", &t,
                  BindErrorKind::kUnexpectedList);
  EXPECT_EQ(err.subject, "o");
}

TEST(BinderTest, InvalidTimestampKeyword) {
  SymbolTable t;
  BindError err = BindFails("(sem @a @p @b :src @observation :c 0.8 :v 2024-01-15T10:00:00)", &t,
                            BindErrorKind::kInvalidTimestampKeyword);
  EXPECT_EQ(err.subject, "2024-01-15T10:00:00");
}

TEST(BinderTest, LabelTooLong) {
  SymbolTable t;
  BindOk("(episode :start :label \"" + std::string(kMaxEpisodeLabelBytes, 'x') + "\")", &t);
  BindError err =
      BindFails("(episode :start :label \"" + std::string(kMaxEpisodeLabelBytes + 1, 'x') + "\")",
                &t, BindErrorKind::kLabelTooLong);
  EXPECT_EQ(err.length, kMaxEpisodeLabelBytes + 1);
}

TEST(BinderTest, AliasAttachesUnknownNameToKnownOne) {
  SymbolTable t;
  BindOk(kGolden, &t);
  BindOutput out = BindOk("(alias @alice @al) (alias @ally @alice)", &t);
  EXPECT_EQ(t.Lookup("al"), 0u);
  EXPECT_EQ(t.Lookup("ally"), 0u);
  EXPECT_EQ(t.next_id(), 4u);  // no id allocated for an alias
  std::vector<SymbolEvent> want = {{Ev::kAlias, 0, "al", SymbolKind::kAgent},
                                   {Ev::kAlias, 0, "ally", SymbolKind::kAgent}};
  EXPECT_EQ(out.journal, want);
  // Both names already the same symbol: a no-op, nothing journalled.
  out = BindOk("(alias @al @alice)", &t);
  EXPECT_TRUE(out.journal.empty());
  EXPECT_EQ(std::get<BoundAlias>(out.forms[0]).id, 0u);
  // Two different symbols: conflict.
  BindFails("(alias @alice @bob)", &t, BindErrorKind::kSymbolRenameConflict);
  // The alias is usable in any slot.
  BindOutput sem = BindOk("(sem @al @knows @bob :src @observation :c 0.8 :v 2024-01-16)", &t);
  EXPECT_TRUE(sem.journal.empty());
  EXPECT_EQ(std::get<BoundSem>(sem.forms[0]).s, 0u);
}

TEST(BinderTest, RenameKeepsIdAndBothNamesResolve) {
  SymbolTable t;
  BindOk(kGolden, &t);
  BindOutput out = BindOk("(rename @bob @robert)", &t);
  std::vector<SymbolEvent> want = {{Ev::kRename, 2, "robert", SymbolKind::kLiteral}};
  EXPECT_EQ(out.journal, want);
  EXPECT_EQ(t.Lookup("bob"), 2u);
  EXPECT_EQ(t.Lookup("robert"), 2u);
  EXPECT_EQ(t.Find(2)->canonical_name, "robert");
  EXPECT_EQ(t.next_id(), 4u);
}

TEST(BinderTest, RetireIsSoft) {
  SymbolTable t;
  BindOk(kGolden, &t);
  BindOutput out = BindOk("(retire @bob :reason \"obsolete\")", &t);
  std::vector<SymbolEvent> want = {{Ev::kRetire, 2, "bob", SymbolKind::kLiteral}};
  EXPECT_EQ(out.journal, want);
  EXPECT_EQ(std::get<BoundRetire>(out.forms[0]).reason, "obsolete");
  EXPECT_TRUE(t.IsRetired(2));
  EXPECT_EQ(t.Lookup("bob"), 2u);
  // Still usable; retiring again is fine.
  BindOk("(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-16) (retire @bob :reason 3)",
         &t);
  EXPECT_TRUE(t.IsRetired(2));
}

TEST(BinderTest, FailingFormRollsBackTheWholeBatch) {
  SymbolTable t;
  BindOk(kGolden, &t);
  BindOk("(alias @alice @al) (retire @bob)", &t);
  // The earlier forms allocate, alias, rename and retire; the last form fails, so
  // every mutation of the batch is undone.
  BindFails(
      "(sem @carol @likes @tea :src @observation :c 0.9 :v 2024-01-15)"
      "(alias @carol @caz) (rename @alice @alicia) (retire @knows)"
      "(epi @ev1 @meeting (@alice @dave) @room_101 :at 2024-01-15T10:00:00Z"
      " :obs 2024-01-15T10:05:00Z :src @observation :c 0.9)"
      "(sem @erin @likes @coffee :src @observation :c 7 :v 2024-01-15)",
      &t, BindErrorKind::kConfidenceOutOfRange);
  EXPECT_EQ(t.next_id(), 4u);
  EXPECT_EQ(t.Lookup("carol"), std::nullopt);
  EXPECT_EQ(t.Lookup("alicia"), std::nullopt);
  EXPECT_FALSE(t.IsRetired(1));
  EXPECT_TRUE(t.IsRetired(2));
}

TEST(BinderTest, CallerMarkCoversALaterStageFailure) {
  SymbolTable t;
  BindOk(kGolden, &t);
  const SymbolTable before = t;
  SymbolTable::UndoMark mark = t.Mark();
  BindOutput out;
  BindError err;
  ASSERT_TRUE(Bind(Parse("(sem @carol @likes @tea :src @observation :c 0.9 :v 2024-01-15)"), &t,
                   &out, &err));
  EXPECT_TRUE(t.journal_open());
  EXPECT_NE(t, before);
  t.RollbackTo(mark);  // e.g. the semantic stage rejected the batch
  t.Commit();
  EXPECT_EQ(t, before);
}

TEST(BinderTest, QueryLooksUpAndNeverAllocates) {
  SymbolTable t;
  BindOk(kGolden, &t);
  const SymbolTable before = t;
  BindOutput out = BindOk("(query @alice :s @alice :p @likes :kind pro :limit 5 :debug_mode true)", &t);
  EXPECT_EQ(t, before);
  EXPECT_TRUE(out.journal.empty());
  const auto& q = std::get<BoundQuery>(out.forms[0]);
  ASSERT_TRUE(q.selector.has_value());
  EXPECT_EQ(q.selector->value, Value::Symbol(0));
  ASSERT_EQ(q.keywords.size(), 5u);  // debug_mode kind limit p s
  EXPECT_EQ(q.keywords[0].key, "debug_mode");
  EXPECT_EQ(q.keywords[0].value.value, Value::Boolean(true));
  EXPECT_EQ(q.keywords[1].value.value, Value::String("pro"));
  EXPECT_EQ(q.keywords[2].value.value, Value::Integer(5));
  EXPECT_EQ(q.keywords[3].key, "p");
  EXPECT_FALSE(q.keywords[3].value.value.has_value());
  EXPECT_EQ(q.keywords[3].value.unknown_symbol, "likes");
  EXPECT_EQ(q.keywords[4].value.value, Value::Symbol(0));
}

TEST(BinderTest, AllFifteenFormsBind) {
  SymbolTable t;
  BindOutput out = BindOk(
      std::string(kGolden) +
          "(epi @ev1 @meeting (@alice @bob2) @room_101 :at 2024-01-15T10:00:00Z"
          " :obs 2024-01-15T10:05:00Z :src @observation :c 0.9)"
          "(pro @rule_route \"agent_write\" \"route_via_librarian\" :scp @mimir :src @policy"
          " :c 1.0 :pre \"always\")"
          "(inf @alice @friend_of @carol (@m0 @m1) @citation_link :c 0.6 :v 2024-01-15)"
          "(alias @alice @al) (rename @bob @robert) (retire @robert)"
          "(correct @target_ep (epi @ev2 @meeting (@alice) @room_101"
          " :at 2024-01-15T10:00:00Z :obs 2024-01-15T10:00:00Z :src @alice :c 0.9))"
          "(promote @scratch_42) (query :s @alice)"
          "(episode :start :label \"design\" :parent_episode @prior_ep :retracts (@bad_ep))"
          "(pin @mem_42 :actor @mira) (unpin @mem_42 :actor @mira)"
          "(authoritative_set @mem_43 :actor @operator)"
          "(authoritative_clear @mem_43 :actor @operator) (episode :close)",
      &t);
  ASSERT_EQ(out.forms.size(), 16u);
  EXPECT_TRUE(std::holds_alternative<BoundEpi>(out.forms[1]));
  const auto& pro = std::get<BoundPro>(out.forms[2]);
  EXPECT_EQ(pro.trigger, Value::String("agent_write"));
  EXPECT_EQ(pro.keywords.Find("pre")->value, Value::String("always"));
  EXPECT_EQ(t.Find(*t.Lookup("mimir"))->kind, SymbolKind::kScope);
  EXPECT_EQ(t.Find(*t.Lookup("rule_route"))->kind, SymbolKind::kMemory);
  EXPECT_EQ(t.Find(*t.Lookup("meeting"))->kind, SymbolKind::kEventType);
  EXPECT_EQ(t.Find(*t.Lookup("bob2"))->kind, SymbolKind::kAgent);
  EXPECT_EQ(t.Find(*t.Lookup("room_101"))->kind, SymbolKind::kLiteral);
  EXPECT_EQ(t.Find(*t.Lookup("target_ep"))->kind, SymbolKind::kMemory);
  EXPECT_EQ(t.Find(*t.Lookup("scratch_42"))->kind, SymbolKind::kMemory);
  EXPECT_EQ(t.Find(*t.Lookup("prior_ep"))->kind, SymbolKind::kMemory);
  EXPECT_EQ(t.Find(*t.Lookup("bad_ep"))->kind, SymbolKind::kMemory);
  EXPECT_EQ(t.Find(*t.Lookup("mem_42"))->kind, SymbolKind::kMemory);
  EXPECT_EQ(t.Find(*t.Lookup("mira"))->kind, SymbolKind::kAgent);
  const auto& ep = std::get<BoundEpisode>(out.forms[10]);
  EXPECT_EQ(ep.label, "design");
  EXPECT_EQ(ep.parent_episode, t.Lookup("prior_ep"));
  ASSERT_TRUE(ep.retracts.has_value());
  EXPECT_EQ(*ep.retracts, std::vector<SymbolId>{*t.Lookup("bad_ep")});
  const auto& auth = std::get<BoundFlag>(out.forms[13]);
  EXPECT_EQ(auth.op, BoundFlag::Op::kAuthoritativeSet);
  EXPECT_EQ(std::get<BoundEpisode>(out.forms[15]).action, EpisodeForm::Action::kClose);
  // Every allocation is journalled once, in id order.
  SymbolId next = 0;
  for (const SymbolEvent& e : out.journal) {
    if (e.type == Ev::kAllocate) {
      EXPECT_EQ(e.id, next++) << e.name;
    }
  }
  EXPECT_EQ(next, t.next_id());
}

TEST(BinderTest, ToStatusNamesKindAndPosition) {
  SymbolTable t;
  BindOutput out;
  BindError err;
  ASSERT_FALSE(Bind(Parse("(retire @ghost)"), &t, &out, &err));
  EXPECT_NE(ToStatus(err).ToString().find("line 1, column 9: UnknownSymbol: "), std::string::npos)
      << ToStatus(err).ToString();
}

}  // namespace
}  // namespace urd::mem
