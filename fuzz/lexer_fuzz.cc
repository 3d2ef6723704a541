// Copyright urd authors. Fuzz target `lexer`: the memory-language lexer
// (src/memory/ir/lexer.h) over arbitrary bytes.
//
// Asserts, beyond "does not crash":
//  * every position (tokens, the end, an error) agrees with the input: the offset
//    is in range, the line is 1 + the '\n' before it, the column 1 + the UTF-8
//    characters since the last '\n'; token offsets strictly increase;
//  * on success the end position is the end of the input; on failure the tokens
//    kept all start before the error;
//  * tokens do not depend on their context: the source text of each token, lexed
//    on its own, gives exactly that token (kind and payload);
//  * string round trip: re-escaping a string token's text and lexing it gives the
//    same text.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "memory/ir/lexer.h"

namespace {

using urd::fuzz::Positions;
using urd::mem::Lex;
using urd::mem::LexError;
using urd::mem::Position;
using urd::mem::Token;
using urd::mem::TokenKind;

bool SamePayload(const Token& a, const Token& b) {
  return a.kind == b.kind && a.text == b.text && a.symbol_kind == b.symbol_kind &&
         a.integer == b.integer && std::memcmp(&a.real, &b.real, sizeof(double)) == 0 &&
         a.boolean == b.boolean;
}

// The string-literal escaping of docs/language.md, written out here on purpose
// rather than calling the renderer (src/memory/render.cc): the round-trip check
// wants an oracle independent of the code it could share a bug with.
std::string Escape(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

void CheckTokens(const std::vector<Position>& at, const std::vector<Token>& tokens, size_t limit) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    URD_FUZZ_CHECK(t.pos.offset < limit);
    URD_FUZZ_CHECK(t.pos == at[t.pos.offset]);
    if (i > 0) URD_FUZZ_CHECK(t.pos.offset > tokens[i - 1].pos.offset);
    (void)urd::mem::TokenKindName(t.kind);
    (void)urd::mem::DescribeToken(t);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<Token> tokens;
  LexError err;
  Position end;
  const std::vector<Position> at = Positions(in);
  if (!Lex(in, &tokens, &err, &end)) {
    URD_FUZZ_CHECK(err.pos.offset <= size);
    URD_FUZZ_CHECK(err.pos == at[err.pos.offset]);
    URD_FUZZ_CHECK(!err.detail.empty());
    (void)urd::mem::LexErrorKindName(err.kind);
    CheckTokens(at, tokens, err.pos.offset + 1);
    return 0;
  }
  URD_FUZZ_CHECK(end == at[size]);
  CheckTokens(at, tokens, size);

  for (size_t i = 0; i < tokens.size(); ++i) {
    const size_t from = tokens[i].pos.offset;
    const size_t to = i + 1 < tokens.size() ? tokens[i + 1].pos.offset : size;
    std::vector<Token> alone;
    LexError alone_err;
    URD_FUZZ_CHECK(Lex(in.substr(from, to - from), &alone, &alone_err));
    URD_FUZZ_CHECK(alone.size() == 1);
    URD_FUZZ_CHECK(SamePayload(alone[0], tokens[i]));

    if (tokens[i].kind == TokenKind::kString) {
      std::vector<Token> again;
      URD_FUZZ_CHECK(Lex(Escape(tokens[i].text), &again, &alone_err));
      URD_FUZZ_CHECK(again.size() == 1 && again[0].kind == TokenKind::kString);
      URD_FUZZ_CHECK(again[0].text == tokens[i].text);
    }
  }
  return 0;
}
