// Copyright urd authors.

#include "memory/query.h"

#include <algorithm>

#include "memory/ir/parser.h"
#include "memory/resolver.h"
#include "urd/memory_store.h"

namespace urd::mem {

std::string_view ReadErrorKindName(ReadErrorKind kind) {
  switch (kind) {
    case ReadErrorKind::kParse:
      return "Parse";
    case ReadErrorKind::kNotASingleQuery:
      return "NotASingleQuery";
    case ReadErrorKind::kNotAQuery:
      return "NotAQuery";
    case ReadErrorKind::kUnsupportedPredicate:
      return "UnsupportedPredicate";
    case ReadErrorKind::kInvalidPredicate:
      return "InvalidPredicate";
    case ReadErrorKind::kInvalidKind:
      return "InvalidKind";
    case ReadErrorKind::kIncompatiblePredicates:
      return "IncompatiblePredicates";
  }
  return "Unknown";
}

std::string_view FramingName(Framing framing) {
  switch (framing) {
    case Framing::kAdvisory:
      return "advisory";
    case Framing::kHistorical:
      return "historical";
    case Framing::kProjected:
      return "projected";
    case Framing::kPinned:
      return "pinned";
    case Framing::kAuthoritative:
      return "authoritative";
  }
  return "advisory";
}

std::string_view FilterReasonName(FilterReason reason) {
  return reason == FilterReason::kRetiredSymbol ? "retired_symbol" : "projected";
}

namespace {

Status ReadError(ReadErrorKind kind, Position pos, const std::string& message) {
  return Status::InvalidArgument("line " + std::to_string(pos.line) + ", column " +
                                 std::to_string(pos.column) + ": " +
                                 std::string(ReadErrorKindName(kind)) + ": " + message);
}

enum class EpisodeFilter : uint8_t { kNone, kIn, kAfter, kBefore, kChain };

// The predicates of one query, typed.
struct Predicates {
  std::optional<MemoryKind> kind;
  bool has_s = false, has_p = false;
  std::optional<SymbolId> s, p;  // unset with has_x: an unknown name (matches nothing)
  std::optional<ClockTime> as_of, as_committed;
  EpisodeFilter episode_filter = EpisodeFilter::kNone;
  std::optional<SymbolId> episode;  // unset with a filter: unknown episode
  uint64_t limit = 1000;
  bool include_retired = false, include_projected = false;
  uint16_t threshold = 32768;
  bool explain = false, framing = false;
};

// Reads the keywords of a (query …) form into Predicates.
class PredicateReader {
 public:
  PredicateReader(const SymbolTable& table, Predicates* out) : table_(table), out_(out) {}

  Status Read(const QueryForm& q) {
    if (q.selector) {
      return ReadError(ReadErrorKind::kUnsupportedPredicate, q.selector->pos,
                       "a positional selector is not supported; use :s / :p / :kind");
    }
    for (const auto& [key, value] : q.keywords) URD_RETURN_IF_ERROR(Keyword(key, value));
    bool sp = out_->has_s || out_->has_p;
    if (sp && out_->kind && (*out_->kind == MemoryKind::kPro || *out_->kind == MemoryKind::kEpi)) {
      return ReadError(ReadErrorKind::kIncompatiblePredicates, q.pos,
                       ":s / :p cannot be combined with :kind " +
                           std::string(MemoryKindName(*out_->kind)));
    }
    return Status::OK();
  }

 private:
  Status Invalid(std::string_view key, const AstValue& v, std::string_view why) {
    return ReadError(ReadErrorKind::kInvalidPredicate, v.pos,
                     ":" + std::string(key) + " " + std::string(why));
  }

  static bool IsName(const AstValue& v) {
    return v.is_symbol() || v.kind == AstValue::Kind::kBareword;
  }

  std::optional<SymbolId> Resolve(const AstValue& v) const { return table_.Lookup(v.text); }

  Status Bool(std::string_view key, const AstValue& v, bool* out) {
    if (v.kind != AstValue::Kind::kBoolean) return Invalid(key, v, "must be true or false");
    *out = v.boolean;
    return Status::OK();
  }

  Status Time(std::string_view key, const AstValue& v, std::optional<ClockTime>* out) {
    if (v.kind != AstValue::Kind::kTimestamp) return Invalid(key, v, "must be a timestamp");
    *out = v.millis;
    return Status::OK();
  }

  Status Kind(const AstValue& v) {
    if (!IsName(v)) return Invalid("kind", v, "must be sem, epi, pro or inf");
    static const std::pair<std::string_view, MemoryKind> kKinds[] = {
        {"sem", MemoryKind::kSem}, {"epi", MemoryKind::kEpi},
        {"pro", MemoryKind::kPro}, {"inf", MemoryKind::kInf}};
    for (const auto& [name, kind] : kKinds) {
      if (v.text == name) {
        out_->kind = kind;
        return Status::OK();
      }
    }
    return ReadError(ReadErrorKind::kInvalidKind, v.pos,
                     "`" + v.text + "` is not a memory kind (sem, epi, pro, inf)");
  }

  Status Episode(std::string_view key, const AstValue& v, EpisodeFilter filter) {
    if (out_->episode_filter != EpisodeFilter::kNone) {
      return Invalid(key, v, "conflicts with another episode predicate (at most one per query)");
    }
    if (!IsName(v)) return Invalid(key, v, "must be an episode symbol");
    out_->episode_filter = filter;
    out_->episode = Resolve(v);
    return Status::OK();
  }

  Status Threshold(const AstValue& v) {
    double x = 0;
    if (v.kind == AstValue::Kind::kFloat) {
      x = v.real;
    } else if (v.kind == AstValue::Kind::kInteger && (v.integer == 0 || v.integer == 1)) {
      x = static_cast<double>(v.integer);
    } else {
      return Invalid("confidence_threshold", v, "must be a number in [0, 1]");
    }
    auto c = ConfidenceFromFloat(x);
    if (!c.ok()) return Invalid("confidence_threshold", v, "must be a number in [0, 1]");
    out_->threshold = c->raw;
    return Status::OK();
  }

  Status Keyword(std::string_view key, const AstValue& v) {
    if (key == "kind") return Kind(v);
    if (key == "s" || key == "p") {
      if (!IsName(v)) return Invalid(key, v, "must be a symbol");
      (key == "s" ? out_->has_s : out_->has_p) = true;
      (key == "s" ? out_->s : out_->p) = Resolve(v);
      return Status::OK();
    }
    if (key == "as_of") return Time(key, v, &out_->as_of);
    if (key == "as_committed") return Time(key, v, &out_->as_committed);
    if (key == "in_episode") return Episode(key, v, EpisodeFilter::kIn);
    if (key == "after_episode") return Episode(key, v, EpisodeFilter::kAfter);
    if (key == "before_episode") return Episode(key, v, EpisodeFilter::kBefore);
    if (key == "episode_chain") return Episode(key, v, EpisodeFilter::kChain);
    if (key == "limit") {
      if (v.kind != AstValue::Kind::kInteger || v.integer < 0) {
        return Invalid(key, v, "must be an integer >= 0");
      }
      out_->limit = static_cast<uint64_t>(v.integer);
      return Status::OK();
    }
    if (key == "include_retired") return Bool(key, v, &out_->include_retired);
    if (key == "include_projected") return Bool(key, v, &out_->include_projected);
    if (key == "confidence_threshold") return Threshold(v);
    bool on = false;
    if (key == "explain_filtered" || key == "show_framing" || key == "debug_mode") {
      URD_RETURN_IF_ERROR(Bool(key, v, &on));
      if (key != "show_framing") out_->explain = out_->explain || on;
      if (key != "explain_filtered") out_->framing = out_->framing || on;
      return Status::OK();
    }
    return ReadError(ReadErrorKind::kUnsupportedPredicate, v.pos,
                     "predicate :" + std::string(key) + " is not supported");
  }

  const SymbolTable& table_;
  Predicates* out_;
};

SymbolId MemoryIdOf(const MemoryState& s, MemoryRef r) {
  return s.Visit(r, [](const auto& rec) { return rec.memory_id; });
}

bool IsProjected(const MemoryState& s, MemoryRef r) {
  if (r.kind == MemoryKind::kSem) return s.sem()[r.index].projected;
  if (r.kind == MemoryKind::kInf) return s.inf()[r.index].projected;
  return false;
}

bool ValueRetired(const SymbolTable& t, const Value& v) {
  return v.is_symbol() && t.IsRetired(v.symbol());
}

// Whether a record references a retired symbol in any symbol field or value.
bool ReferencesRetired(const MemoryState& s, MemoryRef r) {
  const SymbolTable& t = s.symbols();
  auto any = [&](std::initializer_list<SymbolId> ids) {
    for (SymbolId id : ids) {
      if (t.IsRetired(id)) return true;
    }
    return false;
  };
  auto list = [&](const std::vector<SymbolId>& ids) {
    return std::any_of(ids.begin(), ids.end(), [&](SymbolId id) { return t.IsRetired(id); });
  };
  switch (r.kind) {
    case MemoryKind::kSem: {
      const SemRecord& x = s.sem()[r.index];
      return any({x.memory_id, x.s, x.p, x.source}) || ValueRetired(t, x.o);
    }
    case MemoryKind::kEpi: {
      const EpiRecord& x = s.epi()[r.index];
      return any({x.memory_id, x.event_id, x.kind, x.location, x.source}) ||
             list(x.participants);
    }
    case MemoryKind::kPro: {
      const ProRecord& x = s.pro()[r.index];
      return any({x.memory_id, x.rule_id, x.scope, x.source}) || ValueRetired(t, x.trigger) ||
             ValueRetired(t, x.action) || (x.precondition && ValueRetired(t, *x.precondition));
    }
    case MemoryKind::kInf: {
      const InfRecord& x = s.inf()[r.index];
      return any({x.memory_id, x.s, x.p, x.method}) || ValueRetired(t, x.o) ||
             list(x.derived_from);
    }
  }
  return false;
}

// Whether a record's commit clock passes the episode filter.
bool PassesEpisode(const MemoryState& s, const Predicates& p, ClockTime committed_at) {
  if (p.episode_filter == EpisodeFilter::kNone) return true;
  const EpisodeInfo* e = p.episode ? s.FindEpisode(*p.episode) : nullptr;
  if (e == nullptr) return false;
  switch (p.episode_filter) {
    case EpisodeFilter::kIn:
      return committed_at == e->committed_at;
    case EpisodeFilter::kAfter:
      return committed_at > e->committed_at;
    case EpisodeFilter::kBefore:
      return committed_at < e->committed_at;
    case EpisodeFilter::kChain:
      for (int depth = 0; e != nullptr && depth < 1024; ++depth) {
        if (committed_at == e->committed_at) return true;
        e = e->parent ? s.FindEpisode(*e->parent) : nullptr;
      }
      return false;
    case EpisodeFilter::kNone:
      break;
  }
  return true;
}

Framing FramingOf(const MemoryState& s, MemoryRef r, bool historical) {
  SymbolId id = MemoryIdOf(s, r);
  if (IsProjected(s, r)) return Framing::kProjected;
  if (s.IsPinned(id)) return Framing::kPinned;
  if (s.IsAuthoritative(id)) return Framing::kAuthoritative;
  return historical ? Framing::kHistorical : Framing::kAdvisory;
}

Status ParseQuery(const MemoryState& state, std::string_view text, Predicates* p) {
  std::vector<Form> forms;
  ParseError perr;
  if (!ParseForms(text, &forms, &perr)) {
    Status st = ToStatus(perr);
    return Status::InvalidArgument(std::string(st.message()));
  }
  if (forms.size() != 1) {
    return ReadError(ReadErrorKind::kNotASingleQuery,
                     forms.empty() ? Position{} : FormPosition(forms[1]),
                     "expected exactly one (query …) form, got " + std::to_string(forms.size()));
  }
  const auto* q = std::get_if<QueryForm>(&forms[0]);
  if (q == nullptr) {
    return ReadError(ReadErrorKind::kNotAQuery, FormPosition(forms[0]),
                     "expected a (query …) form, got `" + std::string(FormHead(forms[0])) + "`");
  }
  return PredicateReader(state.symbols(), p).Read(*q);
}

}  // namespace

uint16_t EffectiveConfidenceOf(const MemoryState& state, const DecayConfig& decay, MemoryRef ref,
                               ClockTime now) {
  SymbolId id = MemoryIdOf(state, ref);
  bool frozen = state.IsPinned(id) || state.IsAuthoritative(id);
  uint16_t stored = 0;
  ClockTime valid_at = 0;
  SymbolId source = 0;
  switch (ref.kind) {
    case MemoryKind::kSem:
      stored = state.sem()[ref.index].confidence.raw;
      valid_at = state.sem()[ref.index].valid_at;
      source = state.sem()[ref.index].source;
      break;
    case MemoryKind::kEpi:
      stored = state.epi()[ref.index].confidence.raw;
      valid_at = state.epi()[ref.index].at_time;
      source = state.epi()[ref.index].source;
      break;
    case MemoryKind::kPro:
      stored = state.pro()[ref.index].confidence.raw;
      valid_at = state.pro()[ref.index].committed_at;
      source = state.pro()[ref.index].source;
      break;
    case MemoryKind::kInf:
      return state.inf()[ref.index].confidence.raw;  // inferential: no decay
  }
  const SymbolEntry* e = state.symbols().Find(source);
  SourceKind sk = SourceKindFromName(e == nullptr ? std::string_view() : e->canonical_name);
  uint64_t elapsed = now > valid_at ? now - valid_at : 0;
  return EffectiveConfidence(stored, elapsed, decay.HalfLifeMs(ref.kind, sk), frozen);
}

Status ExecuteQuery(const MemoryState& state, const DecayConfig& decay, std::string_view text,
                    ReadResult* out) {
  *out = ReadResult{};
  Predicates p;
  URD_RETURN_IF_ERROR(ParseQuery(state, text, &p));
  out->show_framing = p.framing;
  if (p.explain) out->flags |= kQueryExplainFilteredActive;
  if (!state.last_committed_at()) {
    out->as_of = p.as_of.value_or(0);
    out->as_committed = p.as_committed.value_or(0);
    return Status::OK();
  }
  ClockTime now = *state.last_committed_at();
  out->query_committed_at = now;
  out->as_of = p.as_of.value_or(now);
  out->as_committed = p.as_committed.value_or(now);
  CandidateFilter filter;
  filter.kind = p.kind;
  filter.s = p.s;
  filter.p = p.p;
  filter.include_projected = p.include_projected;
  filter.as_of = out->as_of;
  filter.as_committed = out->as_committed;
  if (p.episode_filter != EpisodeFilter::kNone) {
    filter.commit_ok = [&](ClockTime c) { return PassesEpisode(state, p, c); };
  }
  if ((p.has_s && !p.s) || (p.has_p && !p.p)) return Status::OK();  // unknown name: nothing
  Candidates candidates(state, filter);
  const bool historical = p.as_of && *p.as_of < now;
  MemoryRef r;
  // Candidates come in commit order: stop once `limit` records are kept and one
  // more shows the result is truncated (docs/decisions.md M15).
  while (candidates.Next(&r)) {
    ReadRecord rec{r, EffectiveConfidenceOf(state, decay, r, now), FramingOf(state, r, historical)};
    const bool retired = ReferencesRetired(state, r);
    if (retired && !p.include_retired) {
      if (p.explain) out->filtered.emplace_back(rec, FilterReason::kRetiredSymbol);
      continue;
    }
    if (IsProjected(state, r) && !p.include_projected) {
      if (p.explain) out->filtered.emplace_back(rec, FilterReason::kProjected);
      continue;
    }
    if (out->records.size() == p.limit) {
      out->flags |= kQueryTruncated;
      break;
    }
    if (retired) out->flags |= kQueryStaleSymbol;
    if (IsProjected(state, r)) out->flags |= kQueryProjectedPresent;
    if (rec.effective < p.threshold) out->flags |= kQueryLowConfidence;
    out->records.push_back(rec);
  }
  return Status::OK();
}

}  // namespace urd::mem
