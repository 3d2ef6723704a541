// Copyright urd authors. The index of the front end's error kinds: every enumerator
// of LexErrorKind, ParseErrorKind and BindErrorKind has a test that triggers it
// with a minimal input and checks the kind and the reported line and column. Where
// an existing test already does that, it is named below and not repeated here;
// ErrorKindIndexTest checks that every enumerator has an entry and that every
// entry names a test registered in this binary, so a new kind or a renamed test
// fails here until this index is updated.
//
// LexErrorKind (lexer_test.cc)
//   kUnterminatedString       LexerTest.UnterminatedStringReportsTheOpeningQuote
//   kInvalidEscape            LexerTest.InvalidEscapeReportsTheBackslash
//   kInvalidNumber            LexerTest.InvalidNumber
//   kInvalidIdentifier        LexerTest.InvalidIdentifierForms
//   kUnexpectedByte           LexerTest.UnexpectedByteForCharactersNoTokenStartsWith
//
// ParseErrorKind (parser_test.cc)
//   kLex                      ParserTest.LexErrorIsWrapped
//   kUnexpectedToken          ParserTest.UnexpectedTokenForNonBarewordHead
//   kUnexpectedEof            ParserTest.UnexpectedEofReportsEndOfInput
//   kUnknownOpcode            ParserTest.UnknownOpcode
//   kBadKeyword               ParserTest.BadKeyword
//   kDuplicateKeyword         ParserTest.DuplicateKeyword
//   kMissingRequiredKeyword   ParserTest.MissingRequiredKeywordReportsTheForm
//   kExpectedValue            ParserTest.ExpectedValue
//   kUnbalancedList           ParserTest.UnbalancedListReportsTheOpenParen
//   kExpectedSymbolInList     ParserTest.ExpectedSymbolInList
//   kNestingTooDeep           ParserTest.NestingOf256ListsParsesAnd257IsRejected
//
// BindErrorKind (binder_test.cc triggers every kind but checks the position of
// only two; the others are checked here)
//   kSymbolKindMismatch           BinderTest.SymbolKindMismatchLocksFirstKind
//   kSymbolRenameConflict         BindErrorKindTest.SymbolRenameConflict
//   kAliasChainLengthExceeded     BindErrorKindTest.AliasChainLengthExceeded
//   kUnknownSymbol                BinderTest.ToStatusNamesKindAndPosition
//   kBadKind                      BindErrorKindTest.BadKind
//   kUnregisteredInferenceMethod  BindErrorKindTest.UnregisteredInferenceMethod
//   kInvalidKeywordValue          BindErrorKindTest.InvalidKeywordValue
//   kConfidenceOutOfRange         BindErrorKindTest.ConfidenceOutOfRange
//   kUnexpectedList               BindErrorKindTest.UnexpectedList
//   kInvalidTimestampKeyword      BindErrorKindTest.InvalidTimestampKeyword
//   kLabelTooLong                 BindErrorKindTest.LabelTooLong
//
// Kinds that mimir-core declares but never produces (reference/mimir-core.md §2.1,
// §2.2, §2.7) have no enumerator in urd; the nearest input gets another kind:
//   LexError InvalidUtf8 -> kUnexpectedByte
//       LexerTest.InvalidUtf8IsUnexpectedByteEverywhere
//   ParseError ArityMismatch -> kUnexpectedToken (or kExpectedValue / kUnexpectedEof)
//       MimirOnlyErrorKindTest.ArityMismatchIsUnexpectedToken
//       (also ParserTest.UnexpectedTokenInSymbolSlots)
//   ParseError InvalidTimestamp -> parses as kTimestampRaw, binds to
//       kInvalidTimestampKeyword
//       BindErrorKindTest.InvalidTimestampKeyword
//       (also ParserTest.TimestampThatDoesNotConvertStaysRaw)
//   BindError ForeignSymbolForbidden -> the language cannot name another
//       workspace's symbol; such spellings fail in the lexer
//       MimirOnlyErrorKindTest.ForeignSymbolCannotBeWritten
//
// The decoder's kinds are indexed in src/memory/canonical_errors_test.cc.

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "memory/ir/binder.h"
#include "memory/ir/lexer.h"
#include "memory/ir/parser.h"
#include "memory/symbol_table.h"

namespace urd::mem {

// Readable positions in gtest failure messages (identical in every test file).
inline void PrintTo(const Position& p, std::ostream* os) {
  *os << "{offset " << p.offset << ", line " << p.line << ", column " << p.column << "}";
}

namespace {

// ---- The index ----

enum class Family { kLex, kParse, kBind };

struct IndexEntry {
  Family family;
  int kind;
  const char* test;  // "Suite.Name"
};

template <typename E>
constexpr int K(E e) {
  return static_cast<int>(e);
}

constexpr IndexEntry kIndex[] = {
    {Family::kLex, K(LexErrorKind::kUnterminatedString),
     "LexerTest.UnterminatedStringReportsTheOpeningQuote"},
    {Family::kLex, K(LexErrorKind::kInvalidEscape), "LexerTest.InvalidEscapeReportsTheBackslash"},
    {Family::kLex, K(LexErrorKind::kInvalidNumber), "LexerTest.InvalidNumber"},
    {Family::kLex, K(LexErrorKind::kInvalidIdentifier), "LexerTest.InvalidIdentifierForms"},
    {Family::kLex, K(LexErrorKind::kUnexpectedByte),
     "LexerTest.UnexpectedByteForCharactersNoTokenStartsWith"},

    {Family::kParse, K(ParseErrorKind::kLex), "ParserTest.LexErrorIsWrapped"},
    {Family::kParse, K(ParseErrorKind::kUnexpectedToken),
     "ParserTest.UnexpectedTokenForNonBarewordHead"},
    {Family::kParse, K(ParseErrorKind::kUnexpectedEof),
     "ParserTest.UnexpectedEofReportsEndOfInput"},
    {Family::kParse, K(ParseErrorKind::kUnknownOpcode), "ParserTest.UnknownOpcode"},
    {Family::kParse, K(ParseErrorKind::kBadKeyword), "ParserTest.BadKeyword"},
    {Family::kParse, K(ParseErrorKind::kDuplicateKeyword), "ParserTest.DuplicateKeyword"},
    {Family::kParse, K(ParseErrorKind::kMissingRequiredKeyword),
     "ParserTest.MissingRequiredKeywordReportsTheForm"},
    {Family::kParse, K(ParseErrorKind::kExpectedValue), "ParserTest.ExpectedValue"},
    {Family::kParse, K(ParseErrorKind::kUnbalancedList),
     "ParserTest.UnbalancedListReportsTheOpenParen"},
    {Family::kParse, K(ParseErrorKind::kExpectedSymbolInList), "ParserTest.ExpectedSymbolInList"},
    {Family::kParse, K(ParseErrorKind::kNestingTooDeep),
     "ParserTest.NestingOf256ListsParsesAnd257IsRejected"},

    {Family::kBind, K(BindErrorKind::kSymbolKindMismatch),
     "BinderTest.SymbolKindMismatchLocksFirstKind"},
    {Family::kBind, K(BindErrorKind::kSymbolRenameConflict),
     "BindErrorKindTest.SymbolRenameConflict"},
    {Family::kBind, K(BindErrorKind::kAliasChainLengthExceeded),
     "BindErrorKindTest.AliasChainLengthExceeded"},
    {Family::kBind, K(BindErrorKind::kUnknownSymbol), "BinderTest.ToStatusNamesKindAndPosition"},
    {Family::kBind, K(BindErrorKind::kBadKind), "BindErrorKindTest.BadKind"},
    {Family::kBind, K(BindErrorKind::kUnregisteredInferenceMethod),
     "BindErrorKindTest.UnregisteredInferenceMethod"},
    {Family::kBind, K(BindErrorKind::kInvalidKeywordValue),
     "BindErrorKindTest.InvalidKeywordValue"},
    {Family::kBind, K(BindErrorKind::kConfidenceOutOfRange),
     "BindErrorKindTest.ConfidenceOutOfRange"},
    {Family::kBind, K(BindErrorKind::kUnexpectedList), "BindErrorKindTest.UnexpectedList"},
    {Family::kBind, K(BindErrorKind::kInvalidTimestampKeyword),
     "BindErrorKindTest.InvalidTimestampKeyword"},
    {Family::kBind, K(BindErrorKind::kLabelTooLong), "BindErrorKindTest.LabelTooLong"},
};

// mimir-core's declared-but-unused kinds.
constexpr const char* kMimirOnlyTests[] = {
    "LexerTest.InvalidUtf8IsUnexpectedByteEverywhere",
    "MimirOnlyErrorKindTest.ArityMismatchIsUnexpectedToken",
    "ParserTest.UnexpectedTokenInSymbolSlots",
    "BindErrorKindTest.InvalidTimestampKeyword",
    "ParserTest.TimestampThatDoesNotConvertStaysRaw",
    "MimirOnlyErrorKindTest.ForeignSymbolCannotBeWritten",
};

// The kind names are "?" (lexer, parser) or "Unknown" (binder) past the last
// enumerator.
std::string_view KindName(Family family, int kind) {
  switch (family) {
    case Family::kLex:
      return LexErrorKindName(static_cast<LexErrorKind>(kind));
    case Family::kParse:
      return ParseErrorKindName(static_cast<ParseErrorKind>(kind));
    case Family::kBind: {
      const std::string_view name = BindErrorKindName(static_cast<BindErrorKind>(kind));
      return name == "Unknown" ? "?" : name;
    }
  }
  return "?";
}

std::set<std::string> RegisteredTests() {
  std::set<std::string> names;
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      names.insert(std::string(suite.name()) + "." + suite.GetTestInfo(j)->name());
    }
  }
  return names;
}

TEST(ErrorKindIndexTest, EveryEnumeratorHasAnEntry) {
  for (Family family : {Family::kLex, Family::kParse, Family::kBind}) {
    int enumerators = 0;
    for (int kind = 0; kind < 256 && KindName(family, kind) != "?"; ++kind) {
      ++enumerators;
      int entries = 0;
      for (const IndexEntry& e : kIndex) entries += e.family == family && e.kind == kind;
      EXPECT_EQ(entries, 1) << KindName(family, kind) << ": add it to the index of this file";
    }
    EXPECT_GT(enumerators, 4);
  }
}

TEST(ErrorKindIndexTest, EveryEntryNamesARegisteredTest) {
  const std::set<std::string> registered = RegisteredTests();
  for (const IndexEntry& e : kIndex) {
    EXPECT_EQ(registered.count(e.test), 1u)
        << e.test << " (for " << KindName(e.family, e.kind) << ") is not a test of this binary";
  }
  for (const char* test : kMimirOnlyTests) {
    EXPECT_EQ(registered.count(test), 1u) << test << " is not a test of this binary";
  }
}

// ---- BindErrorKind: kind, line and column ----

constexpr std::string_view kGolden =
    "(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)";

std::vector<Form> Parse(std::string_view input) {
  std::vector<Form> forms;
  ParseError error;
  EXPECT_TRUE(ParseForms(input, &forms, &error)) << input << "\n" << ToStatus(error).ToString();
  return forms;
}

// Binds `setup` (committed), then `input`, which must fail with `kind` and leave
// the table as it was. Returns the error.
BindError BindFails(std::string_view setup, std::string_view input, BindErrorKind kind) {
  SymbolTable table;
  BindOutput out;
  BindError error;
  if (!setup.empty()) {
    EXPECT_TRUE(Bind(Parse(setup), &table, &out, &error)) << ToStatus(error).ToString();
    table.Commit();
  }
  const SymbolTable before = table;
  EXPECT_FALSE(Bind(Parse(input), &table, &out, &error)) << input;
  EXPECT_EQ(error.kind, kind) << input << "\n" << ToStatus(error).ToString();
  EXPECT_TRUE(table == before) << input;
  return error;
}

TEST(BindErrorKindTest, SymbolRenameConflict) {
  // rename onto a name bound elsewhere: the new name's position.
  BindError e =
      BindFails(kGolden, "(rename @alice\n        @bob)", BindErrorKind::kSymbolRenameConflict);
  EXPECT_EQ(e.pos, (Position{23, 2, 9}));
  EXPECT_EQ(e.subject, "bob");
  EXPECT_EQ(ToStatus(e).message().rfind("line 2, column 9: SymbolRenameConflict: ", 0), 0u);
  // alias of two names of different symbols: the second name's position.
  e = BindFails(kGolden, "(alias @alice\n  @bob)", BindErrorKind::kSymbolRenameConflict);
  EXPECT_EQ(e.pos, (Position{16, 2, 3}));
}

TEST(BindErrorKindTest, AliasChainLengthExceeded) {
  std::string setup(kGolden);
  for (size_t i = 0; i < kAliasChainLimit; ++i) {
    setup += " (alias @alice @al" + std::to_string(i) + ")";
  }
  const BindError e = BindFails(setup, "(query)\n(alias @alice\n @one_too_many)",
                                BindErrorKind::kAliasChainLengthExceeded);
  EXPECT_EQ(e.pos, (Position{23, 3, 2}));  // the name that would be attached
  EXPECT_EQ(e.subject, "alice");
}

TEST(BindErrorKindTest, BadKind) {
  const BindError e =
      BindFails("", "(sem @alice @knows\n  @bob:Robot :src @observation :c 0.8 :v 2024-01-15)",
                BindErrorKind::kBadKind);
  EXPECT_EQ(e.pos, (Position{21, 2, 3}));
  EXPECT_EQ(e.subject, "Robot");
}

TEST(BindErrorKindTest, UnregisteredInferenceMethod) {
  const BindError e =
      BindFails("", "(inf @alice @likes @coffee (@m1)\n   @guesswork :c 0.7 :v 2024-01-20)",
                BindErrorKind::kUnregisteredInferenceMethod);
  EXPECT_EQ(e.pos, (Position{36, 2, 4}));
  EXPECT_EQ(e.subject, "guesswork");
}

TEST(BindErrorKindTest, InvalidKeywordValue) {
  const BindError e = BindFails("", "(query :limit 5\n :show_framing \"yes\")",
                                BindErrorKind::kInvalidKeywordValue);
  EXPECT_EQ(e.pos, (Position{31, 2, 16}));  // the value, not the keyword
  EXPECT_EQ(e.subject, "show_framing");
}

TEST(BindErrorKindTest, ConfidenceOutOfRange) {
  const BindError e =
      BindFails("", "(sem @a @p @b :src @observation\n  :c 1.0000001 :v 2024-01-15)",
                BindErrorKind::kConfidenceOutOfRange);
  EXPECT_EQ(e.pos, (Position{37, 2, 6}));
  EXPECT_EQ(e.subject, "c");
}

TEST(BindErrorKindTest, UnexpectedList) {
  const BindError e = BindFails("", "(pro @rule \"t\"\n  (a b) :scp @mimir :src @policy :c 1.0)",
                                BindErrorKind::kUnexpectedList);
  EXPECT_EQ(e.pos, (Position{17, 2, 3}));  // the list's '('
  EXPECT_EQ(e.subject, "action");
}

// Also mimir-core's unused ParseError InvalidTimestamp: a timestamp that does not
// convert parses (as kTimestampRaw) and fails at bind.
TEST(BindErrorKindTest, InvalidTimestampKeyword) {
  constexpr std::string_view kInput =
      "(epi @e @k () @l :at 2024-01-15\n :obs 1969-12-31 :src @s :c 0.5)";
  const std::vector<Form> forms = Parse(kInput);
  ASSERT_EQ(forms.size(), 1u);
  EXPECT_EQ(std::get<EpiForm>(forms[0]).keywords.at("obs").kind, AstValue::Kind::kTimestampRaw);
  const BindError e = BindFails("", kInput, BindErrorKind::kInvalidTimestampKeyword);
  EXPECT_EQ(e.pos, (Position{38, 2, 7}));
  EXPECT_EQ(e.subject, "1969-12-31");
}

TEST(BindErrorKindTest, LabelTooLong) {
  const std::string input =
      "(episode :start\n :label \"" + std::string(kMaxEpisodeLabelBytes + 1, 'x') + "\")";
  const BindError e = BindFails("", input, BindErrorKind::kLabelTooLong);
  EXPECT_EQ(e.pos, (Position{24, 2, 9}));  // the label's opening quote
  EXPECT_EQ(e.length, kMaxEpisodeLabelBytes + 1);
}

// ---- mimir-core kinds that are never produced ----

ParseError ParseFails(std::string_view input) {
  std::vector<Form> forms;
  ParseError error;
  EXPECT_FALSE(ParseForms(input, &forms, &error)) << input;
  return error;
}

// mimir-core declares ParseError::ArityMismatch but never produces it: a form with
// too many or too few positional arguments fails on the first token that does not
// fit, as kUnexpectedToken.
TEST(MimirOnlyErrorKindTest, ArityMismatchIsUnexpectedToken) {
  struct Case {
    std::string_view input;
    Position pos;
  };
  const Case cases[] = {
      {"(promote @a\n @b)", {13, 2, 2}},     // one too many: the extra symbol
      {"(alias @a)", {9, 1, 10}},            // one too few: the `)`
      {"(pin @m @n :actor @a)", {8, 1, 9}},  // an extra symbol before the keywords
  };
  for (const Case& c : cases) {
    const ParseError e = ParseFails(c.input);
    EXPECT_EQ(e.kind, ParseErrorKind::kUnexpectedToken) << c.input << ": " << e.message;
    EXPECT_EQ(e.pos, c.pos) << c.input;
  }
}

// mimir-core declares BindError::ForeignSymbolForbidden but never produces it.
// urd's language has no way to name a symbol of another workspace: the spellings
// one might try fail in the lexer, before the binder.
TEST(MimirOnlyErrorKindTest, ForeignSymbolCannotBeWritten) {
  struct Case {
    std::string_view input;
    LexErrorKind kind;
    Position pos;
  };
  const Case cases[] = {
      {"(pin @m :actor @other_ws/mira)", LexErrorKind::kUnexpectedByte, {24, 1, 25}},  // the '/'
      {"(pin @m :actor @other_ws::mira)", LexErrorKind::kInvalidIdentifier, {15, 1, 16}},
  };
  for (const Case& c : cases) {
    const ParseError e = ParseFails(c.input);
    EXPECT_EQ(e.kind, ParseErrorKind::kLex) << c.input;
    EXPECT_EQ(e.lex.kind, c.kind) << c.input << ": " << e.message;
    EXPECT_EQ(e.pos, c.pos) << c.input;
  }
}

}  // namespace
}  // namespace urd::mem
