// Copyright urd authors.

#include "memory/render.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "base/utf8.h"
#include "memory/ir/timestamp.h"

namespace urd::mem {

namespace {

// The lexer's symbol-name rule: `[a-z_][a-z0-9_]*`.
bool IsSymbolName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// A confidence text read back as the write path reads `:c`.
bool ReadsBackAs(const std::string& text, Confidence c) {
  double x = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  const Result<Confidence> back = ConfidenceFromFloat(x);
  return back.ok() && *back == c;
}

// The plain name of `id` for descriptions: its canonical name, or "#id".
std::string PlainName(const SymbolTable& table, SymbolId id) {
  const SymbolEntry* e = table.Find(id);
  return e != nullptr ? e->canonical_name : "#" + std::to_string(id);
}

// `digits` (a non-empty digit string) with the decimal point after the first
// `point` digits (point may be <= 0 or past the end), always with a '.' and a
// digit on each side: ("125", 1) -> "1.25", ("1", 3) -> "100.0", ("5", -2) -> "0.005".
std::string FixedFromDigits(const std::string& digits, int point) {
  const auto len = static_cast<int>(digits.size());
  if (point <= 0) return "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  if (point >= len) return digits + std::string(static_cast<size_t>(point - len), '0') + ".0";
  return digits.substr(0, static_cast<size_t>(point)) + "." +
         digits.substr(static_cast<size_t>(point));
}

std::string DescribeTime(ClockTime t) {
  return t == kClockSentinel ? std::string("<sentinel>") : RenderTimestamp(t);
}

// Builds one form. Strict: a piece that cannot be spelled so that it re-binds
// marks the writer failed. Lenient (descriptions): a placeholder is written.
class FormWriter {
 public:
  FormWriter(const SymbolTable& table, bool strict) : table_(table), strict_(strict) {}

  bool failed() const { return failed_; }
  std::string Take() { return std::move(out_); }

  void Text(std::string_view s) { out_ += s; }

  // `@name`, annotated `@name:Kind` when the kind is not `slot_kind`.
  void Symbol(SymbolId id, SymbolKind slot_kind) {
    const SymbolEntry* e = table_.Find(id);
    if (e == nullptr || !IsSymbolName(e->canonical_name)) {
      Fail("@#" + std::to_string(id));
      return;
    }
    out_ += '@';
    out_ += e->canonical_name;
    if (e->kind != slot_kind) {
      out_ += ':';
      out_ += SymbolKindName(e->kind);
    }
  }

  // `@name` for a name given by the caller (symbol operations).
  void Name(std::string_view name) {
    if (!IsSymbolName(name)) Fail("");
    out_ += '@';
    out_ += name;
  }

  // `(@a @b …)`.
  void SymbolList(const std::vector<SymbolId>& ids, SymbolKind slot_kind) {
    out_ += '(';
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) out_ += ' ';
      Symbol(ids[i], slot_kind);
    }
    out_ += ')';
  }

  void Val(const Value& v) {
    switch (v.type()) {
      case Value::Type::kSymbol:
        Symbol(v.symbol(), SymbolKind::kLiteral);
        return;
      case Value::Type::kInteger:
        out_ += std::to_string(v.integer());
        return;
      case Value::Type::kFloat:
        Float(v.float_value());
        return;
      case Value::Type::kBoolean:
        out_ += v.boolean() ? "true" : "false";
        return;
      case Value::Type::kString:
        String(v.string());
        return;
      case Value::Type::kTimestamp:
        Time(v.timestamp());
        return;
    }
  }

  void Conf(Confidence c) { out_ += RenderConfidence(c); }

  void Time(ClockTime t) {
    if (t == kClockSentinel) {
      Fail("nil");
      return;
    }
    out_ += RenderTimestamp(t);
  }

  // ` :key ` followed by the caller's value.
  void Key(std::string_view key) {
    out_ += " :";
    out_ += key;
    out_ += ' ';
  }

 private:
  void Fail(std::string_view placeholder) {
    if (strict_) failed_ = true;
    out_ += placeholder;
  }

  void Float(double v) {
    const std::optional<std::string> text = RenderFloat(v);
    if (!text) {
      Fail("nil");
      return;
    }
    out_ += *text;
  }

  void String(const std::string& s) {
    if (!IsValidUtf8(s)) Fail("");
    out_ += QuoteString(s);
  }

  const SymbolTable& table_;
  const bool strict_;
  bool failed_ = false;
  std::string out_;
};

// A name of `id` other than `excluded`: the canonical name, else the first other
// alias. nullopt when there is none (or the table does not know `id`).
std::optional<std::string> OtherName(const SymbolTable& table, SymbolId id,
                                     std::string_view excluded) {
  const SymbolEntry* e = table.Find(id);
  if (e == nullptr) return std::nullopt;
  if (e->canonical_name != excluded) return e->canonical_name;
  for (const std::string& alias : e->aliases) {
    if (alias != excluded) return alias;
  }
  return std::nullopt;
}

std::string_view FlagHead(FlagKind kind) {
  switch (kind) {
    case FlagKind::kPin:
      return "pin";
    case FlagKind::kUnpin:
      return "unpin";
    case FlagKind::kAuthoritativeSet:
      return "authoritative_set";
    case FlagKind::kAuthoritativeClear:
      return "authoritative_clear";
  }
  return "pin";
}

// Writes the form of each renderable record; returns false for the others.
struct FormVisitor {
  FormWriter* w;
  const SymbolTable& table;

  bool operator()(const SemRecord& r) const {
    w->Text("(sem ");
    w->Symbol(r.s, SymbolKind::kAgent);
    w->Text(" ");
    w->Symbol(r.p, SymbolKind::kPredicate);
    w->Text(" ");
    w->Val(r.o);
    Tail(r.source, r.confidence);
    w->Key("v");
    w->Time(r.valid_at);
    if (r.projected) w->Text(" :projected true");
    w->Text(")");
    return true;
  }

  bool operator()(const EpiRecord& r) const {
    w->Text("(epi ");
    w->Symbol(r.event_id, SymbolKind::kMemory);
    w->Text(" ");
    w->Symbol(r.kind, SymbolKind::kEventType);
    w->Text(" ");
    w->SymbolList(r.participants, SymbolKind::kAgent);
    w->Text(" ");
    w->Symbol(r.location, SymbolKind::kLiteral);
    w->Key("at");
    w->Time(r.at_time);
    w->Key("obs");
    w->Time(r.observed_at);
    Tail(r.source, r.confidence);
    w->Text(")");
    return true;
  }

  bool operator()(const ProRecord& r) const {
    w->Text("(pro ");
    w->Symbol(r.rule_id, SymbolKind::kMemory);
    w->Text(" ");
    w->Val(r.trigger);
    w->Text(" ");
    w->Val(r.action);
    w->Key("scp");
    w->Symbol(r.scope, SymbolKind::kScope);
    Tail(r.source, r.confidence);
    if (r.precondition) {
      w->Key("pre");
      w->Val(*r.precondition);
    }
    w->Text(")");
    return true;
  }

  bool operator()(const InfRecord& r) const {
    w->Text("(inf ");
    w->Symbol(r.s, SymbolKind::kAgent);
    w->Text(" ");
    w->Symbol(r.p, SymbolKind::kPredicate);
    w->Text(" ");
    w->Val(r.o);
    w->Text(" ");
    w->SymbolList(r.derived_from, SymbolKind::kMemory);
    w->Text(" ");
    w->Symbol(r.method, SymbolKind::kInferenceMethod);
    w->Key("c");
    w->Conf(r.confidence);
    w->Key("v");
    w->Time(r.valid_at);
    if (r.projected) w->Text(" :projected true");
    w->Text(")");
    return true;
  }

  bool operator()(const FlagRecord& r) const {
    w->Text("(");
    w->Text(FlagHead(r.kind));
    w->Text(" ");
    w->Symbol(r.memory_id, SymbolKind::kMemory);
    w->Key("actor");
    w->Symbol(r.actor, SymbolKind::kAgent);
    w->Text(")");
    return true;
  }

  bool operator()(const SymbolEventRecord& r) const {
    switch (r.kind) {
      case SymbolEventKind::kAlias:
        return TwoNames("alias", r);
      case SymbolEventKind::kRename:
        return TwoNames("rename", r);
      case SymbolEventKind::kRetire: {
        const SymbolEntry* e = table.Find(r.symbol_id);
        if (e == nullptr) return false;
        w->Text("(retire ");
        w->Name(e->canonical_name);
        w->Text(")");
        return true;
      }
      default:
        return false;
    }
  }

  bool operator()(const EdgeRecord&) const { return false; }
  bool operator()(const CheckpointRecord&) const { return false; }
  bool operator()(const EpisodeMetaRecord&) const { return false; }

 private:
  // ` :src @src :c C`.
  void Tail(SymbolId source, Confidence c) const {
    w->Key("src");
    w->Symbol(source, SymbolKind::kAgent);
    w->Key("c");
    w->Conf(c);
  }

  // `(head @other @name)`: `name` (the alias or new name) must be free or name
  // the same id, and the id needs another name to be found by.
  bool TwoNames(std::string_view head, const SymbolEventRecord& r) const {
    const std::optional<SymbolId> bound = table.Lookup(r.name);
    if (bound && *bound != r.symbol_id) return false;
    const std::optional<std::string> other = OtherName(table, r.symbol_id, r.name);
    if (!other) return false;
    w->Text("(");
    w->Text(head);
    w->Text(" ");
    w->Name(*other);
    w->Text(" ");
    w->Name(r.name);
    w->Text(")");
    return true;
  }
};

// The form of a memory or flag record, lenient.
std::string LenientForm(const CanonicalRecord& record, const SymbolTable& table) {
  FormWriter w(table, /*strict=*/false);
  (void)std::visit(FormVisitor{&w, table}, record);
  return w.Take();
}

// Writes the one-line description of each record kind.
struct DescribeVisitor {
  const SymbolTable& table;
  const CanonicalRecord& record;

  std::string operator()(const SemRecord& r) const {
    return Memory(r.memory_id, r.committed_at, r.invalid_at, false);
  }
  std::string operator()(const EpiRecord& r) const {
    return Memory(r.memory_id, r.committed_at, r.invalid_at, false);
  }
  std::string operator()(const ProRecord& r) const {
    return Memory(r.memory_id, r.committed_at, r.invalid_at, false);
  }
  std::string operator()(const InfRecord& r) const {
    return Memory(r.memory_id, r.committed_at, r.invalid_at, r.stale);
  }

  std::string operator()(const FlagRecord& r) const {
    return Head() + PlainName(table, r.memory_id) + " at " + DescribeTime(r.at) + " " +
           LenientForm(record, table);
  }

  std::string operator()(const EdgeRecord& r) const {
    return Head() + PlainName(table, r.from) + " -> " + PlainName(table, r.to) + " at " +
           DescribeTime(r.at);
  }

  std::string operator()(const CheckpointRecord& r) const {
    return Head() + PlainName(table, r.episode_id) + " at " + DescribeTime(r.at) + " memories " +
           std::to_string(r.memory_count);
  }

  std::string operator()(const EpisodeMetaRecord& r) const {
    std::string s = Head() + PlainName(table, r.episode_id) + " at " + DescribeTime(r.at);
    if (!r.label.empty()) s += " label " + QuoteString(r.label);
    if (r.parent) s += " parent " + PlainName(table, *r.parent);
    if (!r.retracted.empty()) {
      s += " retracted (";
      for (size_t i = 0; i < r.retracted.size(); ++i) {
        s += (i > 0 ? " " : "") + PlainName(table, r.retracted[i]);
      }
      s += ")";
    }
    return s;
  }

  std::string operator()(const SymbolEventRecord& r) const {
    const std::string name = IsSymbolName(r.name) ? r.name : QuoteString(r.name);
    return Head() + "#" + std::to_string(r.symbol_id) + " " + name + " " +
           std::string(SymbolKindName(r.symbol_kind)) + " at " + DescribeTime(r.at);
  }

 private:
  std::string Head() const { return std::string(OpcodeName(OpcodeOf(record))) + " "; }

  std::string Memory(SymbolId id, ClockTime committed, std::optional<ClockTime> invalid_at,
                     bool stale) const {
    std::string s = Head() + PlainName(table, id) + " at " + DescribeTime(committed);
    if (invalid_at) s += " invalid_at " + DescribeTime(*invalid_at);
    if (stale) s += " stale";
    return s + " " + LenientForm(record, table);
  }
};

}  // namespace

std::string RenderConfidence(Confidence c) {
  const double x = c.ToFloat();
  char buf[64];
  int n = 0;
  for (int decimals = 1; decimals <= 17; ++decimals) {
    n = std::snprintf(buf, sizeof(buf), "%.*f", decimals, x);
    std::string text(buf, static_cast<size_t>(n));
    if (ReadsBackAs(text, c)) return text;
  }
  return std::string(buf, static_cast<size_t>(n));  // unreachable: 5 decimals always do
}

std::optional<std::string> RenderFloat(double v) {
  if (std::isnan(v)) return std::nullopt;
  if (std::isinf(v)) {
    // 2e308 > DBL_MAX: the lexer reads the overflowing literal as ±infinity.
    return std::string(v < 0 ? "-2" : "2") + std::string(308, '0') + ".0";
  }
  // The shortest digits that round-trip, in scientific form ("-1.25e+300"), then
  // written out in fixed notation (the lexer has no exponents). libstdc++'s own
  // fixed form prints the exact binary value of large doubles, not the shortest.
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  if (ec != std::errc()) return std::nullopt;
  const std::string_view sci(buf, static_cast<size_t>(end - buf));
  const size_t e = sci.find('e');
  const bool negative = sci.front() == '-';
  std::string digits;
  for (char ch : sci.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (ch != '.') digits += ch;
  }
  int exponent = 0;
  (void)std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(),
                        exponent);
  return (negative ? "-" : "") + FixedFromDigits(digits, exponent + 1);
}

std::string QuoteString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  out += '"';
  return out;
}

std::string RenderTimestamp(ClockTime t) {
  std::string text = FormatTimestampMillis(t);
  if (text.size() == 10) text += "T00:00:00Z";  // FormatTimestampMillis writes midnight short
  return text;
}

std::optional<std::string> RenderForm(const CanonicalRecord& record, const SymbolTable& table) {
  FormWriter w(table, /*strict=*/true);
  if (!std::visit(FormVisitor{&w, table}, record) || w.failed()) return std::nullopt;
  return w.Take();
}

std::string DescribeRecord(const CanonicalRecord& record, const SymbolTable& table) {
  return std::visit(DescribeVisitor{table, record}, record);
}

}  // namespace urd::mem
