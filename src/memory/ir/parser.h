// Copyright urd authors. Parser of the memory write language (docs/language.md §2).
//
// Thread-safety: pure functions of their input; callable from any thread.
//
// The whole input is lexed first, then parsed by recursive descent. Parsing is
// fail-fast: the first error (a lex error anywhere in the input, else the first
// grammar error) is returned and no forms are. The input may hold any number of
// top-level forms, including none (empty input, whitespace or comments only).
// Every input, including invalid UTF-8, yields forms or a typed error; recursion is
// bounded by kMaxNestingDepth.

#ifndef URD_MEMORY_IR_PARSER_H_
#define URD_MEMORY_IR_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "memory/ir/ast.h"
#include "memory/ir/lexer.h"
#include "urd/result.h"
#include "urd/status.h"

namespace urd::mem {

// Levels of nesting allowed inside one top-level form: each list `(` inside a
// value, and each `correct` body, adds one level. 256 levels parse; 257 fail with
// kNestingTooDeep.
inline constexpr int kMaxNestingDepth = 256;

enum class ParseErrorKind : uint8_t {
  kLex,                     // the lexer failed; see ParseError::lex
  kUnexpectedToken,         // a token that the grammar does not allow here
  kUnexpectedEof,           // the input ends inside a form
  kUnknownOpcode,           // a form head that is none of the 15 heads
  kBadKeyword,              // a keyword the form does not take (or a bad :actor)
  kDuplicateKeyword,        // a keyword given twice in one form
  kMissingRequiredKeyword,  // a required keyword is absent
  kExpectedValue,           // `)` or a keyword where a value is expected
  kUnbalancedList,          // the input ends inside a list
  kExpectedSymbolInList,    // a non-symbol inside a symbol list
  kNestingTooDeep,          // more than kMaxNestingDepth levels
};

struct ParseError {
  ParseErrorKind kind = ParseErrorKind::kUnexpectedToken;
  // Where the error is: the offending token; for kUnexpectedEof the end of the
  // input; for kUnbalancedList the '(' that is never closed; for
  // kMissingRequiredKeyword the form's '('; for kLex the lexer's position.
  Position pos;
  // Human-readable; names the keyword, form and expected text where there is one.
  std::string message;
  std::string form;     // head of the form being parsed, when known
  std::string keyword;  // kBadKeyword, kDuplicateKeyword, kMissingRequiredKeyword
  LexError lex;         // kind == kLex only
};

// Parses `input`. On success fills `*forms` (cleared first) and returns true; on
// failure sets `*error`, clears `*forms` and returns false.
// REQUIRES: forms and error are not null.
bool ParseForms(std::string_view input, std::vector<Form>* forms, ParseError* error);

// As ParseForms, with the error converted by ToStatus().
Result<std::vector<Form>> ParseProgram(std::string_view input);

// InvalidArgument "line L, column C: <Kind>: <message>", Kind as named by
// ParseErrorKindName(); for kLex the message starts with the lexer's kind, e.g.
// "line 1, column 7: Lex: InvalidEscape: invalid escape `\q` (…)".
Status ToStatus(const ParseError& error);

// "Lex", "UnexpectedToken", …
std::string_view ParseErrorKindName(ParseErrorKind kind);

}  // namespace urd::mem

#endif  // URD_MEMORY_IR_PARSER_H_
