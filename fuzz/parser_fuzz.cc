// Copyright urd authors. Fuzz target `parser`: the memory-language parser
// (src/memory/ir/parser.h) over arbitrary bytes.
//
// Asserts, beyond "does not crash" (deep nesting included):
//  * fail-fast lexing: the parse fails with kLex exactly when Lex() fails, at the
//    lexer's position;
//  * every error carries a position that agrees with the input (offset in range,
//    line and column recomputed independently), and ToStatus() starts with
//    "line L, column C: <Kind>"; a failed parse returns no forms;
//  * the nesting cap: a parse that succeeds has no '(' deeper than
//    kMaxNestingDepth levels inside its top-level form, and kNestingTooDeep is
//    reported exactly at the first '(' that opens level kMaxNestingDepth + 1;
//  * on success the forms are the top-level '(' tokens, in order: one form per
//    top-level '(' and each form's position is that token's;
//  * ParseProgram agrees with ParseForms.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "memory/ir/parser.h"

namespace {

using namespace urd::mem;  // NOLINT(build/namespaces): a test program

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::vector<Position> at = urd::fuzz::Positions(in);

  std::vector<Token> tokens;
  LexError lex_error;
  const bool lexed = Lex(in, &tokens, &lex_error);

  std::vector<Form> forms;
  ParseError error;
  const bool ok = ParseForms(in, &forms, &error);
  auto program = ParseProgram(in);
  URD_FUZZ_CHECK(program.ok() == ok);
  if (ok) URD_FUZZ_CHECK(program->size() == forms.size());

  if (!lexed) {
    URD_FUZZ_CHECK(!ok);
    URD_FUZZ_CHECK(error.kind == ParseErrorKind::kLex);
    URD_FUZZ_CHECK(error.pos == lex_error.pos && error.lex.pos == lex_error.pos);
    URD_FUZZ_CHECK(error.lex.kind == lex_error.kind);
  }

  // Nesting depth of every '(' token (1 for a top-level form's) and the deepest.
  std::vector<int> depth_of(tokens.size(), 0);
  std::vector<size_t> top_level;
  int depth = 0, deepest = 0;
  for (size_t i = 0; lexed && i < tokens.size(); ++i) {
    if (tokens[i].kind == TokenKind::kLParen) {
      if (depth == 0) top_level.push_back(i);
      depth_of[i] = ++depth;
      if (depth > deepest) deepest = depth;
    } else if (tokens[i].kind == TokenKind::kRParen && depth > 0) {
      --depth;
    }
  }
  // Levels inside a form: the form's own '(' is depth 1, a list inside it level 1.
  const int kTooDeep = kMaxNestingDepth + 2;

  if (ok) {
    URD_FUZZ_CHECK(deepest < kTooDeep);
    URD_FUZZ_CHECK(forms.size() == top_level.size());
    for (size_t f = 0; f < forms.size(); ++f) {
      URD_FUZZ_CHECK(FormPosition(forms[f]) == tokens[top_level[f]].pos);
      URD_FUZZ_CHECK(!FormHead(forms[f]).empty());
    }
    return 0;
  }

  URD_FUZZ_CHECK(forms.empty());
  URD_FUZZ_CHECK(error.pos.offset <= size);
  URD_FUZZ_CHECK(error.pos == at[error.pos.offset]);
  URD_FUZZ_CHECK(!error.message.empty());
  const std::string prefix = "line " + std::to_string(error.pos.line) + ", column " +
                             std::to_string(error.pos.column) + ": " +
                             std::string(ParseErrorKindName(error.kind));
  const std::string status = ToStatus(error).ToString();
  URD_FUZZ_CHECK(status.find(prefix) != std::string::npos);

  if (lexed) {
    URD_FUZZ_CHECK(error.kind != ParseErrorKind::kLex);
    // The first '(' at level kMaxNestingDepth + 1, if any: tokens before it parse
    // or fail on their own, so the error is there or earlier.
    size_t first_too_deep = tokens.size();
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (depth_of[i] == kTooDeep) {
        first_too_deep = i;
        break;
      }
    }
    if (error.kind == ParseErrorKind::kNestingTooDeep) {
      URD_FUZZ_CHECK(first_too_deep < tokens.size());
      URD_FUZZ_CHECK(error.pos == tokens[first_too_deep].pos);
    } else if (first_too_deep < tokens.size()) {
      URD_FUZZ_CHECK(error.pos.offset <= tokens[first_too_deep].pos.offset);
    }
  }
  return 0;
}
