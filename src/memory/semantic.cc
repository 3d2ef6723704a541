// Copyright urd authors.

#include "memory/semantic.h"

#include <cstdio>

#include "memory/ir/timestamp.h"

namespace urd::mem {

std::string_view SemanticErrorKindName(SemanticErrorKind kind) {
  switch (kind) {
    case SemanticErrorKind::kConfidenceExceedsSourceBound:
      return "ConfidenceExceedsSourceBound";
    case SemanticErrorKind::kSourceKindNotAdmitted:
      return "SourceKindNotAdmitted";
    case SemanticErrorKind::kFutureValidity:
      return "FutureValidity";
    case SemanticErrorKind::kInvalidClockOrder:
      return "InvalidClockOrder";
    case SemanticErrorKind::kEmptyDerivedFrom:
      return "EmptyDerivedFrom";
    case SemanticErrorKind::kMissingKeyword:
      return "MissingKeyword";
    case SemanticErrorKind::kBadKeywordType:
      return "BadKeywordType";
    case SemanticErrorKind::kConfidenceMalformed:
      return "ConfidenceMalformed";
    case SemanticErrorKind::kCorrectsNonEpisodic:
      return "CorrectsNonEpisodic";
    case SemanticErrorKind::kMultipleEpisodeDirectives:
      return "MultipleEpisodeDirectives";
  }
  return "Unknown";
}

Status ToStatus(const SemanticError& error) {
  return Status::InvalidArgument("line " + std::to_string(error.pos.line) + ", column " +
                                 std::to_string(error.pos.column) + ": " +
                                 std::string(SemanticErrorKindName(error.kind)) + ": " +
                                 error.message);
}

namespace {

// Reads typed keyword values, reporting the first problem.
class Fields {
 public:
  Fields(const BoundKeywords& keywords, Position form_pos, std::string_view form,
         SemanticError* error)
      : keywords_(keywords), form_pos_(form_pos), form_(form), error_(error) {}

  bool Symbol(std::string_view key, SymbolId* out) {
    const BoundKeyword* k = Require(key);
    if (k == nullptr) return false;
    if (!k->value.is_symbol()) return BadType(*k, "symbol");
    *out = k->value.symbol();
    return true;
  }

  bool Timestamp(std::string_view key, ClockTime* out) {
    const BoundKeyword* k = Require(key);
    if (k == nullptr) return false;
    if (!k->value.is_timestamp()) return BadType(*k, "timestamp");
    *out = k->value.timestamp();
    return true;
  }

  bool Conf(Confidence* out) {
    const BoundKeyword* k = Require("c");
    if (k == nullptr) return false;
    double x = 0;
    if (k->value.is_float()) {
      x = k->value.float_value();
    } else if (k->value.is_integer()) {
      x = static_cast<double>(k->value.integer());
    } else {
      return BadType(*k, "float confidence in [0, 1]");
    }
    auto c = ConfidenceFromFloat(x);
    if (!c.ok()) {
      return Fail(SemanticErrorKind::kConfidenceMalformed, k->pos,
                  "form `" + form_ + "`: :c " + k->value.DebugString() + " is not in [0, 1]");
    }
    *out = *c;
    return true;
  }

  // An optional boolean keyword (default false).
  bool Flag(std::string_view key, bool* out) {
    const BoundKeyword* k = keywords_.Find(key);
    *out = false;
    if (k == nullptr) return true;
    if (!k->value.is_boolean()) return BadType(*k, "boolean");
    *out = k->value.boolean();
    return true;
  }

  bool Fail(SemanticErrorKind kind, Position pos, std::string message) {
    *error_ = SemanticError{kind, pos, std::move(message)};
    return false;
  }

 private:
  const BoundKeyword* Require(std::string_view key) {
    const BoundKeyword* k = keywords_.Find(key);
    if (k == nullptr) {
      Fail(SemanticErrorKind::kMissingKeyword, form_pos_,
           "form `" + form_ + "` is missing :" + std::string(key));
    }
    return k;
  }

  bool BadType(const BoundKeyword& k, std::string_view expected) {
    return Fail(SemanticErrorKind::kBadKeywordType, k.pos,
                "form `" + form_ + "`: :" + k.key + " must be a " + std::string(expected) +
                    ", got " + k.value.DebugString());
  }

  const BoundKeywords& keywords_;
  Position form_pos_;
  std::string form_;
  SemanticError* error_;
};

// A u16 confidence as a short decimal: 62258 -> "0.95".
std::string Decimal(uint16_t raw) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.4g", raw / 65535.0);
  return buf;
}

// Derives the source kind of `source` and checks admission and the bound.
bool CheckSource(Fields* f, const SymbolTable& table, SymbolId source, Confidence c,
                 MemoryKind memory, Position pos) {
  const SymbolEntry* entry = table.Find(source);
  std::string name = entry == nullptr ? std::string() : entry->canonical_name;
  SourceKind kind = SourceKindFromName(name);
  if (!Admits(kind, memory)) {
    return f->Fail(SemanticErrorKind::kSourceKindNotAdmitted, pos,
                   "source `@" + name + "` (" + std::string(SourceKindName(kind)) +
                       ") does not admit " + std::string(MemoryKindName(memory)) + " memories");
  }
  if (c.raw > Bound(kind)) {
    return f->Fail(SemanticErrorKind::kConfidenceExceedsSourceBound, pos,
                   "confidence " + Decimal(c.raw) + " exceeds " + Decimal(Bound(kind)) +
                       ", the bound of source kind " + std::string(SourceKindName(kind)) +
                       " (`@" + name + "`)");
  }
  return true;
}

bool CheckValidity(Fields* f, ClockTime valid_at, bool projected, ClockTime now, Position pos,
                   std::string_view form) {
  if (valid_at > now && !projected) {
    return f->Fail(SemanticErrorKind::kFutureValidity, pos,
                   "form `" + std::string(form) + "`: :v " + FormatTimestampMillis(valid_at) +
                       " is after now (" + FormatTimestampMillis(now) + "); add :projected true");
  }
  return true;
}

Position KeywordPos(const BoundKeywords& keywords, std::string_view key, Position fallback) {
  const BoundKeyword* k = keywords.Find(key);
  return k == nullptr ? fallback : k->pos;
}

}  // namespace

bool CheckSem(const BoundSem& form, const SymbolTable& table, ClockTime now, SemFields* out,
              SemanticError* error) {
  Fields f(form.keywords, form.pos, "sem", error);
  if (!f.Symbol("src", &out->source) || !f.Conf(&out->confidence) ||
      !f.Timestamp("v", &out->valid_at) || !f.Flag("projected", &out->projected)) {
    return false;
  }
  Position src_pos = KeywordPos(form.keywords, "src", form.pos);
  if (!CheckSource(&f, table, out->source, out->confidence, MemoryKind::kSem, src_pos)) {
    return false;
  }
  return CheckValidity(&f, out->valid_at, out->projected, now,
                       KeywordPos(form.keywords, "v", form.pos), "sem");
}

bool CheckEpi(const BoundEpi& form, const SymbolTable& table, EpiFields* out,
              SemanticError* error) {
  Fields f(form.keywords, form.pos, "epi", error);
  if (!f.Symbol("src", &out->source) || !f.Conf(&out->confidence) ||
      !f.Timestamp("at", &out->at) || !f.Timestamp("obs", &out->obs)) {
    return false;
  }
  Position src_pos = KeywordPos(form.keywords, "src", form.pos);
  if (!CheckSource(&f, table, out->source, out->confidence, MemoryKind::kEpi, src_pos)) {
    return false;
  }
  if (out->obs < out->at) {
    return f.Fail(SemanticErrorKind::kInvalidClockOrder, KeywordPos(form.keywords, "obs", form.pos),
                  "epi :obs " + FormatTimestampMillis(out->obs) + " is before :at " +
                      FormatTimestampMillis(out->at));
  }
  return true;
}

bool CheckPro(const BoundPro& form, const SymbolTable& table, ProFields* out,
              SemanticError* error) {
  Fields f(form.keywords, form.pos, "pro", error);
  if (!f.Symbol("scp", &out->scope) || !f.Symbol("src", &out->source) ||
      !f.Conf(&out->confidence)) {
    return false;
  }
  if (const BoundKeyword* pre = form.keywords.Find("pre")) out->precondition = pre->value;
  Position src_pos = KeywordPos(form.keywords, "src", form.pos);
  return CheckSource(&f, table, out->source, out->confidence, MemoryKind::kPro, src_pos);
}

bool CheckInf(const BoundInf& form, ClockTime now, InfFields* out, SemanticError* error) {
  Fields f(form.keywords, form.pos, "inf", error);
  if (!f.Conf(&out->confidence) || !f.Timestamp("v", &out->valid_at) ||
      !f.Flag("projected", &out->projected)) {
    return false;
  }
  if (form.derived_from.empty()) {
    return f.Fail(SemanticErrorKind::kEmptyDerivedFrom, form.pos,
                  "inf needs at least one parent memory in its derived_from list");
  }
  return CheckValidity(&f, out->valid_at, out->projected, now,
                       KeywordPos(form.keywords, "v", form.pos), "inf");
}

}  // namespace urd::mem
