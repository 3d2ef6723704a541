// Copyright urd authors. Property tests: the lexer, the parser and the binder are
// total (reference/mimir-core.md §8 "Totality", §2.7 "every error means nothing
// changed"). Every input gives a result or a typed error whose position lies inside
// the input and agrees with the text (line = 1 + newlines before it, column = 1 +
// characters since the last newline); nothing crashes (the suite also runs under
// ASan+UBSan); a failed Bind leaves the symbol table as it was, and a successful one
// is undone exactly by RollbackTo(mark).
//
// Deterministic: every generator is a std::mt19937_64 with the fixed seed named in
// the test; a failing assertion prints the seed, the input's index and the input.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"
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

// ---- Valid programs: the seeds of the mutation generator ----

// Taken from lexer_test.cc, parser_test.cc and binder_test.cc: every form head,
// every token class, multi-byte UTF-8, comments and nested lists.
constexpr std::string_view kPrograms[] = {
    "(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)",
    "(sem @alice email \"alice@example.com\" :src @profile :c 0.95 :v 2024-01-15)",
    "(sem @alice status @future :src @agent_instruction :c 0.9 :v 2099-01-01 :projected true)",
    "(epi @ev1 @meeting (@alice @bob) @room_101 :at 2024-01-15T10:00:00Z "
    ":obs 2024-01-15T10:05:00Z :src @observation :c 0.9)",
    "(pro @rule_route \"agent_write\" \"route_via_librarian\" :scp @mimir :src @policy :c 1.0)",
    "(pro @rule_1 \"agent writes a memory\" (route @librarian) :scp @mimir "
    ":src @agent_instruction :c 0.9 :pre \"a\\nb\\\"c\")",
    "(inf @alice @likes @coffee (@mem1 @mem2) @majority_vote :c 0.7 :v 2024-01-20)",
    "(inf @alice @friend_of @carol (@m0 @m1) @citation_link :c 0.6 :v 2024-01-15)",
    "(episode :start :label \"design-session\" :parent_episode @prior_ep :retracts (@bad_ep))",
    "(episode :close)",
    "(pin @mem_42 :actor @mira) (unpin @__mem_0 :actor @mira:Agent)",
    "(authoritative_set @mem_43 :actor @operator)\n(authoritative_clear @mem_43 :actor @operator)",
    "(rename @old @new)   (retire @tmp :reason \"stale\")   (alias @a @b)   (promote @scratch_42)",
    "(correct @target_ep (epi @ev @k (@p) @loc :at 2024-01-15T10:00:00Z "
    ":obs 2024-01-15T10:00:00Z :src @alice :c 0.9))",
    "(query :s @alice :p @knows)   (query :kind pro)   (query :s @alice :p email :debug_mode true)",
    "(query :episode_chain @__ep_1)   (query :include_retired true)   (query)",
    "; comment\n(query (1 \"two\" -3.5 (nested nil)) :limit 5 :as_of 2024-01-15T10:00:00.5Z)",
    "(sem @a age -42 :src @profile :c 1 :v 1990-01-01)\n"
    "(sem @a name \"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\" :src @profile :c 0 :v 2024-01-15)",
    "(sem @x:Agent @p:Predicate @y:Document :src @s\xE3\x80\x80:c 0.5 :v 2024-01-15T10:00:00Z)",
};

// Binds the symbols that the rename/retire/alias forms above refer to, so that
// mutations of those forms also reach the binder's success paths.
constexpr std::string_view kSetup =
    "(sem @alice @knows @old :src @observation :c 0.5 :v 2024-01-15)"
    "(sem @a @knows @tmp :src @observation :c 0.5 :v 2024-01-15)";

// Characters the grammar gives meaning to, plus some that it rejects.
constexpr std::string_view kInteresting = "()@:\"\\;0123456789-TZ.azAZ_ \n\t$#[";

// The three input families of the totality test.
class InputGenerator {
 public:
  enum class Family { kRandomBytes, kRandomUtf8, kMutatedProgram };

  explicit InputGenerator(uint64_t seed) : rng_(seed) {}

  std::string Next(Family family) {
    switch (family) {
      case Family::kRandomBytes:
        return RandomBytes();
      case Family::kRandomUtf8:
        return RandomUtf8();
      case Family::kMutatedProgram:
        return MutatedProgram();
    }
    return {};
  }

 private:
  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  std::string RandomBytes() {
    std::string s(Below(160), '\0');
    for (char& c : s) c = static_cast<char>(Below(256));
    return s;
  }

  // A code point of 1 to 4 bytes, never a surrogate.
  uint32_t RandomCodePoint() {
    switch (Below(8)) {
      case 0:
        return static_cast<uint32_t>(0x80 + Below(0x800 - 0x80));
      case 1: {
        const auto cp = static_cast<uint32_t>(0x800 + Below(0x10000 - 0x800));
        return cp >= 0xD800 && cp <= 0xDFFF ? 0x2028 : cp;  // U+2028 is whitespace
      }
      case 2:
        return static_cast<uint32_t>(0x10000 + Below(0x110000 - 0x10000));
      case 3:
        return static_cast<uint32_t>(Below(0x80));
      default:
        return static_cast<uint8_t>(kInteresting[Below(kInteresting.size())]);
    }
  }

  std::string RandomUtf8() {
    std::string s;
    const size_t n = Below(100);
    for (size_t k = 0; k < n; ++k) AppendUtf8(RandomCodePoint(), &s);
    return s;
  }

  // A valid program after 0 to 3 byte flips, insertions, deletions or truncations.
  std::string MutatedProgram() {
    std::string s(kPrograms[Below(std::size(kPrograms))]);
    const size_t edits = Below(8) == 0 ? 0 : 1 + Below(3);
    for (size_t k = 0; k < edits; ++k) {
      switch (Below(5)) {
        case 0:  // flip one bit of one byte
          if (!s.empty()) s[Below(s.size())] ^= static_cast<char>(1u << Below(8));
          break;
        case 1: {  // insert a byte, a meaningful character or a multi-byte one
          std::string piece;
          if (Below(3) == 0) {
            piece.push_back(static_cast<char>(Below(256)));
          } else {
            AppendUtf8(RandomCodePoint(), &piece);
          }
          s.insert(Below(s.size() + 1), piece);
          break;
        }
        case 2:  // delete 1 to 4 bytes
          if (!s.empty()) {
            const size_t at = Below(s.size());
            s.erase(at, 1 + Below(4));
          }
          break;
        case 3:  // truncate
          s.resize(Below(s.size() + 1));
          break;
        default:  // duplicate a slice elsewhere
          if (!s.empty()) {
            const size_t at = Below(s.size());
            const std::string slice = s.substr(at, 1 + Below(12));
            s.insert(Below(s.size() + 1), slice);
          }
          break;
      }
    }
    return s;
  }

  std::mt19937_64 rng_;
};

// Where each byte offset of `input` is, computed from the text alone: line = 1 +
// the number of '\n' before it, column = 1 + the number of characters (bytes that
// are not UTF-8 continuation bytes) since the last '\n'. Every position the front
// end reports is preceded by valid UTF-8 only, so this is its exact position.
class PositionOracle {
 public:
  explicit PositionOracle(std::string_view input) {
    at_.reserve(input.size() + 1);
    Position p;
    for (size_t i = 0; i <= input.size(); ++i) {
      p.offset = static_cast<uint32_t>(i);
      at_.push_back(p);
      if (i == input.size()) break;
      const auto b = static_cast<uint8_t>(input[i]);
      if (b == '\n') {
        ++p.line;
        p.column = 1;
      } else if ((b & 0xC0) != 0x80) {
        ++p.column;
      }
    }
  }

  // True when `p` is a position of the input (offset <= size) with the line and
  // column of that offset.
  bool Agrees(const Position& p) const { return p.offset < at_.size() && at_[p.offset] == p; }
  Position At(uint32_t offset) const { return at_.at(offset); }

 private:
  std::vector<Position> at_;
};

// Stops the calling test when the status does not read "line L, column C: Kind: …".
void ExpectStatusNamesPosition(const Status& s, const Position& pos, std::string_view kind,
                               const std::string& trace) {
  ASSERT_TRUE(s.IsInvalidArgument()) << trace;
  const std::string prefix = "line " + std::to_string(pos.line) + ", column " +
                             std::to_string(pos.column) + ": " + std::string(kind) + ": ";
  ASSERT_EQ(s.message().rfind("line ", 0), 0u) << trace << s.ToString();
  ASSERT_EQ(s.message().rfind(prefix, 0), 0u) << trace << s.ToString();
  ASSERT_GT(s.message().size(), prefix.size()) << trace << s.ToString();
}

// What the totality test saw; asserted on at the end so that it cannot pass
// vacuously.
struct Coverage {
  int inputs = 0;
  int lex_ok = 0;
  int parse_ok = 0;
  int bind_ok = 0;
  int bind_failed = 0;
  std::set<LexErrorKind> lex_kinds;
  std::set<ParseErrorKind> parse_kinds;
  std::set<BindErrorKind> bind_kinds;
};

// Lexes and parses `input`; checks every property of the result. Sets *forms to
// the parsed forms (empty on failure) and *parsed.
void CheckLexAndParse(std::string_view input, const std::string& trace, Coverage* cov,
                      std::vector<Form>* forms, bool* parsed) {
  *parsed = false;
  const PositionOracle oracle(input);

  std::vector<Token> tokens;
  LexError lex_error;
  Position end;
  const bool lex_ok = Lex(input, &tokens, &lex_error, &end);
  if (lex_ok) {
    ++cov->lex_ok;
    ASSERT_EQ(end, oracle.At(static_cast<uint32_t>(input.size()))) << trace;
    for (size_t k = 0; k < tokens.size(); ++k) {
      ASSERT_LT(tokens[k].pos.offset, input.size()) << trace;
      ASSERT_TRUE(oracle.Agrees(tokens[k].pos)) << trace << "token " << k;
      if (k > 0) {
        ASSERT_LT(tokens[k - 1].pos.offset, tokens[k].pos.offset) << trace;
      }
    }
  } else {
    cov->lex_kinds.insert(lex_error.kind);
    ASSERT_NE(LexErrorKindName(lex_error.kind), "?") << trace;
    // A lex error always points at a character of the input.
    ASSERT_LT(lex_error.pos.offset, input.size()) << trace;
    ASSERT_GE(lex_error.pos.line, 1u) << trace;
    ASSERT_GE(lex_error.pos.column, 1u) << trace;
    ASSERT_TRUE(oracle.Agrees(lex_error.pos)) << trace << testing::PrintToString(lex_error.pos);
    ASSERT_FALSE(lex_error.detail.empty()) << trace;
  }

  ParseError error;
  const bool parse_ok = ParseForms(input, forms, &error);
  if (!lex_ok) {
    // The parser reports the lexer's error, unchanged.
    ASSERT_FALSE(parse_ok) << trace;
    ASSERT_EQ(error.kind, ParseErrorKind::kLex) << trace;
    ASSERT_EQ(error.lex.kind, lex_error.kind) << trace;
    ASSERT_EQ(error.pos, lex_error.pos) << trace;
  }
  if (parse_ok) {
    ++cov->parse_ok;
    *parsed = true;
    for (const Form& f : *forms) {
      const Position pos = FormPosition(f);
      ASSERT_LT(pos.offset, input.size()) << trace;
      ASSERT_EQ(input[pos.offset], '(') << trace;
      ASSERT_TRUE(oracle.Agrees(pos)) << trace;
    }
    return;
  }
  cov->parse_kinds.insert(error.kind);
  if (lex_ok) {
    ASSERT_NE(error.kind, ParseErrorKind::kLex) << trace;
  }
  ASSERT_TRUE(forms->empty()) << trace;
  ASSERT_NE(ParseErrorKindName(error.kind), "?") << trace;
  ASSERT_LE(error.pos.offset, input.size()) << trace;
  ASSERT_GE(error.pos.line, 1u) << trace;
  ASSERT_GE(error.pos.column, 1u) << trace;
  ASSERT_TRUE(oracle.Agrees(error.pos)) << trace << testing::PrintToString(error.pos);
  ASSERT_FALSE(error.message.empty()) << trace;
  ExpectStatusNamesPosition(ToStatus(error), error.pos, ParseErrorKindName(error.kind), trace);
}

// Binds `forms` against a copy of `start`, under a caller mark. A failure must
// leave the table equal to the copy taken before, also without a caller mark (then
// with the journal closed again); a success undone by RollbackTo(mark) must too.
void CheckBind(std::string_view input, const std::vector<Form>& forms, const SymbolTable& start,
               const std::string& trace, Coverage* cov) {
  const PositionOracle oracle(input);
  SymbolTable table = start;
  const SymbolTable before = table;
  const SymbolTable::UndoMark mark = table.Mark();
  BindOutput out;
  BindError error;
  if (Bind(forms, &table, &out, &error)) {
    ++cov->bind_ok;
    ASSERT_EQ(out.forms.size(), forms.size()) << trace;
    ASSERT_TRUE(table.journal_open()) << trace;
    // Allocations take consecutive ids from next_id, and their names stay bound.
    SymbolId next = before.next_id();
    for (const SymbolEvent& e : out.journal) {
      if (e.type != SymbolEvent::Type::kAllocate) continue;
      ASSERT_EQ(e.id, next++) << trace << e.name;
      ASSERT_EQ(table.Lookup(e.name), e.id) << trace << e.name;
    }
    ASSERT_EQ(table.next_id(), next) << trace;
    table.RollbackTo(mark);
    table.Commit();
    ASSERT_TRUE(table == before) << trace << "RollbackTo(mark) after a successful Bind";
    return;
  }
  ++cov->bind_failed;
  cov->bind_kinds.insert(error.kind);
  ASSERT_TRUE(table == before) << trace << "failed Bind changed the table";
  ASSERT_TRUE(table.journal_open()) << trace << "Bind closed the caller's journal";
  ASSERT_TRUE(out.forms.empty()) << trace;
  ASSERT_TRUE(out.journal.empty()) << trace;
  ASSERT_NE(BindErrorKindName(error.kind), "Unknown") << trace;
  ASSERT_LT(error.pos.offset, input.size()) << trace;
  ASSERT_TRUE(oracle.Agrees(error.pos)) << trace << testing::PrintToString(error.pos);
  ASSERT_FALSE(error.message.empty()) << trace;
  ExpectStatusNamesPosition(ToStatus(error), error.pos, BindErrorKindName(error.kind), trace);
  table.RollbackTo(mark);
  table.Commit();
  ASSERT_TRUE(table == before) << trace;

  // The same failure without a caller mark: same error, table unchanged, journal
  // closed as it was at the call.
  SymbolTable unmarked = start;
  BindError again;
  ASSERT_FALSE(Bind(forms, &unmarked, &out, &again)) << trace;
  ASSERT_EQ(again.kind, error.kind) << trace;
  ASSERT_EQ(again.pos, error.pos) << trace;
  ASSERT_FALSE(unmarked.journal_open()) << trace;
  ASSERT_TRUE(unmarked == before) << trace;
}

SymbolTable SetupTable() {
  SymbolTable table;
  std::vector<Form> forms;
  ParseError parse_error;
  EXPECT_TRUE(ParseForms(kSetup, &forms, &parse_error)) << ToStatus(parse_error).ToString();
  BindOutput out;
  BindError bind_error;
  EXPECT_TRUE(Bind(forms, &table, &out, &bind_error)) << ToStatus(bind_error).ToString();
  table.Commit();
  return table;
}

std::string Escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto b = static_cast<uint8_t>(c);
    if (b >= 0x20 && b < 0x7F && c != '\\') {
      out.push_back(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", b);
      out += buf;
    }
  }
  return out;
}

TEST(FrontEndTotalityTest, RandomInputsGiveAResultOrAPositionedErrorSeed20250611) {
  constexpr uint64_t kSeed = 20250611;
  constexpr int kInputs = 20000;
  using Family = InputGenerator::Family;
  InputGenerator gen(kSeed);
  const SymbolTable fresh;
  const SymbolTable setup = SetupTable();
  Coverage cov;
  int mutated_parsed = 0;
  for (int i = 0; i < kInputs; ++i) {
    const auto family = static_cast<Family>(i % 3);
    const std::string input = gen.Next(family);
    const std::string trace = "seed " + std::to_string(kSeed) + ", input #" + std::to_string(i) +
                              ": \"" + Escaped(input) + "\"\n";
    ++cov.inputs;
    std::vector<Form> forms;
    bool parsed = false;
    ASSERT_NO_FATAL_FAILURE(CheckLexAndParse(input, trace, &cov, &forms, &parsed));
    if (!parsed || family != Family::kMutatedProgram) continue;
    ++mutated_parsed;
    ASSERT_NO_FATAL_FAILURE(CheckBind(input, forms, fresh, trace + "fresh table: ", &cov));
    ASSERT_NO_FATAL_FAILURE(CheckBind(input, forms, setup, trace + "setup table: ", &cov));
  }
  // The generators reach both outcomes of every stage, and most error kinds.
  EXPECT_GT(cov.lex_ok, kInputs / 8);
  EXPECT_GT(mutated_parsed, kInputs / 20);
  EXPECT_GT(cov.bind_ok, kInputs / 20);
  EXPECT_GT(cov.bind_failed, kInputs / 100);
  EXPECT_EQ(cov.lex_kinds.size(), 5u);
  EXPECT_GE(cov.parse_kinds.size(), 10u);
  EXPECT_GE(cov.bind_kinds.size(), 6u);
  std::printf(
      "[ totality ] %d inputs: %d lexed, %d parsed (%d mutated programs), %d binds ok, "
      "%d failed; kinds seen: %zu lex, %zu parse, %zu bind\n",
      cov.inputs, cov.lex_ok, cov.parse_ok, mutated_parsed, cov.bind_ok, cov.bind_failed,
      cov.lex_kinds.size(), cov.parse_kinds.size(), cov.bind_kinds.size());
}

// ---- Deep nesting ----

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string Nested(size_t depth) { return Repeat("(", depth) + "1" + Repeat(")", depth); }

ParseError ParseFails(std::string_view input) {
  std::vector<Form> forms;
  ParseError error;
  EXPECT_FALSE(ParseForms(input, &forms, &error));
  EXPECT_TRUE(forms.empty());
  return error;
}

// parser_test.cc covers the query selector, the sem object and :src; these are the
// other value slots, each with the value on line 2 so that the reported line is
// checked too.
TEST(FrontEndDepthTest, ValueNestingOf256ParsesAnd257FailsInEveryOtherSlot) {
  const std::string_view kSlots[] = {
      "(pro @r\n  {} \"action\" :scp @s :src @p :c 1)",
      "(pro @r \"trigger\"\n  {} :scp @s :src @p :c 1)",
      "(pro @r \"trigger\" \"action\" :scp @s :src @p :c 1\n  :pre {})",
      "(inf @a @b\n  {} (@m) @majority_vote :c 1 :v 2024-01-15)",
      "(inf @a @b @c (@m) @majority_vote :c 1 :v 2024-01-15\n  :projected {})",
      "(retire @x\n  :reason {})",
      "(query :s @a\n  :o {})",
      "(epi @e @k () @l :at 2024-01-15 :obs 2024-01-15 :src @s\n  :c {})",
  };
  for (std::string_view slot : kSlots) {
    const size_t hole = slot.find("{}");
    const auto with = [&](size_t depth) {
      return std::string(slot.substr(0, hole)) + Nested(depth) + std::string(slot.substr(hole + 2));
    };
    std::vector<Form> forms;
    ParseError error;
    EXPECT_TRUE(ParseForms(with(256), &forms, &error)) << slot << "\n"
                                                       << ToStatus(error).ToString();
    const std::string deep = with(257);
    error = ParseFails(deep);
    EXPECT_EQ(error.kind, ParseErrorKind::kNestingTooDeep) << slot;
    // The 257th '(', on line 2.
    EXPECT_EQ(error.pos, PositionOracle(deep).At(static_cast<uint32_t>(hole + 256))) << slot;
    EXPECT_EQ(error.pos.line, 2u) << slot;
  }
}

TEST(FrontEndDepthTest, A256LevelListBindsToUnexpectedList) {
  std::vector<Form> forms;
  ParseError parse_error;
  const std::string input =
      "(sem @a @p " + Nested(256) + " :src @observation :c 0.5 :v 2024-01-15)";
  ASSERT_TRUE(ParseForms(input, &forms, &parse_error)) << ToStatus(parse_error).ToString();
  SymbolTable table;
  const SymbolTable before = table;
  BindOutput out;
  BindError error;
  ASSERT_FALSE(Bind(forms, &table, &out, &error));
  EXPECT_EQ(error.kind, BindErrorKind::kUnexpectedList);
  EXPECT_EQ(error.pos, (Position{11, 1, 12}));
  EXPECT_TRUE(table == before);
}

// Far past the limit the parser stops at level 257 and never recurses further:
// 100,000 levels fail in constant stack depth.
TEST(FrontEndDepthTest, HundredThousandLevelsFailCleanly) {
  constexpr size_t kDeep = 100000;
  struct Case {
    std::string input;
    uint32_t error_offset;  // of the '(' that is one level too deep
  };
  const Case cases[] = {
      // Balanced lists in a value.
      {"(query " + Nested(kDeep) + ")", 7 + 256},
      // Lists that are never closed: the depth check comes first.
      {"(query " + Repeat("(", kDeep), 7 + 256},
      {"(sem @a @b " + Repeat("(", kDeep), 11 + 256},
      // Nested `correct` forms: each body is one level deeper (20,000 of them: the
      // lexer's 60,000 tokens dominate this test's time).
      {Repeat("(correct @t ", kDeep / 5), 257 * 12},
  };
  for (const Case& c : cases) {
    const ParseError error = ParseFails(c.input);
    EXPECT_EQ(error.kind, ParseErrorKind::kNestingTooDeep) << ToStatus(error).ToString();
    EXPECT_EQ(error.pos, (Position{c.error_offset, 1, c.error_offset + 1}));
  }
  // Parentheses without heads fail at the first missing head.
  const ParseError heads = ParseFails(Repeat("(", kDeep));
  EXPECT_EQ(heads.kind, ParseErrorKind::kUnexpectedToken);
  EXPECT_EQ(heads.pos, (Position{1, 1, 2}));
}

}  // namespace
}  // namespace urd::mem
