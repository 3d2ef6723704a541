// Copyright urd authors.

#include "memory/ir/lexer.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>
#include <system_error>

namespace urd::mem {

namespace {

constexpr uint32_t kU32Max = std::numeric_limits<uint32_t>::max();

// Decodes the UTF-8 character at s[i]. Returns its length in bytes (1 to 4) and
// sets *cp, or returns 0 when the bytes there are not well-formed UTF-8 (overlong
// forms, surrogates, values above U+10FFFF, truncated or stray continuations).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto c = static_cast<uint8_t>(s[i]);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  uint32_t v;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<uint8_t>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    v = (v << 6) | (cc & 0x3F);
  }
  static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return len;
}

// Unicode White_Space (what Rust's char::is_whitespace accepts).
bool IsUnicodeWhitespace(uint32_t cp) {
  if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return true;
  if (cp < 0x85) return false;
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
bool IsKindChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c); }
bool IsNumberChar(char c) {
  return IsDigit(c) || c == '-' || c == '.' || c == ':' || c == 'T' || c == 'Z';
}

// "DDDD-DD-DD" and either exactly that, or 'T' at index 10 and a ':' after it.
bool LooksLikeTimestamp(std::string_view t) {
  if (t.size() < 10) return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(t[i])) return false;
  }
  if (t[4] != '-' || t[7] != '-') return false;
  if (t.size() == 10) return true;
  return t[10] == 'T' && t.substr(11).find(':') != std::string_view::npos;
}

// Parses a float the way Rust's f64::from_str does for texts made of [0-9-.]:
// an optional '-', digits with one '.', at least one digit; out-of-range values
// become ±infinity or ±0 instead of failing.
bool ParseFloat(std::string_view t, double* out) {
  const char* first = t.data();
  const char* last = t.data() + t.size();
  const auto r = std::from_chars(first, last, *out);
  if (r.ptr != last) return false;
  if (r.ec == std::errc()) return true;
  if (r.ec != std::errc::result_out_of_range) return false;
  const bool negative = t.front() == '-';
  const std::string_view integral = t.substr(negative ? 1 : 0, t.find('.') - (negative ? 1 : 0));
  const bool overflow = integral.find_first_not_of('0') != std::string_view::npos;
  const double magnitude = overflow ? std::numeric_limits<double>::infinity() : 0.0;
  *out = negative ? -magnitude : magnitude;
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  bool Run(std::vector<Token>* out, LexError* err, Position* end);

 private:
  Position Here() const {
    return Position{static_cast<uint32_t>(std::min<size_t>(off_, kU32Max)), line_, col_};
  }
  bool AtEnd() const { return off_ >= in_.size(); }
  char Peek() const { return in_[off_]; }
  // Moves past one character of `len` bytes whose code point is `cp`.
  void Advance(uint32_t cp, size_t len) {
    off_ += len;
    if (cp == '\n') {
      line_ = line_ == kU32Max ? line_ : line_ + 1;
      col_ = 1;
    } else if (col_ != kU32Max) {
      ++col_;
    }
  }
  // Moves past one ASCII character other than '\n'.
  void AdvanceAscii() { Advance(0, 1); }
  std::string_view TakeWhile(bool (*pred)(char)) {
    const size_t start = off_;
    while (!AtEnd() && pred(Peek())) AdvanceAscii();
    return in_.substr(start, off_ - start);
  }

  bool Fail(LexErrorKind kind, Position pos, std::string detail) {
    err_->kind = kind;
    err_->pos = pos;
    err_->detail = std::move(detail);
    return false;
  }
  bool FailUnexpectedByte(Position pos, uint8_t byte, bool invalid_utf8);

  bool SkipTrivia();
  bool LexToken(Token* tok);
  bool LexString(Token* tok);
  bool LexEscape(Position string_start, std::string* text);
  bool LexSymbol(Token* tok);
  bool LexKeyword(Token* tok);
  bool LexNumber(Token* tok);
  void LexWord(Token* tok);

  std::string_view in_;
  size_t off_ = 0;
  uint32_t line_ = 1;
  uint32_t col_ = 1;
  LexError* err_ = nullptr;
};

bool Lexer::Run(std::vector<Token>* out, LexError* err, Position* end) {
  err_ = err;
  out->clear();
  // About one token per 6 bytes of typical input: one allocation instead of a
  // geometric series of them (the read path parses a query per call).
  out->reserve(in_.size() / 6 + 4);
  while (true) {
    if (!SkipTrivia()) return false;
    if (AtEnd()) break;
    Token tok;
    tok.pos = Here();
    if (!LexToken(&tok)) return false;
    out->push_back(std::move(tok));
  }
  if (end != nullptr) *end = Here();
  return true;
}

bool Lexer::FailUnexpectedByte(Position pos, uint8_t byte, bool invalid_utf8) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s 0x%02X",
                invalid_utf8 ? "invalid UTF-8 byte" : "unexpected byte",
                static_cast<unsigned>(byte));
  return Fail(LexErrorKind::kUnexpectedByte, pos, buf);
}

// Skips whitespace and comments. Fails only on invalid UTF-8 (also inside comments).
bool Lexer::SkipTrivia() {
  bool in_comment = false;
  while (!AtEnd()) {
    uint32_t cp;
    const size_t len = DecodeUtf8(in_, off_, &cp);
    if (len == 0) return FailUnexpectedByte(Here(), static_cast<uint8_t>(Peek()), true);
    if (in_comment) {
      if (cp == '\n') in_comment = false;
    } else if (cp == ';') {
      in_comment = true;
    } else if (!IsUnicodeWhitespace(cp)) {
      return true;
    }
    Advance(cp, len);
  }
  return true;
}

bool Lexer::LexToken(Token* tok) {
  const char c = Peek();
  if (c == '(' || c == ')') {
    tok->kind = c == '(' ? TokenKind::kLParen : TokenKind::kRParen;
    AdvanceAscii();
    return true;
  }
  if (c == '"') return LexString(tok);
  if (c == '@') return LexSymbol(tok);
  if (c == ':') return LexKeyword(tok);
  if (c == '-' || IsDigit(c)) return LexNumber(tok);
  if (IsIdentStart(c)) {
    LexWord(tok);
    return true;
  }
  uint32_t cp;
  if (DecodeUtf8(in_, off_, &cp) == 0) {
    return FailUnexpectedByte(tok->pos, static_cast<uint8_t>(c), true);
  }
  return FailUnexpectedByte(tok->pos, static_cast<uint8_t>(cp & 0xFF), false);
}

bool Lexer::LexString(Token* tok) {
  const Position start = tok->pos;
  AdvanceAscii();  // opening quote
  tok->kind = TokenKind::kString;
  while (true) {
    if (AtEnd()) return Fail(LexErrorKind::kUnterminatedString, start, "string is never closed");
    uint32_t cp;
    const size_t len = DecodeUtf8(in_, off_, &cp);
    if (len == 0) return FailUnexpectedByte(Here(), static_cast<uint8_t>(Peek()), true);
    if (cp == '"') {
      Advance(cp, len);
      return true;
    }
    if (cp == '\\') {
      if (!LexEscape(start, &tok->text)) return false;
      continue;
    }
    tok->text.append(in_.substr(off_, len));
    Advance(cp, len);
  }
}

// Reads a backslash and the character after it, appending what it stands for.
bool Lexer::LexEscape(Position string_start, std::string* text) {
  const Position escape_pos = Here();
  AdvanceAscii();  // backslash
  if (AtEnd()) {
    return Fail(LexErrorKind::kUnterminatedString, string_start, "string is never closed");
  }
  uint32_t cp;
  const size_t len = DecodeUtf8(in_, off_, &cp);
  if (len == 0) return FailUnexpectedByte(Here(), static_cast<uint8_t>(Peek()), true);
  static constexpr std::string_view kFrom = "nrt\\\"";
  static constexpr std::string_view kTo = "\n\r\t\\\"";
  const size_t which = cp < 0x80 ? kFrom.find(static_cast<char>(cp)) : std::string_view::npos;
  if (which == std::string_view::npos) {
    return Fail(LexErrorKind::kInvalidEscape, escape_pos,
                "invalid escape `\\" + std::string(in_.substr(off_, len)) +
                    "` (allowed: \\n \\r \\t \\\\ \\\")");
  }
  text->push_back(kTo[which]);
  Advance(cp, len);
  return true;
}

bool Lexer::LexSymbol(Token* tok) {
  AdvanceAscii();  // '@'
  const std::string_view name = TakeWhile(IsIdentChar);
  if (name.empty() || !IsIdentStart(name.front())) {
    return Fail(LexErrorKind::kInvalidIdentifier, tok->pos,
                "`@" + std::string(name) + "`: a symbol name must start with a-z or _");
  }
  tok->kind = TokenKind::kSymbol;
  tok->text = std::string(name);
  if (AtEnd() || Peek() != ':') return true;
  AdvanceAscii();  // ':'
  const std::string_view kind = TakeWhile(IsKindChar);
  if (kind.empty() || !(kind.front() >= 'A' && kind.front() <= 'Z')) {
    return Fail(LexErrorKind::kInvalidIdentifier, tok->pos,
                "`@" + std::string(name) + ":" + std::string(kind) +
                    "`: a symbol kind must start with an uppercase letter");
  }
  tok->kind = TokenKind::kTypedSymbol;
  tok->symbol_kind = std::string(kind);
  return true;
}

bool Lexer::LexKeyword(Token* tok) {
  AdvanceAscii();  // ':'
  const std::string_view name = TakeWhile(IsIdentChar);
  if (name.empty() || !IsIdentStart(name.front())) {
    return Fail(LexErrorKind::kInvalidIdentifier, tok->pos,
                "`:" + std::string(name) + "`: a keyword must start with a-z or _");
  }
  tok->kind = TokenKind::kKeyword;
  tok->text = std::string(name);
  return true;
}

bool Lexer::LexNumber(Token* tok) {
  const std::string_view text = TakeWhile(IsNumberChar);
  if (LooksLikeTimestamp(text)) {
    tok->kind = TokenKind::kTimestamp;
    tok->text = std::string(text);
    return true;
  }
  if (text.find('.') != std::string_view::npos) {
    tok->kind = TokenKind::kFloat;
    if (ParseFloat(text, &tok->real)) return true;
  } else {
    tok->kind = TokenKind::kInteger;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), tok->integer);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return true;
  }
  return Fail(LexErrorKind::kInvalidNumber, tok->pos,
              "`" + std::string(text) + "` is not an integer, float or timestamp");
}

void Lexer::LexWord(Token* tok) {
  const std::string_view word = TakeWhile(IsIdentChar);
  if (word == "true" || word == "false") {
    tok->kind = TokenKind::kBoolean;
    tok->boolean = word == "true";
  } else if (word == "nil") {
    tok->kind = TokenKind::kNil;
  } else {
    tok->kind = TokenKind::kBareword;
    tok->text = std::string(word);
  }
}

}  // namespace

bool Lex(std::string_view input, std::vector<Token>* out, LexError* err, Position* end) {
  return Lexer(input).Run(out, err, end);
}

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kLParen:
      return "LParen";
    case TokenKind::kRParen:
      return "RParen";
    case TokenKind::kString:
      return "String";
    case TokenKind::kSymbol:
      return "Symbol";
    case TokenKind::kTypedSymbol:
      return "TypedSymbol";
    case TokenKind::kKeyword:
      return "Keyword";
    case TokenKind::kInteger:
      return "Integer";
    case TokenKind::kFloat:
      return "Float";
    case TokenKind::kTimestamp:
      return "Timestamp";
    case TokenKind::kBareword:
      return "Bareword";
    case TokenKind::kBoolean:
      return "Boolean";
    case TokenKind::kNil:
      return "Nil";
  }
  return "?";
}

std::string_view LexErrorKindName(LexErrorKind kind) {
  switch (kind) {
    case LexErrorKind::kUnterminatedString:
      return "UnterminatedString";
    case LexErrorKind::kInvalidEscape:
      return "InvalidEscape";
    case LexErrorKind::kInvalidNumber:
      return "InvalidNumber";
    case LexErrorKind::kInvalidIdentifier:
      return "InvalidIdentifier";
    case LexErrorKind::kUnexpectedByte:
      return "UnexpectedByte";
  }
  return "?";
}

std::string DescribeToken(const Token& token) {
  constexpr size_t kMaxQuoted = 40;
  switch (token.kind) {
    case TokenKind::kLParen:
      return "`(`";
    case TokenKind::kRParen:
      return "`)`";
    case TokenKind::kString: {
      size_t cut = std::min(token.text.size(), kMaxQuoted);
      while (cut < token.text.size() && (static_cast<uint8_t>(token.text[cut]) & 0xC0) == 0x80) {
        --cut;  // do not split a UTF-8 character
      }
      std::string s = "string \"" + token.text.substr(0, cut);
      return s + (cut < token.text.size() ? "...\"" : "\"");
    }
    case TokenKind::kSymbol:
      return "symbol @" + token.text;
    case TokenKind::kTypedSymbol:
      return "symbol @" + token.text + ":" + token.symbol_kind;
    case TokenKind::kKeyword:
      return "keyword :" + token.text;
    case TokenKind::kInteger:
      return "integer " + std::to_string(token.integer);
    case TokenKind::kFloat: {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "float %g", token.real);
      return buf;
    }
    case TokenKind::kTimestamp:
      return "timestamp " + token.text;
    case TokenKind::kBareword:
      return "bareword " + token.text;
    case TokenKind::kBoolean:
      return token.boolean ? "boolean true" : "boolean false";
    case TokenKind::kNil:
      return "nil";
  }
  return "?";
}

}  // namespace urd::mem
