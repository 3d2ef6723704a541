// Copyright urd authors.

#include "memory/ir/parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/utf8.h"

namespace urd::mem {

// Readable positions in gtest failure messages (identical in every test file).
inline void PrintTo(const Position& p, std::ostream* os) {
  *os << "{offset " << p.offset << ", line " << p.line << ", column " << p.column << "}";
}

namespace {

using VK = AstValue::Kind;

std::vector<Form> ParseOk(std::string_view input) {
  std::vector<Form> forms;
  ParseError err;
  EXPECT_TRUE(ParseForms(input, &forms, &err))
      << "input: " << input << "\nerror: " << ToStatus(err).ToString();
  return forms;
}

ParseError ParseErr(std::string_view input) {
  std::vector<Form> forms;
  ParseError err;
  EXPECT_FALSE(ParseForms(input, &forms, &err)) << "input: " << input;
  EXPECT_TRUE(forms.empty());
  return err;
}

template <typename T>
T ParseOne(std::string_view input) {
  std::vector<Form> forms = ParseOk(input);
  if (forms.size() != 1 || !std::holds_alternative<T>(forms[0])) {
    ADD_FAILURE() << "expected one form of the requested type: " << input;
    return T{};
  }
  return std::get<T>(std::move(forms[0]));
}

Position Pos(uint32_t offset, uint32_t line, uint32_t column) {
  return Position{offset, line, column};
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

constexpr const char* kSemTail = " :src @observation :c 0.8 :v 2024-01-15)";

// ---- the spec's literal examples ----

TEST(ParserTest, AllSpecExamplesParse) {
  struct Example {
    const char* text;
    std::vector<std::string_view> heads;
  };
  const Example examples[] = {
      {"(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)", {"sem"}},
      {"(sem @alice email \"alice@example.com\" :src @profile :c 0.95 :v 2024-01-15)", {"sem"}},
      {"(sem @alice status @future :src @agent_instruction :c 0.9 :v 2099-01-01 :projected true)",
       {"sem"}},
      {"(epi @ev1 @meeting (@alice @bob) @room_101 :at 2024-01-15T10:00:00Z "
       ":obs 2024-01-15T10:05:00Z :src @observation :c 0.9)",
       {"epi"}},
      {"(epi @evt_001 @rename (@old @new) @github :at 2024-01-15T10:00:00Z "
       ":obs 2024-01-15T10:00:05Z :src @alice :c 0.9)",
       {"epi"}},
      {"(pro @rule_route \"agent_write\" \"route_via_librarian\" :scp @mimir :src @policy :c 1.0)",
       {"pro"}},
      {"(pro @rule_1 \"agent writes a memory\" \"route via librarian\" :scp @mimir "
       ":src @agent_instruction :c 0.9)",
       {"pro"}},
      {"(inf @alice @likes @coffee (@mem1 @mem2) @majority_vote :c 0.7 :v 2024-01-20)", {"inf"}},
      {"(inf @alice @friend_of @carol (@m0 @m1) @citation_link :c 0.6 :v 2024-01-15)", {"inf"}},
      {"(episode :start :label \"design-session\" :parent_episode @prior_ep :retracts (@bad_ep))",
       {"episode"}},
      {"(episode :start :parent_episode @__ep_0)", {"episode"}},
      {"(episode :close)", {"episode"}},
      {"(pin @mem_42 :actor @mira)", {"pin"}},
      {"(authoritative_set @mem_43 :actor @operator)", {"authoritative_set"}},
      {"(unpin @__mem_0 :actor @mira)", {"unpin"}},
      {"(rename @old @new)   (retire @tmp)   (alias @a @b)   (promote @scratch_42)",
       {"rename", "retire", "alias", "promote"}},
      {"(correct @target_ep (epi @ev @k (@p) @loc :at 2024-01-15T10:00:00Z "
       ":obs 2024-01-15T10:00:00Z :src @alice :c 0.9))",
       {"correct"}},
      {"(query :s @alice :p @knows)   (query :kind pro)   (query :s @alice :p email :debug_mode "
       "true)",
       {"query", "query", "query"}},
      {"(query :episode_chain @__ep_1)   (query :include_retired true)   (query)",
       {"query", "query", "query"}},
  };
  for (const Example& ex : examples) {
    const std::vector<Form> forms = ParseOk(ex.text);
    ASSERT_EQ(forms.size(), ex.heads.size()) << ex.text;
    for (size_t i = 0; i < forms.size(); ++i) EXPECT_EQ(FormHead(forms[i]), ex.heads[i]);
  }
}

TEST(ParserTest, SpecExamplesAsOneProgramWithComments) {
  const char* program = R"(
; sem
(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)
; flags
(pin @mem_42 :actor @mira)
(authoritative_clear @mem_43 :actor @operator)
)";
  const std::vector<Form> forms = ParseOk(program);
  ASSERT_EQ(forms.size(), 3u);
  EXPECT_EQ(FormPosition(forms[1]), Pos(79, 5, 1));
  EXPECT_EQ(FormHead(forms[2]), "authoritative_clear");
}

// ---- structure of each form ----

TEST(ParserTest, SemStructure) {
  const auto f = ParseOne<SemForm>(
      "(sem @alice email \"alice@example.com\" :src @profile :c 0.95 :v 2024-01-15)");
  EXPECT_EQ(f.pos, Pos(0, 1, 1));
  EXPECT_EQ(f.s.name, "alice");
  EXPECT_FALSE(f.s.bareword);
  EXPECT_EQ(f.p.name, "email");
  EXPECT_TRUE(f.p.bareword);
  EXPECT_EQ(f.p.pos, Pos(12, 1, 13));
  EXPECT_EQ(f.o.kind, VK::kString);
  EXPECT_EQ(f.o.text, "alice@example.com");
  ASSERT_EQ(f.keywords.size(), 3u);
  EXPECT_EQ(f.keywords.at("src").kind, VK::kSymbol);
  EXPECT_EQ(f.keywords.at("src").text, "profile");
  EXPECT_EQ(f.keywords.at("c").kind, VK::kFloat);
  EXPECT_DOUBLE_EQ(f.keywords.at("c").real, 0.95);
  EXPECT_EQ(f.keywords.at("v").kind, VK::kTimestamp);
  EXPECT_EQ(f.keywords.at("v").millis, 1'705'276'800'000u);
}

TEST(ParserTest, KeywordMapIteratesInLexicographicOrder) {
  const auto f = ParseOne<SemForm>("(sem @a @b @c :v 2024-01-15 :src @x :projected false :c 1)");
  std::vector<std::string> keys;
  for (const auto& [k, v] : f.keywords) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"c", "projected", "src", "v"}));
  EXPECT_EQ(f.keywords.at("c").kind, VK::kInteger);
  EXPECT_EQ(f.keywords.at("projected").kind, VK::kBoolean);
}

TEST(ParserTest, EpiStructure) {
  const auto f = ParseOne<EpiForm>(
      "(epi @ev1 @meeting (@alice @bob:Agent) @room_101 :at 2024-01-15T10:00:00Z "
      ":obs 2024-01-15T10:05:00Z :src @observation :c 0.9)");
  EXPECT_EQ(f.event_id.name, "ev1");
  EXPECT_EQ(f.kind.name, "meeting");
  ASSERT_EQ(f.participants.size(), 2u);
  EXPECT_EQ(f.participants[1].name, "bob");
  EXPECT_EQ(f.participants[1].kind, "Agent");
  EXPECT_TRUE(f.participants[1].has_kind());
  EXPECT_EQ(f.location.name, "room_101");
  EXPECT_EQ(f.keywords.at("at").millis, 1'705'276'800'000u + 10 * 3'600'000u);
  EXPECT_EQ(f.keywords.at("obs").millis, 1'705'276'800'000u + 10 * 3'600'000u + 300'000u);
}

TEST(ParserTest, EmptySymbolListParses) {
  const auto f =
      ParseOne<EpiForm>("(epi @e @k () @l :at 2024-01-15 :obs 2024-01-15 :src @s :c 0.5)");
  EXPECT_TRUE(f.participants.empty());
}

TEST(ParserTest, ProStructureWithNilPrecondition) {
  const auto f = ParseOne<ProForm>(
      "(pro @rule_1 \"agent writes a memory\" (route @librarian) :scp @mimir "
      ":src @agent_instruction :c 0.9 :pre nil)");
  EXPECT_EQ(f.rule_id.name, "rule_1");
  EXPECT_EQ(f.trigger.kind, VK::kString);
  ASSERT_EQ(f.action.kind, VK::kList);
  ASSERT_EQ(f.action.items.size(), 2u);
  EXPECT_EQ(f.action.items[0].kind, VK::kBareword);
  EXPECT_EQ(f.action.items[1].kind, VK::kSymbol);
  EXPECT_EQ(f.keywords.at("pre").kind, VK::kNil);  // parses; rejected later by the binder
}

TEST(ParserTest, InfStructure) {
  const auto f = ParseOne<InfForm>(
      "(inf @alice @likes @coffee (@mem1 @mem2) @majority_vote :c 0.7 :v 2024-01-20)");
  EXPECT_EQ(f.s.name, "alice");
  EXPECT_EQ(f.p.name, "likes");
  EXPECT_EQ(f.o.text, "coffee");
  ASSERT_EQ(f.derived_from.size(), 2u);
  EXPECT_EQ(f.derived_from[0].name, "mem1");
  EXPECT_EQ(f.method.name, "majority_vote");
  EXPECT_EQ(f.keywords.size(), 2u);
}

TEST(ParserTest, SymbolOperations) {
  const std::vector<Form> forms = ParseOk(
      "(rename @old @new) (retire @tmp :reason \"stale\") (alias @a @b:Agent) "
      "(promote @scratch_42)");
  ASSERT_EQ(forms.size(), 4u);
  const auto& rename = std::get<RenameForm>(forms[0]);
  EXPECT_EQ(rename.old_name.name, "old");
  EXPECT_EQ(rename.new_name.name, "new");
  const auto& retire = std::get<RetireForm>(forms[1]);
  EXPECT_EQ(retire.name.name, "tmp");
  EXPECT_EQ(retire.keywords.at("reason").text, "stale");
  EXPECT_EQ(std::get<AliasForm>(forms[2]).b.kind, "Agent");
  EXPECT_EQ(std::get<PromoteForm>(forms[3]).name.name, "scratch_42");
}

TEST(ParserTest, CorrectHoldsItsEpiBody) {
  const auto f = ParseOne<CorrectForm>(
      "(correct @target_ep (epi @ev @k (@p) @loc :at 2024-01-15T10:00:00Z "
      ":obs 2024-01-15T10:00:00Z :src @alice :c 0.9))");
  EXPECT_EQ(f.target_episode.name, "target_ep");
  EXPECT_EQ(f.body.pos, Pos(20, 1, 21));
  EXPECT_EQ(f.body.event_id.name, "ev");
  EXPECT_EQ(f.body.keywords.size(), 4u);
}

TEST(ParserTest, QuerySelectorAndKeywords) {
  auto q = ParseOne<QueryForm>("(query)");
  EXPECT_FALSE(q.selector.has_value());
  EXPECT_TRUE(q.keywords.empty());
  q = ParseOne<QueryForm>("(query @alice :limit 5 :as_of 2024-01-15)");
  ASSERT_TRUE(q.selector.has_value());
  EXPECT_EQ(q.selector->text, "alice");
  EXPECT_EQ(q.keywords.at("limit").integer, 5);
  q = ParseOne<QueryForm>("(query (1 \"two\" 3.0 (nested)) :kind sem)");
  ASSERT_TRUE(q.selector.has_value());
  EXPECT_EQ(q.selector->items.size(), 4u);
  EXPECT_EQ(q.selector->items[3].items[0].text, "nested");
  // Every allowed query keyword is accepted.
  ParseOk(
      "(query :kind sem :s @a :p @b :o 1 :in_episode @e :after_episode @e :before_episode @e "
      ":episode_chain @e :as_of 2024-01-15 :as_committed 2024-01-15 :include_retired true "
      ":include_projected true :confidence_threshold 0.5 :limit 10 :explain_filtered true "
      ":show_framing true :debug_mode true :read_after 2024-01-15 :timeout_ms 100)");
}

TEST(ParserTest, EpisodeStartAndClose) {
  auto e = ParseOne<EpisodeForm>(
      "(episode :start :retracts (@bad_ep @worse:Memory) :label \"design\" :parent_episode @p)");
  EXPECT_EQ(e.action, EpisodeForm::Action::kStart);
  EXPECT_EQ(e.label, "design");
  EXPECT_EQ(e.label_pos, Pos(57, 1, 58));
  ASSERT_TRUE(e.parent_episode.has_value());
  EXPECT_EQ(e.parent_episode->name, "p");
  ASSERT_TRUE(e.retracts.has_value());
  EXPECT_EQ(e.retracts->size(), 2u);
  e = ParseOne<EpisodeForm>("(episode :start)");
  EXPECT_FALSE(e.label.has_value());
  EXPECT_FALSE(e.retracts.has_value());
  e = ParseOne<EpisodeForm>("(episode :close)");
  EXPECT_EQ(e.action, EpisodeForm::Action::kClose);
}

TEST(ParserTest, FlagFormsCarryMemoryAndActor) {
  const std::vector<Form> forms = ParseOk(
      "(pin @m :actor @mira) (unpin @m :actor @mira:Agent) "
      "(authoritative_set @m :actor @op) (authoritative_clear @m :actor @op)");
  ASSERT_EQ(forms.size(), 4u);
  EXPECT_EQ(std::get<PinForm>(forms[0]).actor.name, "mira");
  EXPECT_EQ(std::get<UnpinForm>(forms[1]).actor.kind, "Agent");
  EXPECT_EQ(std::get<AuthoritativeSetForm>(forms[2]).memory.name, "m");
  EXPECT_EQ(std::get<AuthoritativeClearForm>(forms[3]).actor.pos, Pos(117, 1, 118));
}

TEST(ParserTest, OpcodeNamesAreAcceptedAsPredicateBarewords) {
  for (const char* pred : {"rename", "sem", "query", "authoritative_set", "episode"}) {
    const auto f = ParseOne<SemForm>(std::string("(sem @x ") + pred + " @y" + kSemTail);
    EXPECT_EQ(f.p.name, pred);
    EXPECT_TRUE(f.p.bareword);
  }
  const auto inf =
      ParseOne<InfForm>("(inf @x correct @y (@m) @majority_vote :c 0.5 :v 2024-01-15)");
  EXPECT_EQ(inf.p.name, "correct");
}

TEST(ParserTest, ValueProductionCoversEveryValueClass) {
  const auto q = ParseOne<QueryForm>(
      "(query (@s @t:Agent word \"str\" -3 2.5 true nil 2024-01-15 2024-01-15T10:00:00 ()))");
  const std::vector<AstValue>& items = q.selector->items;
  const std::vector<VK> kinds = {VK::kSymbol,    VK::kTypedSymbol,  VK::kBareword, VK::kString,
                                 VK::kInteger,   VK::kFloat,        VK::kBoolean,  VK::kNil,
                                 VK::kTimestamp, VK::kTimestampRaw, VK::kList};
  ASSERT_EQ(items.size(), kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) EXPECT_EQ(items[i].kind, kinds[i]) << i;
  EXPECT_EQ(items[1].symbol_kind, "Agent");
  EXPECT_EQ(items[4].integer, -3);
  EXPECT_EQ(items[9].text, "2024-01-15T10:00:00");
  EXPECT_TRUE(items[10].items.empty());
}

TEST(ParserTest, TimestampThatDoesNotConvertStaysRaw) {
  for (const char* ts : {"2024-01-15T10:00:00", "1969-12-31", "2024-13-01"}) {
    const auto f = ParseOne<SemForm>(std::string("(sem @a @b @c :src @s :c 0.9 :v ") + ts + ")");
    EXPECT_EQ(f.keywords.at("v").kind, VK::kTimestampRaw) << ts;
    EXPECT_EQ(f.keywords.at("v").text, ts);
  }
  const auto f = ParseOne<SemForm>("(sem @a @b @c :src @s :c 0.9 :v 2024-01-15T25:99:99Z)");
  EXPECT_EQ(f.keywords.at("v").kind, VK::kTimestamp);
}

TEST(ParserTest, EmptyAndCommentOnlyInputsHaveNoForms) {
  EXPECT_TRUE(ParseOk("").empty());
  EXPECT_TRUE(ParseOk("  \n\t ").empty());
  EXPECT_TRUE(ParseOk("; nothing here\n; at all").empty());
}

// ---- every ParseError kind, with its position ----

TEST(ParserTest, LexErrorIsWrapped) {
  const ParseError e = ParseErr("(sem @a @b \"x\\q\"" + std::string(kSemTail));
  EXPECT_EQ(e.kind, ParseErrorKind::kLex);
  EXPECT_EQ(e.lex.kind, LexErrorKind::kInvalidEscape);
  EXPECT_EQ(e.pos, Pos(13, 1, 14));
  EXPECT_EQ(e.lex.pos, e.pos);
}

TEST(ParserTest, HyphenatedOpcodeFailsAtLexTime) {
  const ParseError e = ParseErr("(authoritative-set @mem_43 :actor @operator)");
  EXPECT_EQ(e.kind, ParseErrorKind::kLex);
  EXPECT_EQ(e.lex.kind, LexErrorKind::kInvalidNumber);
  EXPECT_EQ(e.pos, Pos(14, 1, 15));
}

TEST(ParserTest, LowercaseSymbolKindFailsAtLexTime) {
  const ParseError e = ParseErr("(pin @m :actor @x:agent)");
  EXPECT_EQ(e.kind, ParseErrorKind::kLex);
  EXPECT_EQ(e.lex.kind, LexErrorKind::kInvalidIdentifier);
  EXPECT_EQ(e.pos, Pos(15, 1, 16));
}

TEST(ParserTest, LexErrorWinsOverAnEarlierGrammarError) {
  // The whole input is lexed before parsing starts.
  const ParseError e = ParseErr("(frobnicate @x)\n(sem @a @b $)");
  EXPECT_EQ(e.kind, ParseErrorKind::kLex);
  EXPECT_EQ(e.pos, Pos(27, 2, 12));
}

TEST(ParserTest, UnexpectedTokenForNonBarewordHead) {
  const ParseError e = ParseErr("(@sem @a)");
  EXPECT_EQ(e.kind, ParseErrorKind::kUnexpectedToken);
  EXPECT_EQ(e.pos, Pos(1, 1, 2));
  EXPECT_NE(e.message.find("symbol @sem"), std::string::npos) << e.message;
  EXPECT_EQ(ParseErr("(true)").kind, ParseErrorKind::kUnexpectedToken);
  EXPECT_EQ(ParseErr("(nil)").kind, ParseErrorKind::kUnexpectedToken);
  EXPECT_EQ(ParseErr("(\"sem\")").kind, ParseErrorKind::kUnexpectedToken);
  EXPECT_EQ(ParseErr("(())").kind, ParseErrorKind::kUnexpectedToken);
}

TEST(ParserTest, UnexpectedTokenAtTopLevel) {
  ParseError e = ParseErr("(promote @a) )");
  EXPECT_EQ(e.kind, ParseErrorKind::kUnexpectedToken);
  EXPECT_EQ(e.pos, Pos(13, 1, 14));
  e = ParseErr("sem @a");
  EXPECT_EQ(e.kind, ParseErrorKind::kUnexpectedToken);
  EXPECT_EQ(e.pos, Pos(0, 1, 1));
}

TEST(ParserTest, UnexpectedTokenInSymbolSlots) {
  struct Case {
    const char* input;
    Position pos;
  };
  for (const Case& c :
       {Case{"(sem \"a\" @b @c :src @s :c 1 :v 2024-01-15)", Pos(5, 1, 6)},
        Case{"(sem @a \"b\" @c :src @s :c 1 :v 2024-01-15)", Pos(8, 1, 9)},
        Case{"(rename @a)", Pos(10, 1, 11)}, Case{"(alias @a @b @c)", Pos(13, 1, 14)},
        Case{"(retire tmp)", Pos(8, 1, 9)}, Case{"(epi @e @k @p @l)", Pos(11, 1, 12)},
        Case{"(inf @a @b @c @m @method :c 1 :v 2024-01-15)", Pos(14, 1, 15)},
        Case{"(pin 42 :actor @a)", Pos(5, 1, 6)}, Case{"(correct @t @x)", Pos(12, 1, 13)},
        Case{"(retire @x @y)", Pos(11, 1, 12)}}) {
    const ParseError e = ParseErr(c.input);
    EXPECT_EQ(e.kind, ParseErrorKind::kUnexpectedToken) << c.input;
    EXPECT_EQ(e.pos, c.pos) << c.input;
  }
}

TEST(ParserTest, UnexpectedTokenInKeywordBlock) {
  const ParseError e = ParseErr("(sem @a @b @c @d :src @s :c 1 :v 2024-01-15)");
  EXPECT_EQ(e.kind, ParseErrorKind::kUnexpectedToken);
  EXPECT_EQ(e.pos, Pos(14, 1, 15));
  EXPECT_NE(e.message.find("a keyword or `)`"), std::string::npos) << e.message;
  EXPECT_EQ(e.form, "sem");
}

TEST(ParserTest, CorrectBodyMustBeEpi) {
  const ParseError e = ParseErr("(correct @t (sem @a @b @c" + std::string(kSemTail) + ")");
  EXPECT_EQ(e.kind, ParseErrorKind::kUnexpectedToken);
  EXPECT_EQ(e.pos, Pos(12, 1, 13));
  EXPECT_NE(e.message.find("corrected body must be an `epi` form"), std::string::npos) << e.message;
  EXPECT_EQ(e.form, "correct");
  // An error inside the body is reported as such.
  EXPECT_EQ(ParseErr("(correct @t (bogus))").kind, ParseErrorKind::kUnknownOpcode);
}

TEST(ParserTest, UnexpectedEofReportsEndOfInput) {
  struct Case {
    const char* input;
    Position pos;
  };
  for (const Case& c : {Case{"(sem @a @b", Pos(10, 1, 11)}, Case{"(", Pos(1, 1, 2)},
                        Case{"(sem @a @b @c :src", Pos(18, 1, 19)}, Case{"(query\n", Pos(7, 2, 1)},
                        Case{"(episode", Pos(8, 1, 9)}, Case{"(episode :close", Pos(15, 1, 16)},
                        Case{"(correct @t", Pos(11, 1, 12)}, Case{"(epi @e @k", Pos(10, 1, 11)}}) {
    const ParseError e = ParseErr(c.input);
    EXPECT_EQ(e.kind, ParseErrorKind::kUnexpectedEof) << c.input;
    EXPECT_EQ(e.pos, c.pos) << c.input;
  }
}

TEST(ParserTest, UnknownOpcode) {
  const ParseError e = ParseErr("\n  (frobnicate @x)");
  EXPECT_EQ(e.kind, ParseErrorKind::kUnknownOpcode);
  EXPECT_EQ(e.pos, Pos(4, 2, 4));
  EXPECT_NE(e.message.find("frobnicate"), std::string::npos) << e.message;
  EXPECT_EQ(ParseErr("(authoritative @x)").kind, ParseErrorKind::kUnknownOpcode);
  EXPECT_EQ(ParseErr("(semantic @x)").kind, ParseErrorKind::kUnknownOpcode);
}

TEST(ParserTest, BadKeyword) {
  const ParseError e = ParseErr("(sem @a @b @c :src @s :c 0.8 :v 2024-01-15 :bogus 1)");
  EXPECT_EQ(e.kind, ParseErrorKind::kBadKeyword);
  EXPECT_EQ(e.pos, Pos(43, 1, 44));
  EXPECT_EQ(e.keyword, "bogus");
  EXPECT_EQ(e.form, "sem");
  EXPECT_NE(e.message.find(":bogus"), std::string::npos) << e.message;
  // Keywords of one form are not allowed in another.
  EXPECT_EQ(ParseErr("(inf @a @b @c (@m) @x :c 1 :v 2024-01-15 :src @s)").kind,
            ParseErrorKind::kBadKeyword);
  EXPECT_EQ(ParseErr("(alias @a @b :reason \"x\")").kind, ParseErrorKind::kBadKeyword);
  EXPECT_EQ(ParseErr("(query :bogus 1)").kind, ParseErrorKind::kBadKeyword);
}

TEST(ParserTest, EpisodeKeywordRules) {
  struct Case {
    const char* input;
    ParseErrorKind kind;
    Position pos;
  };
  using E = ParseErrorKind;
  const Case cases[] = {
      {"(episode :label \"x\")", E::kBadKeyword, Pos(9, 1, 10)},
      {"(episode :start :start)", E::kBadKeyword, Pos(16, 1, 17)},
      {"(episode :start :close)", E::kBadKeyword, Pos(16, 1, 17)},
      {"(episode :start :src @x)", E::kBadKeyword, Pos(16, 1, 17)},
      {"(episode)", E::kUnexpectedToken, Pos(8, 1, 9)},
      {"(episode @x)", E::kUnexpectedToken, Pos(9, 1, 10)},
      {"(episode :close :label \"x\")", E::kUnexpectedToken, Pos(16, 1, 17)},
      {"(episode :start :label 5)", E::kUnexpectedToken, Pos(23, 1, 24)},
      {"(episode :start :parent_episode \"p\")", E::kUnexpectedToken, Pos(32, 1, 33)},
      {"(episode :start :retracts @x)", E::kUnexpectedToken, Pos(26, 1, 27)},
      {"(episode :start @x)", E::kUnexpectedToken, Pos(16, 1, 17)},
      {"(episode :start :label \"a\" :label \"b\")", E::kDuplicateKeyword, Pos(27, 1, 28)},
      {"(episode :start :retracts () :retracts ())", E::kDuplicateKeyword, Pos(29, 1, 30)},
      {"(episode :start :retracts (@a 5))", E::kExpectedSymbolInList, Pos(30, 1, 31)},
      {"(episode :start :label)", E::kExpectedValue, Pos(22, 1, 23)},
  };
  for (const Case& c : cases) {
    const ParseError e = ParseErr(c.input);
    EXPECT_EQ(e.kind, c.kind) << c.input << ": " << e.message;
    EXPECT_EQ(e.pos, c.pos) << c.input;
    EXPECT_EQ(e.form, "episode") << c.input;
  }
}

TEST(ParserTest, DuplicateKeyword) {
  const ParseError e = ParseErr("(sem @a @b @c :c 0.8 :src @s :c 0.9 :v 2024-01-15)");
  EXPECT_EQ(e.kind, ParseErrorKind::kDuplicateKeyword);
  EXPECT_EQ(e.pos, Pos(29, 1, 30));
  EXPECT_EQ(e.keyword, "c");
}

TEST(ParserTest, MissingRequiredKeywordReportsTheForm) {
  const ParseError e = ParseErr("(sem @a @b @c) (sem @a @b @c :src @observation :c 0.8)");
  EXPECT_EQ(e.kind, ParseErrorKind::kMissingRequiredKeyword);
  EXPECT_EQ(e.pos, Pos(0, 1, 1));
  EXPECT_EQ(e.keyword, "src");  // the first missing key in declared order
  const ParseError v = ParseErr("(promote @x)\n(sem @a @b @c :src @observation :c 0.8)");
  EXPECT_EQ(v.kind, ParseErrorKind::kMissingRequiredKeyword);
  EXPECT_EQ(v.pos, Pos(13, 2, 1));
  EXPECT_EQ(v.keyword, "v");
  EXPECT_NE(v.message.find(":v"), std::string::npos) << v.message;
  using E = ParseErrorKind;
  EXPECT_EQ(ParseErr("(epi @e @k () @l :at 2024-01-15 :src @s :c 1)").keyword, "obs");
  EXPECT_EQ(ParseErr("(pro @r 1 2 :src @s :c 1)").keyword, "scp");
  EXPECT_EQ(ParseErr("(inf @a @b @c (@m) @x :c 1)").keyword, "v");
  const ParseError pin = ParseErr("(pin @m)");
  EXPECT_EQ(pin.kind, E::kMissingRequiredKeyword);
  EXPECT_EQ(pin.keyword, "actor");
}

TEST(ParserTest, FlagActorMustBeASymbol) {
  for (const char* head : {"pin", "unpin", "authoritative_set", "authoritative_clear"}) {
    const std::string input = std::string("(") + head + " @m :actor \"mira\")";
    const ParseError e = ParseErr(input);
    EXPECT_EQ(e.kind, ParseErrorKind::kBadKeyword) << input;
    EXPECT_EQ(e.keyword, "actor");
    EXPECT_EQ(e.pos.column, std::string(head).size() + 13) << input;
  }
  EXPECT_EQ(ParseErr("(pin @m :actor mira)").kind, ParseErrorKind::kBadKeyword);
  EXPECT_EQ(ParseErr("(pin @m :actor (@mira))").kind, ParseErrorKind::kBadKeyword);
  EXPECT_EQ(ParseErr("(pin @m :reason \"x\" :actor @a)").kind, ParseErrorKind::kBadKeyword);
}

TEST(ParserTest, ExpectedValue) {
  ParseError e = ParseErr("(sem @a @b)");
  EXPECT_EQ(e.kind, ParseErrorKind::kExpectedValue);
  EXPECT_EQ(e.pos, Pos(10, 1, 11));
  e = ParseErr("(query :s :p @x)");
  EXPECT_EQ(e.kind, ParseErrorKind::kExpectedValue);
  EXPECT_EQ(e.pos, Pos(10, 1, 11));
  e = ParseErr("(query (1 :k 2))");
  EXPECT_EQ(e.kind, ParseErrorKind::kExpectedValue);
  EXPECT_EQ(e.pos, Pos(10, 1, 11));
  e = ParseErr("(pro @r \"t\" :scp @s :src @s :c 1)");
  EXPECT_EQ(e.kind, ParseErrorKind::kExpectedValue);
  EXPECT_EQ(e.pos, Pos(12, 1, 13));
}

TEST(ParserTest, UnbalancedListReportsTheOpenParen) {
  ParseError e = ParseErr("(query (1 (2 3)");
  EXPECT_EQ(e.kind, ParseErrorKind::kUnbalancedList);
  EXPECT_EQ(e.pos, Pos(7, 1, 8));
  e = ParseErr("(epi @e @k (@a @b");
  EXPECT_EQ(e.kind, ParseErrorKind::kUnbalancedList);
  EXPECT_EQ(e.pos, Pos(11, 1, 12));
  e = ParseErr("(inf @a @b @c (@m");
  EXPECT_EQ(e.kind, ParseErrorKind::kUnbalancedList);
  EXPECT_EQ(e.pos, Pos(14, 1, 15));
}

TEST(ParserTest, ExpectedSymbolInList) {
  struct Case {
    const char* input;
    Position pos;
  };
  for (const Case& c : {Case{"(epi @e @k (@a \"bob\") @l)", Pos(15, 1, 16)},
                        Case{"(epi @e @k (bob) @l)", Pos(12, 1, 13)},
                        Case{"(epi @e @k (@a (@b)) @l)", Pos(15, 1, 16)},
                        Case{"(epi @e @k (:a) @l)", Pos(12, 1, 13)},
                        Case{"(inf @a @b @c (@m 1) @x :c 1 :v 2024-01-15)", Pos(18, 1, 19)}}) {
    const ParseError e = ParseErr(c.input);
    EXPECT_EQ(e.kind, ParseErrorKind::kExpectedSymbolInList) << c.input;
    EXPECT_EQ(e.pos, c.pos) << c.input;
  }
}

// ---- nesting guard ----

TEST(ParserTest, NestingOf256ListsParsesAnd257IsRejected) {
  const auto nested = [](int n) { return Repeat("(", n) + "1" + Repeat(")", n); };
  auto q = ParseOne<QueryForm>("(query " + nested(256) + ")");
  const AstValue* v = &*q.selector;
  int depth = 0;
  while (v->kind == VK::kList) {
    ++depth;
    v = &v->items[0];
  }
  EXPECT_EQ(depth, 256);
  const ParseError e = ParseErr("(query " + nested(257) + ")");
  EXPECT_EQ(e.kind, ParseErrorKind::kNestingTooDeep);
  EXPECT_EQ(e.pos, Pos(7 + 256, 1, 8 + 256));  // the 257th '('
  // The same limit holds in any value slot.
  ParseOk("(sem @a @b " + nested(256) + kSemTail);
  EXPECT_EQ(ParseErr("(sem @a @b " + nested(257) + kSemTail).kind, ParseErrorKind::kNestingTooDeep);
  EXPECT_EQ(ParseErr("(sem @a @b @c :src " + nested(257) + " :c 1 :v 2024-01-15)").kind,
            ParseErrorKind::kNestingTooDeep);
}

TEST(ParserTest, NestedCorrectCountsAsALevel) {
  const auto body = [](const std::string& at) {
    return "(epi @e @k () @l :at " + at + " :obs 2024-01-15 :src @s :c 0.9)";
  };
  const auto corrects = [](int n, const std::string& inner) {
    return Repeat("(correct @t ", n) + inner + Repeat(")", n);
  };
  // One correct: its body is one level deep, so a value inside it has 255 levels left.
  ParseOk(corrects(1, body(Repeat("(", 255) + "1" + Repeat(")", 255))));
  EXPECT_EQ(ParseErr(corrects(1, body(Repeat("(", 256) + "1" + Repeat(")", 256)))).kind,
            ParseErrorKind::kNestingTooDeep);
  // With n nested corrects the innermost epi body is n levels deep: 256 stay within
  // the limit (and then fail the epi-body check of the outer corrects), 257 do not.
  const ParseError at256 = ParseErr(corrects(256, body("2024-01-15")));
  EXPECT_EQ(at256.kind, ParseErrorKind::kUnexpectedToken) << at256.message;
  EXPECT_EQ(at256.pos.offset, 255u * 12u);  // the correct that is the body of correct 255
  const ParseError at257 = ParseErr(corrects(257, body("2024-01-15")));
  EXPECT_EQ(at257.kind, ParseErrorKind::kNestingTooDeep);
  EXPECT_EQ(at257.pos.offset, 257u * 12u);  // the '(' of the innermost epi body
}

// ---- error reporting ----

TEST(ParserTest, ToStatusNamesLineColumnAndKind) {
  const ParseError e = ParseErr("(sem @a @b @c\n  :src @s :c 1 :v 2024-01-15 :bogus 1)");
  const Status s = ToStatus(e);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message().substr(0, 35), "line 2, column 30: BadKeyword: form");
  const Status lex = ToStatus(ParseErr("\"abc"));
  EXPECT_EQ(lex.message(), "line 1, column 1: Lex: UnterminatedString: string is never closed");
}

TEST(ParserTest, ParseProgramReturnsFormsOrInvalidArgument) {
  Result<std::vector<Form>> ok = ParseProgram("(query) (episode :close)");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 2u);
  Result<std::vector<Form>> bad = ParseProgram("(query) (bogus)");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_NE(bad.status().message().find("UnknownOpcode"), std::string::npos);
}

TEST(ParserTest, FailFastReportsTheFirstError) {
  const ParseError e = ParseErr("(query :bogus 1) (frobnicate)");
  EXPECT_EQ(e.kind, ParseErrorKind::kBadKeyword);
  EXPECT_EQ(ParseErrorKindName(ParseErrorKind::kNestingTooDeep), "NestingTooDeep");
}

// ---- totality: any input gives forms or a typed error, never a crash ----

class InputGenerator {
 public:
  explicit InputGenerator(uint64_t seed) : rng_(seed) {}

  std::string Next(int i) {
    switch (i % 4) {
      case 0:
        return RandomBytes();
      case 1:
        return RandomUtf8();
      case 2:
        return TokenSoup();
      default:
        return MutatedExample();
    }
  }

 private:
  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  std::string RandomBytes() {
    std::string s(Below(200), '\0');
    for (char& c : s) c = static_cast<char>(Below(256));
    return s;
  }

  std::string RandomUtf8() {
    std::string s;
    const size_t n = Below(120);
    for (size_t k = 0; k < n; ++k) {
      uint32_t cp;
      switch (Below(4)) {
        case 0:
        case 1:
          cp = static_cast<uint32_t>(Below(0x80));
          break;
        case 2:
          cp = static_cast<uint32_t>(Below(0x10000));
          break;
        default:
          cp = static_cast<uint32_t>(Below(0x110000));
          break;
      }
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0x3000;  // no surrogates: stay valid
      AppendUtf8(cp, &s);
    }
    return s;
  }

  std::string TokenSoup() {
    static const char* const kPieces[] = {"(",
                                          "(",
                                          "(",
                                          ")",
                                          ")",
                                          ")",
                                          "sem",
                                          "epi",
                                          "pro",
                                          "inf",
                                          "alias",
                                          "rename",
                                          "retire",
                                          "correct",
                                          "promote",
                                          "query",
                                          "episode",
                                          "pin",
                                          "unpin",
                                          "authoritative_set",
                                          "authoritative_clear",
                                          "bogus",
                                          "@a",
                                          "@b",
                                          "@c:Agent",
                                          "@__mem_0",
                                          ":src",
                                          ":c",
                                          ":v",
                                          ":at",
                                          ":obs",
                                          ":scp",
                                          ":pre",
                                          ":projected",
                                          ":actor",
                                          ":start",
                                          ":close",
                                          ":label",
                                          ":parent_episode",
                                          ":retracts",
                                          ":reason",
                                          ":kind",
                                          ":s",
                                          ":limit",
                                          ":bogus",
                                          "0.8",
                                          "-3",
                                          "42",
                                          "2024-01-15",
                                          "2024-01-15T10:00:00Z",
                                          "2024-01-15T10:00:00",
                                          "1969-12-31",
                                          "\"str\"",
                                          "\"a\\nb\"",
                                          "true",
                                          "false",
                                          "nil",
                                          "email",
                                          "@x:agent",
                                          "-",
                                          "1.2.3",
                                          "\"unterminated",
                                          "\"bad\\q\"",
                                          "; comment\n",
                                          "\u3000",
                                          "é",
                                          "$",
                                          "((((((((",
                                          "))))"};
    std::string s;
    const size_t n = Below(60);
    for (size_t k = 0; k < n; ++k) {
      s += kPieces[Below(std::size(kPieces))];
      s += Below(8) == 0 ? "\n" : " ";
    }
    return s;
  }

  // A valid program with a few pieces deleted, duplicated or swapped.
  std::string MutatedExample() {
    static const char* const kExamples[] = {
        "(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)",
        "(epi @ev1 @meeting (@alice @bob) @room_101 :at 2024-01-15T10:00:00Z "
        ":obs 2024-01-15T10:05:00Z :src @observation :c 0.9)",
        "(pro @rule_route \"agent_write\" \"route_via_librarian\" :scp @mimir :src @policy :c 1.0)",
        "(inf @alice @likes @coffee (@mem1 @mem2) @majority_vote :c 0.7 :v 2024-01-20)",
        "(episode :start :label \"design-session\" :parent_episode @prior_ep :retracts (@bad_ep))",
        "(episode :close)",
        "(pin @mem_42 :actor @mira)",
        "(rename @old @new) (retire @tmp)",
        "(alias @a @b) (promote @scratch_42) (query :s @alice :p email :debug_mode true)",
        "(correct @t (epi @ev @k (@p) @loc :at 2024-01-15T10:00:00Z :obs 2024-01-15T10:00:00Z "
        ":src @alice :c 0.9))",
        "(query ((((1 2) 3)) \"x\") :limit 5)"};
    std::string s = kExamples[Below(std::size(kExamples))];
    const size_t edits = Below(4);
    for (size_t k = 0; k < edits && !s.empty(); ++k) {
      const size_t at = Below(s.size());
      const size_t len = 1 + Below(std::min<size_t>(8, s.size() - at));
      switch (Below(3)) {
        case 0:
          s.erase(at, len);
          break;
        case 1:
          s.insert(at, s.substr(at, len));
          break;
        default:
          s.insert(Below(s.size() + 1), s.substr(at, len));
          break;
      }
    }
    return s;
  }

  std::mt19937_64 rng_;
};

TEST(ParserTotalityTest, RandomInputsYieldFormsOrTypedErrors) {
  constexpr int kInputs = 20000;
  InputGenerator gen(20240115);
  int ok_count = 0;
  std::set<ParseErrorKind> kinds_seen;
  for (int i = 0; i < kInputs; ++i) {
    const std::string input = gen.Next(i);
    std::vector<Form> forms;
    ParseError err;
    const bool ok = ParseForms(input, &forms, &err);
    if (ok) {
      ++ok_count;
      for (const Form& f : forms) {
        ASSERT_FALSE(FormHead(f).empty());
        ASSERT_LE(FormPosition(f).offset, input.size());
      }
      continue;
    }
    ASSERT_TRUE(forms.empty()) << "input #" << i;
    ASSERT_LE(static_cast<int>(err.kind), static_cast<int>(ParseErrorKind::kNestingTooDeep));
    ASSERT_LE(err.pos.offset, input.size()) << "input #" << i;
    ASSERT_GE(err.pos.line, 1u);
    ASSERT_GE(err.pos.column, 1u);
    ASSERT_FALSE(err.message.empty()) << "input #" << i;
    if (err.kind == ParseErrorKind::kLex) {
      ASSERT_LE(static_cast<int>(err.lex.kind), static_cast<int>(LexErrorKind::kUnexpectedByte));
    }
    ASSERT_TRUE(ToStatus(err).IsInvalidArgument());
    kinds_seen.insert(err.kind);
    // Deterministic: the same input fails the same way.
    ParseError again;
    ASSERT_FALSE(ParseForms(input, &forms, &again));
    ASSERT_EQ(again.kind, err.kind);
    ASSERT_EQ(again.pos, err.pos);
  }
  // The generators reach both outcomes and most error kinds.
  EXPECT_GT(ok_count, kInputs / 100);
  EXPECT_GE(kinds_seen.size(), 8u);
}

}  // namespace
}  // namespace urd::mem
