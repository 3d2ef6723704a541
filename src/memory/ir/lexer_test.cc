// Copyright urd authors.

#include "memory/ir/lexer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

namespace urd::mem {

// Readable positions in gtest failure messages (identical in every test file).
inline void PrintTo(const Position& p, std::ostream* os) {
  *os << "{offset " << p.offset << ", line " << p.line << ", column " << p.column << "}";
}

namespace {

std::vector<Token> LexOk(std::string_view input) {
  std::vector<Token> tokens;
  LexError err;
  EXPECT_TRUE(Lex(input, &tokens, &err))
      << "input: " << input << "\nerror: " << LexErrorKindName(err.kind) << " " << err.detail;
  return tokens;
}

LexError LexErr(std::string_view input) {
  std::vector<Token> tokens;
  LexError err;
  EXPECT_FALSE(Lex(input, &tokens, &err)) << "input: " << input;
  return err;
}

Position Pos(uint32_t offset, uint32_t line, uint32_t column) {
  return Position{offset, line, column};
}

std::vector<TokenKind> Kinds(const std::vector<Token>& tokens) {
  std::vector<TokenKind> kinds;
  for (const Token& t : tokens) kinds.push_back(t.kind);
  return kinds;
}

// ---- token classes ----

TEST(LexerTest, EveryTokenClass) {
  const auto t =
      LexOk(R"(( ) "hi" @alice @bob:Agent :src 42 -7 0.8 2024-01-15 email true false nil)");
  using K = TokenKind;
  ASSERT_EQ(Kinds(t),
            (std::vector<K>{K::kLParen, K::kRParen, K::kString, K::kSymbol, K::kTypedSymbol,
                            K::kKeyword, K::kInteger, K::kInteger, K::kFloat, K::kTimestamp,
                            K::kBareword, K::kBoolean, K::kBoolean, K::kNil}));
  EXPECT_EQ(t[2].text, "hi");
  EXPECT_EQ(t[3].text, "alice");
  EXPECT_EQ(t[4].text, "bob");
  EXPECT_EQ(t[4].symbol_kind, "Agent");
  EXPECT_EQ(t[5].text, "src");
  EXPECT_EQ(t[6].integer, 42);
  EXPECT_EQ(t[7].integer, -7);
  EXPECT_DOUBLE_EQ(t[8].real, 0.8);
  EXPECT_EQ(t[9].text, "2024-01-15");
  EXPECT_EQ(t[10].text, "email");
  EXPECT_TRUE(t[11].boolean);
  EXPECT_FALSE(t[12].boolean);
}

TEST(LexerTest, TokenPositions) {
  const auto t = LexOk("(sem\n  @a \"x\"\n:k)");
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].pos, Pos(0, 1, 1));
  EXPECT_EQ(t[1].pos, Pos(1, 1, 2));
  EXPECT_EQ(t[2].pos, Pos(7, 2, 3));
  EXPECT_EQ(t[3].pos, Pos(10, 2, 6));
  EXPECT_EQ(t[4].pos, Pos(14, 3, 1));
  EXPECT_EQ(t[5].pos, Pos(16, 3, 3));
}

TEST(LexerTest, ColumnsCountCharactersNotBytes) {
  // "é" is 2 bytes, "€" 3, "😀" 4: offsets advance by bytes, columns by one each.
  const auto t = LexOk("\"é€😀\" @x");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].text, "é€😀");
  EXPECT_EQ(t[1].pos, Pos(12, 1, 7));
}

TEST(LexerTest, EndPositionIsJustPastTheInput) {
  std::vector<Token> tokens;
  LexError err;
  Position end;
  ASSERT_TRUE(Lex("@a\n@bc ", &tokens, &err, &end));
  EXPECT_EQ(end, Pos(7, 2, 5));
  ASSERT_TRUE(Lex("", &tokens, &err, &end));
  EXPECT_TRUE(tokens.empty());
  EXPECT_EQ(end, Pos(0, 1, 1));
}

TEST(LexerTest, UnicodeWhitespaceSeparatesTokens) {
  // TAB, VT, FF, CR, NEL U+0085, NBSP U+00A0, U+1680, U+2003, LINE SEPARATOR
  // U+2028, U+202F, U+205F, IDEOGRAPHIC SPACE U+3000.
  const auto t = LexOk(
      "@a\t@b\v@c\f@d\r@e\u0085@f\u00a0@g\u1680@h\u2003@i\u2028@j\u202f@k"
      "\u205f@l\u3000@m");
  ASSERT_EQ(t.size(), 13u);
  EXPECT_EQ(t[12].text, "m");
  // Only '\n' starts a new line; U+2028 is one column.
  EXPECT_EQ(t[12].pos.line, 1u);
  EXPECT_EQ(t[12].pos.column, 37u);
}

TEST(LexerTest, CommentsRunToEndOfLine) {
  const auto t = LexOk("; leading comment (sem\n@a ; trailing \"x\n@b ;; at eof without newline");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].pos, Pos(23, 2, 1));
  EXPECT_EQ(t[1].text, "b");
  EXPECT_EQ(t[1].pos.line, 3u);
  EXPECT_TRUE(LexOk(";only a comment").empty());
  EXPECT_TRUE(LexOk(" \n\t ").empty());
}

TEST(LexerTest, StringEscapesAndRawNewlines) {
  const auto t = LexOk(R"("a\nb\rc\td\\e\"f")");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].text, "a\nb\rc\td\\e\"f");
  // A raw newline inside a string is kept and moves the next token to line 2.
  const auto u = LexOk("\"x\ny\" @z");
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].text, "x\ny");
  EXPECT_EQ(u[1].pos, Pos(6, 2, 4));
  EXPECT_EQ(LexOk("\"\"")[0].text, "");
}

TEST(LexerTest, SymbolsKeywordsAndTypedSymbols) {
  auto t = LexOk("@_x1 @__mem_0 @x:Agent_1 :a:b :c2");
  using K = TokenKind;
  ASSERT_EQ(Kinds(t), (std::vector<K>{K::kSymbol, K::kSymbol, K::kTypedSymbol, K::kBareword,
                                      K::kKeyword, K::kKeyword, K::kKeyword}));
  EXPECT_EQ(t[0].text, "_x1");
  EXPECT_EQ(t[1].text, "__mem_0");
  EXPECT_EQ(t[2].symbol_kind, "Agent");  // kind stops at '_'
  EXPECT_EQ(t[3].text, "_1");
  EXPECT_EQ(t[4].text, "a");  // a keyword takes no kind: ":a:b" is two keywords
  EXPECT_EQ(t[5].text, "b");
  EXPECT_EQ(t[6].text, "c2");
  t = LexOk("@m:InferenceMethod2");
  EXPECT_EQ(t[0].symbol_kind, "InferenceMethod2");
}

TEST(LexerTest, BarewordsStopAtCharactersOutsideTheirClass) {
  const auto t = LexOk("12abc trueish nil_x");
  using K = TokenKind;
  ASSERT_EQ(Kinds(t), (std::vector<K>{K::kInteger, K::kBareword, K::kBareword, K::kBareword}));
  EXPECT_EQ(t[1].text, "abc");
  EXPECT_EQ(t[2].text, "trueish");
  EXPECT_EQ(t[3].text, "nil_x");
}

TEST(LexerTest, NumbersFollowRustParsing) {
  const auto t = LexOk("0 -0 007 1. -.5 1.25 9223372036854775807 -9223372036854775808");
  using K = TokenKind;
  ASSERT_EQ(Kinds(t), (std::vector<K>{K::kInteger, K::kInteger, K::kInteger, K::kFloat, K::kFloat,
                                      K::kFloat, K::kInteger, K::kInteger}));
  EXPECT_EQ(t[2].integer, 7);
  EXPECT_DOUBLE_EQ(t[3].real, 1.0);
  EXPECT_DOUBLE_EQ(t[4].real, -0.5);
  EXPECT_DOUBLE_EQ(t[5].real, 1.25);
  EXPECT_EQ(t[6].integer, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(t[7].integer, std::numeric_limits<int64_t>::min());
}

TEST(LexerTest, OutOfRangeFloatsBecomeInfinityOrZero) {
  const auto t = LexOk(std::string(400, '9') + ".0 -" + std::string(400, '9') + ".5 0." +
                       std::string(400, '0') + "1");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_TRUE(std::isinf(t[0].real) && t[0].real > 0);
  EXPECT_TRUE(std::isinf(t[1].real) && t[1].real < 0);
  EXPECT_EQ(t[2].real, 0.0);
}

TEST(LexerTest, TimestampClassification) {
  const auto t = LexOk(
      "2024-01-15 2024-01-15T10:00:00Z 2024-01-15T10:00:00 2024-13-45 1969-12-31 "
      "2024-01-15T10:00:00.5");
  ASSERT_EQ(t.size(), 6u);
  for (const Token& tok : t) EXPECT_EQ(tok.kind, TokenKind::kTimestamp) << tok.text;
  EXPECT_EQ(t[1].text, "2024-01-15T10:00:00Z");
  EXPECT_EQ(t[2].text, "2024-01-15T10:00:00");  // classified here, rejected by conversion
}

// ---- LexError kinds, each with its position ----

TEST(LexerTest, UnterminatedStringReportsTheOpeningQuote) {
  LexError e = LexErr("(sem @a \"abc");
  EXPECT_EQ(e.kind, LexErrorKind::kUnterminatedString);
  EXPECT_EQ(e.pos, Pos(8, 1, 9));
  e = LexErr("\n  \"abc\\");  // ends right after a backslash
  EXPECT_EQ(e.kind, LexErrorKind::kUnterminatedString);
  EXPECT_EQ(e.pos, Pos(3, 2, 3));
}

TEST(LexerTest, InvalidEscapeReportsTheBackslash) {
  const LexError e = LexErr(R"(@x "ab\qc")");
  EXPECT_EQ(e.kind, LexErrorKind::kInvalidEscape);
  EXPECT_EQ(e.pos, Pos(6, 1, 7));
  EXPECT_NE(e.detail.find("\\q"), std::string::npos) << e.detail;
  EXPECT_EQ(LexErr(R"("\u0041")").kind, LexErrorKind::kInvalidEscape);
  EXPECT_EQ(LexErr(R"("\é")").kind, LexErrorKind::kInvalidEscape);
}

TEST(LexerTest, InvalidNumber) {
  for (const char* bad : {"1.2.3", "-", "--1", "99999999999999999999", "2024-01-15T10", "12:30",
                          "1.5Z", "2024-01-15Z", "1-2", "-.", "2024-01-15.5"}) {
    const LexError e = LexErr(std::string("@a ") + bad);
    EXPECT_EQ(e.kind, LexErrorKind::kInvalidNumber) << bad;
    EXPECT_EQ(e.pos, Pos(3, 1, 4)) << bad;
    EXPECT_NE(e.detail.find(bad), std::string::npos) << e.detail;
  }
}

TEST(LexerTest, HyphenatedOpcodeFailsAtLexTime) {
  std::vector<Token> tokens;
  LexError e;
  ASSERT_FALSE(Lex("(authoritative-set @m :actor @a)", &tokens, &e));
  EXPECT_EQ(e.kind, LexErrorKind::kInvalidNumber);
  EXPECT_EQ(e.pos, Pos(14, 1, 15));  // the '-'
  ASSERT_EQ(tokens.size(), 2u);      // "(" and the bareword before it
  EXPECT_EQ(tokens[1].text, "authoritative");
}

TEST(LexerTest, LowercaseKindIsInvalidIdentifier) {
  const LexError e = LexErr("(pin @x:agent)");
  EXPECT_EQ(e.kind, LexErrorKind::kInvalidIdentifier);
  EXPECT_EQ(e.pos, Pos(5, 1, 6));
  EXPECT_NE(e.detail.find("@x:agent"), std::string::npos) << e.detail;
}

TEST(LexerTest, InvalidIdentifierForms) {
  for (const char* bad : {"@", "@1x", "@Alice", "@x:", "@x:1A", ":", ":9", ":Foo", "@-"}) {
    const LexError e = LexErr(std::string(" ") + bad);
    EXPECT_EQ(e.kind, LexErrorKind::kInvalidIdentifier) << bad;
    EXPECT_EQ(e.pos, Pos(1, 1, 2)) << bad;
  }
}

TEST(LexerTest, UnexpectedByteForCharactersNoTokenStartsWith) {
  struct Case {
    const char* input;
    Position pos;
    const char* byte;
  };
  for (const Case& c : {Case{"Foo", Pos(0, 1, 1), "0x46"}, Case{"@a $", Pos(3, 1, 4), "0x24"},
                        Case{"[", Pos(0, 1, 1), "0x5B"}, Case{"\n é", Pos(2, 2, 2), "0xE9"},
                        Case{"€", Pos(0, 1, 1), "0xAC"}, Case{"#", Pos(0, 1, 1), "0x23"}}) {
    const LexError e = LexErr(c.input);
    EXPECT_EQ(e.kind, LexErrorKind::kUnexpectedByte) << c.input;
    EXPECT_EQ(e.pos, c.pos) << c.input;
    EXPECT_NE(e.detail.find(c.byte), std::string::npos) << e.detail;
  }
}

TEST(LexerTest, InvalidUtf8IsUnexpectedByteEverywhere) {
  struct Case {
    std::string input;
    Position pos;
  };
  const Case cases[] = {
      {"\xff", Pos(0, 1, 1)},
      {"@a \xC3", Pos(3, 1, 4)},               // truncated sequence
      {"\xC0\xAF", Pos(0, 1, 1)},              // overlong '/'
      {"\xED\xA0\x80", Pos(0, 1, 1)},          // UTF-16 surrogate
      {"\xF4\x90\x80\x80", Pos(0, 1, 1)},      // above U+10FFFF
      {"\"ok é \x80\"", Pos(7, 1, 7)},         // inside a string
      {"\"\\\xff\"", Pos(2, 1, 3)},            // after a backslash
      {"; comment \xfe\n@a", Pos(10, 1, 11)},  // inside a comment
  };
  for (const Case& c : cases) {
    const LexError e = LexErr(c.input);
    EXPECT_EQ(e.kind, LexErrorKind::kUnexpectedByte);
    EXPECT_EQ(e.pos, c.pos);
    EXPECT_NE(e.detail.find("invalid UTF-8"), std::string::npos) << e.detail;
  }
}

TEST(LexerTest, StopsAtTheFirstError) {
  const LexError e = LexErr("@ok \"\\x\" Foo");
  EXPECT_EQ(e.kind, LexErrorKind::kInvalidEscape);
}

TEST(LexerTest, NamesAndDescriptions) {
  EXPECT_EQ(TokenKindName(TokenKind::kTypedSymbol), "TypedSymbol");
  EXPECT_EQ(LexErrorKindName(LexErrorKind::kUnterminatedString), "UnterminatedString");
  const auto t = LexOk("@a:Agent :src 5 ) \"" + std::string(60, 'x') + "\"");
  EXPECT_EQ(DescribeToken(t[0]), "symbol @a:Agent");
  EXPECT_EQ(DescribeToken(t[1]), "keyword :src");
  EXPECT_EQ(DescribeToken(t[2]), "integer 5");
  EXPECT_EQ(DescribeToken(t[3]), "`)`");
  EXPECT_EQ(DescribeToken(t[4]), "string \"" + std::string(40, 'x') + "...\"");
}

}  // namespace
}  // namespace urd::mem
