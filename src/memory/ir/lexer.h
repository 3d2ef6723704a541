// Copyright urd authors. Lexer of the memory write language (docs/language.md §1).
//
// Thread-safety: Lex() is a pure function of its input; it may be called from any
// number of threads at once.
//
// The lexer turns UTF-8 text into tokens, skipping whitespace (every Unicode
// White_Space character) and `;` line comments. It stops at the first error. It is
// total: every input, including invalid UTF-8, yields either tokens or a LexError.

#ifndef URD_MEMORY_IR_LEXER_H_
#define URD_MEMORY_IR_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace urd::mem {

// Where a token or an error starts. Offsets are in bytes from the start of the
// input (0-based); line and column are 1-based, and the column counts Unicode
// characters, not bytes. Only '\n' starts a new line. Positions saturate at
// UINT32_MAX for inputs larger than 4 GiB.
struct Position {
  uint32_t offset = 0;
  uint32_t line = 1;
  uint32_t column = 1;

  friend bool operator==(const Position&, const Position&) = default;
};

enum class TokenKind : uint8_t {
  kLParen,       // (
  kRParen,       // )
  kString,       // "text" — `text` holds the unescaped body
  kSymbol,       // @name — `text` holds the name without '@'
  kTypedSymbol,  // @name:Kind — `text` holds the name, `symbol_kind` the kind
  kKeyword,      // :name — `text` holds the name without ':'
  kInteger,      // -12 — `integer`
  kFloat,        // 0.8 — `real`
  kTimestamp,    // 2024-01-15T10:00:00Z — `text` holds the raw text (unconverted)
  kBareword,     // email — `text`
  kBoolean,      // true / false — `boolean`
  kNil,          // nil
};

struct Token {
  TokenKind kind = TokenKind::kNil;
  Position pos;
  std::string text;
  std::string symbol_kind;
  int64_t integer = 0;
  double real = 0;
  bool boolean = false;
};

enum class LexErrorKind : uint8_t {
  kUnterminatedString,  // end of input inside "…"; pos = the opening quote
  kInvalidEscape,       // a backslash not followed by n r t \ "; pos = the backslash
  kInvalidNumber,       // a run of [0-9-.:TZ] that is no integer, float or timestamp
  kInvalidIdentifier,   // bad name after '@' or ':' or bad kind after "@name:"
  kUnexpectedByte,      // a character no token starts with, or invalid UTF-8
};

struct LexError {
  LexErrorKind kind = LexErrorKind::kUnexpectedByte;
  Position pos;        // start of the offending token or character
  std::string detail;  // human-readable; quotes the offending text or byte
};

// Tokenises `input`. On success fills `*out` (cleared first), sets `*end` (if not
// null) to the position just past the input, and returns true. On failure sets
// `*err` and returns false; `*out` then holds the tokens before the error.
// REQUIRES: out and err are not null.
bool Lex(std::string_view input, std::vector<Token>* out, LexError* err, Position* end = nullptr);

// "LParen", "Symbol", …
std::string_view TokenKindName(TokenKind kind);
// "UnterminatedString", "InvalidEscape", …
std::string_view LexErrorKindName(LexErrorKind kind);
// A short description of a token for error messages, e.g. "keyword :src",
// "symbol @alice", "`)`", "integer 5".
std::string DescribeToken(const Token& token);

}  // namespace urd::mem

#endif  // URD_MEMORY_IR_LEXER_H_
