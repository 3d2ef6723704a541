// Copyright urd authors.

#include "memory/ir/parser.h"

#include <algorithm>
#include <iterator>
#include <span>
#include <utility>

#include "memory/ir/timestamp.h"

namespace urd::mem {

namespace {

using KeyList = std::span<const std::string_view>;

// The keywords a form takes, and which of them it requires (docs/language.md §2.3).
struct KeywordRules {
  KeyList allowed;
  KeyList required;
};

constexpr std::string_view kSemAllowed[] = {"src", "c", "v", "projected"};
constexpr std::string_view kSemRequired[] = {"src", "c", "v"};
constexpr std::string_view kEpiKeys[] = {"at", "obs", "src", "c"};
constexpr std::string_view kProAllowed[] = {"scp", "src", "c", "pre"};
constexpr std::string_view kProRequired[] = {"scp", "src", "c"};
constexpr std::string_view kInfAllowed[] = {"c", "v", "projected"};
constexpr std::string_view kInfRequired[] = {"c", "v"};
constexpr std::string_view kRetireAllowed[] = {"reason"};
// clang-format off
constexpr std::string_view kQueryAllowed[] = {
    "kind", "s", "p", "o", "in_episode", "after_episode", "before_episode", "episode_chain",
    "as_of", "as_committed", "include_retired", "include_projected", "confidence_threshold",
    "limit", "explain_filtered", "show_framing", "debug_mode", "read_after", "timeout_ms"};
// clang-format on
constexpr std::string_view kFlagKeys[] = {"actor"};

constexpr KeywordRules kSemRules{kSemAllowed, kSemRequired};
constexpr KeywordRules kEpiRules{kEpiKeys, kEpiKeys};
constexpr KeywordRules kProRules{kProAllowed, kProRequired};
constexpr KeywordRules kInfRules{kInfAllowed, kInfRequired};
constexpr KeywordRules kRetireRules{kRetireAllowed, {}};
constexpr KeywordRules kQueryRules{kQueryAllowed, {}};
constexpr KeywordRules kFlagRules{kFlagKeys, kFlagKeys};
constexpr KeywordRules kNoKeywords{{}, {}};

constexpr std::string_view kHeads =
    "sem epi pro inf alias rename retire correct promote query episode pin unpin "
    "authoritative_set authoritative_clear";

bool Contains(KeyList keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string ListKeywords(KeyList keys) {
  std::string s;
  for (std::string_view k : keys) {
    s += s.empty() ? ":" : " :";
    s += k;
  }
  return s.empty() ? "none" : s;
}

SymbolRef ToSymbolRef(const Token& t) {
  return SymbolRef{t.text, t.symbol_kind, t.pos, t.kind == TokenKind::kBareword};
}

// The value kind of a token that is a value by itself. REQUIRES: not a paren or
// keyword.
AstValue::Kind ScalarKind(TokenKind kind) {
  using K = AstValue::Kind;
  switch (kind) {
    case TokenKind::kSymbol:
      return K::kSymbol;
    case TokenKind::kTypedSymbol:
      return K::kTypedSymbol;
    case TokenKind::kBareword:
      return K::kBareword;
    case TokenKind::kString:
      return K::kString;
    case TokenKind::kInteger:
      return K::kInteger;
    case TokenKind::kFloat:
      return K::kFloat;
    case TokenKind::kBoolean:
      return K::kBoolean;
    case TokenKind::kTimestamp:
      return K::kTimestamp;
    case TokenKind::kNil:
    case TokenKind::kLParen:
    case TokenKind::kRParen:
    case TokenKind::kKeyword:
      break;
  }
  return K::kNil;
}

// Sets `*out` from a token that is a value by itself. A timestamp that does not
// convert stays raw text (TimestampRaw). REQUIRES: not a paren or keyword.
void SetScalar(const Token& t, AstValue* out) {
  out->kind = ScalarKind(t.kind);
  if (out->kind == AstValue::Kind::kTimestamp) {
    const std::optional<uint64_t> millis = ParseTimestampMillis(t.text);
    if (millis) {
      out->millis = *millis;
      return;
    }
    out->kind = AstValue::Kind::kTimestampRaw;
  }
  out->text = t.text;  // empty for numbers, booleans and nil
  out->symbol_kind = t.symbol_kind;
  out->integer = t.integer;
  out->real = t.real;
  out->boolean = t.boolean;
}

// Makes `*out` an empty F starting at `open` and returns it.
template <typename F>
F& Start(Form* out, Position open) {
  F& form = out->emplace<F>();
  form.pos = open;
  return form;
}

bool IsSymbolToken(const Token& t) {
  return t.kind == TokenKind::kSymbol || t.kind == TokenKind::kTypedSymbol;
}

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, Position eof, ParseError* error)
      : toks_(tokens), eof_(eof), err_(error) {}

  bool ParseAll(std::vector<Form>* forms) {
    while (!AtEnd()) {
      Form form;
      if (!ParseForm(0, &form)) return false;
      forms->push_back(std::move(form));
    }
    return true;
  }

 private:
  bool AtEnd() const { return i_ >= toks_.size(); }
  const Token& Peek() const { return toks_[i_]; }

  bool Fail(ParseErrorKind kind, Position pos, std::string message, std::string_view keyword = {});
  // UnexpectedEof at the end of input, or UnexpectedToken at the current token.
  bool FailUnexpected(std::string_view expected);

  bool ParseForm(int depth, Form* out);
  bool ParseBody(const Token& head, Position open, int depth, Form* out);
  bool ParseSem(int depth, SemForm* f);
  bool ParseEpi(int depth, EpiForm* f);
  bool ParsePro(int depth, ProForm* f);
  bool ParseInf(int depth, InfForm* f);
  bool ParseCorrect(int depth, CorrectForm* f);
  bool ParseQuery(int depth, QueryForm* f);
  bool ParseEpisode(int depth, EpisodeForm* f);
  bool ParseEpisodeKey(int depth, const Token& key, EpisodeForm* f);
  bool ParseFlag(int depth, FlagFormArgs* f);

  bool ParseValue(int depth, AstValue* out);
  bool ParseList(int depth, AstValue* out);
  bool ParseSymbol(std::string_view what, SymbolRef* out);
  bool ParsePredicate(SymbolRef* out);
  bool ParseSymbolList(std::string_view what, std::vector<SymbolRef>* out);
  // Parses `:key value` pairs up to and including the form's `)`, then checks
  // that every required key is present.
  bool ParseKeywords(const KeywordRules& rules, Position open, int depth, KeywordMap* out);

  const std::vector<Token>& toks_;
  const Position eof_;
  ParseError* const err_;
  size_t i_ = 0;
  std::string_view head_;  // head of the innermost form being parsed
};

bool Parser::Fail(ParseErrorKind kind, Position pos, std::string message,
                  std::string_view keyword) {
  err_->kind = kind;
  err_->pos = pos;
  err_->message = std::move(message);
  err_->form = std::string(head_);
  err_->keyword = std::string(keyword);
  return false;
}

bool Parser::FailUnexpected(std::string_view expected) {
  if (AtEnd()) {
    return Fail(ParseErrorKind::kUnexpectedEof, eof_,
                "expected " + std::string(expected) + ", found end of input");
  }
  return Fail(ParseErrorKind::kUnexpectedToken, Peek().pos,
              "expected " + std::string(expected) + ", found " + DescribeToken(Peek()));
}

bool Parser::ParseForm(int depth, Form* out) {
  if (AtEnd() || Peek().kind != TokenKind::kLParen) return FailUnexpected("`(` to start a form");
  const Position open = Peek().pos;
  ++i_;
  if (AtEnd() || Peek().kind != TokenKind::kBareword) {
    return FailUnexpected("a form head (sem, epi, pro, inf, query, …)");
  }
  const Token& head = Peek();
  ++i_;
  const std::string_view outer = head_;
  head_ = head.text;
  const bool ok = ParseBody(head, open, depth, out);
  head_ = outer;
  return ok;
}

bool Parser::ParseBody(const Token& head, Position open, int depth, Form* out) {
  const std::string_view h = head.text;
  if (h == "sem") return ParseSem(depth, &Start<SemForm>(out, open));
  if (h == "epi") return ParseEpi(depth, &Start<EpiForm>(out, open));
  if (h == "pro") return ParsePro(depth, &Start<ProForm>(out, open));
  if (h == "inf") return ParseInf(depth, &Start<InfForm>(out, open));
  if (h == "alias") {
    auto& f = Start<AliasForm>(out, open);
    return ParseSymbol("a symbol", &f.a) && ParseSymbol("a symbol", &f.b) &&
           ParseKeywords(kNoKeywords, open, depth, nullptr);
  }
  if (h == "rename") {
    auto& f = Start<RenameForm>(out, open);
    return ParseSymbol("the old symbol", &f.old_name) &&
           ParseSymbol("the new symbol", &f.new_name) &&
           ParseKeywords(kNoKeywords, open, depth, nullptr);
  }
  if (h == "retire") {
    auto& f = Start<RetireForm>(out, open);
    return ParseSymbol("the symbol to retire", &f.name) &&
           ParseKeywords(kRetireRules, open, depth, &f.keywords);
  }
  if (h == "correct") return ParseCorrect(depth, &Start<CorrectForm>(out, open));
  if (h == "promote") {
    auto& f = Start<PromoteForm>(out, open);
    return ParseSymbol("the symbol to promote", &f.name) &&
           ParseKeywords(kNoKeywords, open, depth, nullptr);
  }
  if (h == "query") return ParseQuery(depth, &Start<QueryForm>(out, open));
  if (h == "episode") return ParseEpisode(depth, &Start<EpisodeForm>(out, open));
  if (h == "pin") return ParseFlag(depth, &Start<PinForm>(out, open));
  if (h == "unpin") return ParseFlag(depth, &Start<UnpinForm>(out, open));
  if (h == "authoritative_set") return ParseFlag(depth, &Start<AuthoritativeSetForm>(out, open));
  if (h == "authoritative_clear") {
    return ParseFlag(depth, &Start<AuthoritativeClearForm>(out, open));
  }
  return Fail(ParseErrorKind::kUnknownOpcode, head.pos,
              "unknown form head `" + head.text + "` (known: " + std::string(kHeads) + ")");
}

bool Parser::ParseSem(int depth, SemForm* f) {
  return ParseSymbol("the subject symbol", &f->s) && ParsePredicate(&f->p) &&
         ParseValue(depth, &f->o) && ParseKeywords(kSemRules, f->pos, depth, &f->keywords);
}

bool Parser::ParseEpi(int depth, EpiForm* f) {
  return ParseSymbol("the event id symbol", &f->event_id) &&
         ParseSymbol("the event kind symbol", &f->kind) &&
         ParseSymbolList("the participants list", &f->participants) &&
         ParseSymbol("the location symbol", &f->location) &&
         ParseKeywords(kEpiRules, f->pos, depth, &f->keywords);
}

bool Parser::ParsePro(int depth, ProForm* f) {
  return ParseSymbol("the rule id symbol", &f->rule_id) && ParseValue(depth, &f->trigger) &&
         ParseValue(depth, &f->action) && ParseKeywords(kProRules, f->pos, depth, &f->keywords);
}

bool Parser::ParseInf(int depth, InfForm* f) {
  return ParseSymbol("the subject symbol", &f->s) && ParsePredicate(&f->p) &&
         ParseValue(depth, &f->o) && ParseSymbolList("the derived_from list", &f->derived_from) &&
         ParseSymbol("the inference method symbol", &f->method) &&
         ParseKeywords(kInfRules, f->pos, depth, &f->keywords);
}

bool Parser::ParseCorrect(int depth, CorrectForm* f) {
  if (!ParseSymbol("the target episode symbol", &f->target_episode)) return false;
  if (AtEnd() || Peek().kind != TokenKind::kLParen) {
    return FailUnexpected("the corrected `(epi …)` form");
  }
  if (depth + 1 > kMaxNestingDepth) {
    return Fail(ParseErrorKind::kNestingTooDeep, Peek().pos,
                "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels");
  }
  Form body;
  if (!ParseForm(depth + 1, &body)) return false;
  if (!std::holds_alternative<EpiForm>(body)) {
    return Fail(
        ParseErrorKind::kUnexpectedToken, FormPosition(body),
        "corrected body must be an `epi` form, found a `" + std::string(FormHead(body)) + "` form");
  }
  f->body = std::move(std::get<EpiForm>(body));
  return ParseKeywords(kNoKeywords, f->pos, depth, nullptr);
}

bool Parser::ParseQuery(int depth, QueryForm* f) {
  if (!AtEnd() && Peek().kind != TokenKind::kKeyword && Peek().kind != TokenKind::kRParen) {
    f->selector.emplace();
    if (!ParseValue(depth, &*f->selector)) return false;
  }
  return ParseKeywords(kQueryRules, f->pos, depth, &f->keywords);
}

bool Parser::ParseEpisode(int depth, EpisodeForm* f) {
  if (AtEnd() || Peek().kind != TokenKind::kKeyword) return FailUnexpected("`:start` or `:close`");
  const Token& first = Peek();
  if (first.text != "start" && first.text != "close") {
    return Fail(ParseErrorKind::kBadKeyword, first.pos,
                "form `episode` must begin with :start or :close, found :" + first.text,
                first.text);
  }
  ++i_;
  if (first.text == "close") {
    f->action = EpisodeForm::Action::kClose;
    if (AtEnd() || Peek().kind != TokenKind::kRParen) {
      return FailUnexpected("`)` (nothing may follow :close)");
    }
    ++i_;
    return true;
  }
  f->action = EpisodeForm::Action::kStart;
  while (true) {
    if (AtEnd() || (Peek().kind != TokenKind::kKeyword && Peek().kind != TokenKind::kRParen)) {
      return FailUnexpected("a keyword (:label, :parent_episode, :retracts) or `)`");
    }
    const Token& key = Peek();
    if (key.kind == TokenKind::kRParen) {
      ++i_;
      return true;
    }
    if (!ParseEpisodeKey(depth, key, f)) return false;
  }
}

bool Parser::ParseEpisodeKey(int depth, const Token& key, EpisodeForm* f) {
  const std::string_view k = key.text;
  if (k != "label" && k != "parent_episode" && k != "retracts") {
    return Fail(ParseErrorKind::kBadKeyword, key.pos,
                "form `episode :start` does not take keyword :" + key.text +
                    " (allowed: :label :parent_episode :retracts)",
                key.text);
  }
  if ((k == "label" && f->label) || (k == "parent_episode" && f->parent_episode) ||
      (k == "retracts" && f->retracts)) {
    return Fail(ParseErrorKind::kDuplicateKeyword, key.pos,
                "keyword :" + key.text + " given twice in form `episode`", key.text);
  }
  ++i_;
  if (k == "retracts") return ParseSymbolList("the :retracts list", &f->retracts.emplace());
  const size_t value_index = i_;
  AstValue v;
  if (!ParseValue(depth, &v)) return false;
  const bool is_label = k == "label";
  if (is_label ? v.kind != AstValue::Kind::kString : !v.is_symbol()) {
    return Fail(ParseErrorKind::kUnexpectedToken, v.pos,
                std::string("expected ") + (is_label ? "a string" : "a symbol") +
                    " after :" + key.text + ", found " + DescribeToken(toks_[value_index]));
  }
  if (is_label) {
    f->label = std::move(v.text);
    f->label_pos = v.pos;
  } else {
    f->parent_episode = ToSymbolRef(toks_[value_index]);
  }
  return true;
}

bool Parser::ParseFlag(int depth, FlagFormArgs* f) {
  KeywordMap keywords;
  if (!ParseSymbol("the memory symbol", &f->memory) ||
      !ParseKeywords(kFlagRules, f->pos, depth, &keywords)) {
    return false;
  }
  const AstValue& actor = keywords.at("actor");
  if (!actor.is_symbol()) {
    return Fail(
        ParseErrorKind::kBadKeyword, actor.pos,
        "keyword :actor of form `" + std::string(head_) + "` takes a symbol (@name or @name:Kind)",
        "actor");
  }
  f->actor = SymbolRef{actor.text, actor.symbol_kind, actor.pos, false};
  return true;
}

bool Parser::ParseValue(int depth, AstValue* out) {
  if (AtEnd()) return FailUnexpected("a value");
  const Token& t = Peek();
  out->pos = t.pos;
  if (t.kind == TokenKind::kRParen || t.kind == TokenKind::kKeyword) {
    return Fail(ParseErrorKind::kExpectedValue, t.pos,
                "expected a value, found " + DescribeToken(t));
  }
  if (t.kind == TokenKind::kLParen) return ParseList(depth, out);
  SetScalar(t, out);
  ++i_;
  return true;
}

bool Parser::ParseList(int depth, AstValue* out) {
  const Position open = Peek().pos;
  if (depth + 1 > kMaxNestingDepth) {
    return Fail(ParseErrorKind::kNestingTooDeep, open,
                "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels");
  }
  ++i_;
  out->kind = AstValue::Kind::kList;
  while (true) {
    if (AtEnd()) return Fail(ParseErrorKind::kUnbalancedList, open, "list is never closed");
    if (Peek().kind == TokenKind::kRParen) {
      ++i_;
      return true;
    }
    AstValue item;
    if (!ParseValue(depth + 1, &item)) return false;
    out->items.push_back(std::move(item));
  }
}

bool Parser::ParseSymbol(std::string_view what, SymbolRef* out) {
  if (AtEnd() || !IsSymbolToken(Peek())) {
    return FailUnexpected(std::string(what) + " (@name or @name:Kind)");
  }
  *out = ToSymbolRef(Peek());
  ++i_;
  return true;
}

bool Parser::ParsePredicate(SymbolRef* out) {
  if (AtEnd() || !(IsSymbolToken(Peek()) || Peek().kind == TokenKind::kBareword)) {
    return FailUnexpected("a predicate (@name, @name:Kind or a bareword)");
  }
  *out = ToSymbolRef(Peek());
  ++i_;
  return true;
}

bool Parser::ParseSymbolList(std::string_view what, std::vector<SymbolRef>* out) {
  if (AtEnd() || Peek().kind != TokenKind::kLParen) {
    return FailUnexpected(std::string(what) + " `(@name …)`");
  }
  const Position open = Peek().pos;
  ++i_;
  while (true) {
    if (AtEnd()) {
      return Fail(ParseErrorKind::kUnbalancedList, open, std::string(what) + " is never closed");
    }
    const Token& t = Peek();
    if (t.kind == TokenKind::kRParen) {
      ++i_;
      return true;
    }
    if (!IsSymbolToken(t)) {
      return Fail(ParseErrorKind::kExpectedSymbolInList, t.pos,
                  "expected a symbol in " + std::string(what) + ", found " + DescribeToken(t));
    }
    out->push_back(ToSymbolRef(t));
    ++i_;
  }
}

bool Parser::ParseKeywords(const KeywordRules& rules, Position open, int depth, KeywordMap* out) {
  KeywordMap unused;
  if (out == nullptr) out = &unused;
  const std::string form(head_);
  while (true) {
    if (AtEnd() || (Peek().kind != TokenKind::kKeyword && Peek().kind != TokenKind::kRParen)) {
      return FailUnexpected(rules.allowed.empty() ? "`)`" : "a keyword or `)`");
    }
    const Token& key = Peek();
    if (key.kind == TokenKind::kRParen) {
      ++i_;
      break;
    }
    if (!Contains(rules.allowed, key.text)) {
      return Fail(ParseErrorKind::kBadKeyword, key.pos,
                  "form `" + form + "` does not take keyword :" + key.text +
                      " (allowed: " + ListKeywords(rules.allowed) + ")",
                  key.text);
    }
    if (out->count(key.text) != 0) {
      return Fail(ParseErrorKind::kDuplicateKeyword, key.pos,
                  "keyword :" + key.text + " given twice in form `" + form + "`", key.text);
    }
    ++i_;
    AstValue value;
    if (!ParseValue(depth, &value)) return false;
    out->emplace(key.text, std::move(value));
  }
  for (std::string_view key : rules.required) {
    if (out->count(key) == 0) {
      return Fail(ParseErrorKind::kMissingRequiredKeyword, open,
                  "form `" + form + "` is missing required keyword :" + std::string(key), key);
    }
  }
  return true;
}

}  // namespace

std::string_view FormHead(const Form& form) {
  // clang-format off
  static constexpr std::string_view kNames[] = {
      "sem", "epi", "pro", "inf", "alias", "rename", "retire", "correct", "promote", "query",
      "episode", "pin", "unpin", "authoritative_set", "authoritative_clear"};
  // clang-format on
  static_assert(std::size(kNames) == std::variant_size_v<Form>);
  return kNames[form.index()];
}

bool ParseForms(std::string_view input, std::vector<Form>* forms, ParseError* error) {
  forms->clear();
  std::vector<Token> tokens;
  LexError lex;
  Position eof;
  if (!Lex(input, &tokens, &lex, &eof)) {
    *error = ParseError{};
    error->kind = ParseErrorKind::kLex;
    error->pos = lex.pos;
    error->message = std::string(LexErrorKindName(lex.kind)) + ": " + lex.detail;
    error->lex = std::move(lex);
    return false;
  }
  *error = ParseError{};
  if (!Parser(tokens, eof, error).ParseAll(forms)) {
    forms->clear();
    return false;
  }
  return true;
}

Result<std::vector<Form>> ParseProgram(std::string_view input) {
  std::vector<Form> forms;
  ParseError error;
  if (!ParseForms(input, &forms, &error)) return ToStatus(error);
  return forms;
}

Status ToStatus(const ParseError& error) {
  return Status::InvalidArgument(
      "line " + std::to_string(error.pos.line) + ", column " + std::to_string(error.pos.column) +
      ": " + std::string(ParseErrorKindName(error.kind)) + ": " + error.message);
}

std::string_view ParseErrorKindName(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::kLex:
      return "Lex";
    case ParseErrorKind::kUnexpectedToken:
      return "UnexpectedToken";
    case ParseErrorKind::kUnexpectedEof:
      return "UnexpectedEof";
    case ParseErrorKind::kUnknownOpcode:
      return "UnknownOpcode";
    case ParseErrorKind::kBadKeyword:
      return "BadKeyword";
    case ParseErrorKind::kDuplicateKeyword:
      return "DuplicateKeyword";
    case ParseErrorKind::kMissingRequiredKeyword:
      return "MissingRequiredKeyword";
    case ParseErrorKind::kExpectedValue:
      return "ExpectedValue";
    case ParseErrorKind::kUnbalancedList:
      return "UnbalancedList";
    case ParseErrorKind::kExpectedSymbolInList:
      return "ExpectedSymbolInList";
    case ParseErrorKind::kNestingTooDeep:
      return "NestingTooDeep";
  }
  return "?";
}

}  // namespace urd::mem
