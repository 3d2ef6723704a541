// Copyright urd authors.

#include "memory/query.h"

#include <algorithm>
#include <unordered_set>

#include "memory/ir/parser.h"
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

// The bi-temporal resolver and candidate collection (§4.4, §7.2).
class Executor {
 public:
  Executor(const MemoryState& state, const Predicates& p, ClockTime as_of,
           ClockTime as_committed)
      : state_(state), p_(p), as_of_(as_of), as_committed_(as_committed) {}

  void Collect(std::vector<MemoryRef>* out) {
    out_ = out;
    bool sp = p_.has_s || p_.has_p;
    if ((p_.has_s && !p_.s) || (p_.has_p && !p_.p)) return;  // unknown name: nothing
    if (!p_.kind || p_.kind == MemoryKind::kSem) CollectKeyed(MemoryKind::kSem);
    if ((!p_.kind || p_.kind == MemoryKind::kPro) && !sp) CollectRules();
    if (!p_.kind || p_.kind == MemoryKind::kInf) CollectKeyed(MemoryKind::kInf);
    if ((!p_.kind || p_.kind == MemoryKind::kEpi) && !sp) CollectEpisodic();
    if (p_.include_projected) CollectProjected();
  }

 private:
  // The end of validity of a record as seen at as_committed: its own invalid_at,
  // or the valid_at of a later-starting memory that supersedes it (docs/decisions.md M1).
  std::optional<ClockTime> EffectiveInvalidAt(SymbolId id, ClockTime valid_at,
                                              std::optional<ClockTime> own) const {
    std::optional<ClockTime> end = own;
    for (uint32_t e : state_.EdgesInto(id)) {
      const EdgeRecord& edge = state_.edges()[e];
      if (edge.kind != EdgeKind::kSupersedes || edge.at > as_committed_) continue;
      auto from_valid = state_.ValidAtOf(edge.from);
      if (!from_valid || *from_valid <= valid_at) continue;  // retroactive: no closure
      if (!end || *from_valid < *end) end = from_valid;
    }
    return end;
  }

  bool Authoritative(SymbolId id, ClockTime valid_at, ClockTime committed_at,
                     std::optional<ClockTime> own_invalid) const {
    if (committed_at > as_committed_ || valid_at > as_of_) return false;
    auto end = EffectiveInvalidAt(id, valid_at, own_invalid);
    return !end || *end > as_of_;
  }

  // Resolves one key: the authoritative record with the greatest valid_at (then
  // the greatest committed_at), walking the key's history newest first.
  template <typename Rec, typename Prev>
  void ResolveChain(const std::vector<Rec>& recs, uint32_t newest, Prev prev, MemoryKind kind) {
    uint32_t best = kNoRecord;
    for (uint32_t i = newest; i != kNoRecord; i = prev(i)) {
      const Rec& r = recs[i];
      if (!Authoritative(r.memory_id, r.valid_at, r.committed_at, r.invalid_at)) continue;
      if (best == kNoRecord || r.valid_at > recs[best].valid_at) best = i;
    }
    if (best != kNoRecord) Add(MemoryRef{kind, best});
  }

  void ResolveKey(MemoryKind kind, uint32_t newest) {
    if (kind == MemoryKind::kSem) {
      ResolveChain(state_.sem(), newest, [&](uint32_t i) { return state_.SemPrev(i); }, kind);
    } else {
      ResolveChain(state_.inf(), newest, [&](uint32_t i) { return state_.InfPrev(i); }, kind);
    }
  }

  void CollectKeyed(MemoryKind kind) {
    bool sem = kind == MemoryKind::kSem;
    if (p_.s && p_.p) {
      ResolveKey(kind, sem ? state_.SemNewest(*p_.s, *p_.p) : state_.InfNewest(*p_.s, *p_.p));
      return;
    }
    if (sem && p_.s) {  // subject index: the distinct predicates of one subject
      std::unordered_set<SymbolId> seen;
      for (uint32_t i = state_.SemNewestBySubject(*p_.s); i != kNoRecord;
           i = state_.SemPrevSameSubject(i)) {
        SymbolId pred = state_.sem()[i].p;
        if (seen.insert(pred).second) ResolveKey(kind, state_.SemNewest(*p_.s, pred));
      }
      return;
    }
    auto each = [&](SymbolId s, SymbolId p, uint32_t newest) {
      if ((p_.s && s != *p_.s) || (p_.p && p != *p_.p)) return;
      ResolveKey(kind, newest);
    };
    if (sem) {
      state_.ForEachSemKey(each);
    } else {
      state_.ForEachInfKey(each);
    }
  }

  void CollectRules() {
    state_.ForEachRule([&](SymbolId, uint32_t newest) {
      ResolveChain(state_.pro(), newest, [&](uint32_t i) { return state_.ProPrev(i); },
                   MemoryKind::kPro);
    });
  }

  // Episodic memories are events: never superseded, visible once committed and
  // once they happened (docs/decisions.md M2).
  void CollectEpisodic() {
    const auto& epi = state_.epi();
    for (uint32_t i = 0; i < epi.size(); ++i) {
      if (epi[i].committed_at <= as_committed_ && epi[i].at_time <= as_of_) {
        Add(MemoryRef{MemoryKind::kEpi, i});
      }
    }
  }

  template <typename Rec>
  void ProjectedOf(const std::vector<Rec>& recs, MemoryKind kind) {
    if (p_.kind && *p_.kind != kind) return;
    for (uint32_t i = 0; i < recs.size(); ++i) {
      const Rec& r = recs[i];
      if (!r.projected || r.committed_at > as_committed_) continue;
      if ((p_.s && r.s != *p_.s) || (p_.p && r.p != *p_.p)) continue;
      AddOnce(MemoryRef{kind, i});
    }
  }

  void CollectProjected() {
    ProjectedOf(state_.sem(), MemoryKind::kSem);
    ProjectedOf(state_.inf(), MemoryKind::kInf);
  }

  void Add(MemoryRef ref) { out_->push_back(ref); }

  // Projected records may already be in the result (resolved at an explicit
  // future :as_of); the projected path is rare, so a linear check is fine.
  void AddOnce(MemoryRef ref) {
    for (MemoryRef r : *out_) {
      if (r.kind == ref.kind && r.index == ref.index) return;
    }
    out_->push_back(ref);
  }

  const MemoryState& state_;
  const Predicates& p_;
  ClockTime as_of_;
  ClockTime as_committed_;
  std::vector<MemoryRef>* out_ = nullptr;
};

ClockTime CommittedAt(const MemoryState& s, MemoryRef r) {
  return s.Visit(r, [](const auto& rec) { return rec.committed_at; });
}

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
  std::vector<MemoryRef> refs;
  Executor(state, p, out->as_of, out->as_committed).Collect(&refs);
  if (p.episode_filter != EpisodeFilter::kNone) {
    std::erase_if(refs, [&](MemoryRef r) { return !PassesEpisode(state, p, CommittedAt(state, r)); });
  }
  if (refs.size() > 1) {
    std::sort(refs.begin(), refs.end(), [&](MemoryRef a, MemoryRef b) {
      ClockTime ca = CommittedAt(state, a), cb = CommittedAt(state, b);
      if (ca != cb) return ca < cb;
      return MemoryIdOf(state, a) < MemoryIdOf(state, b);
    });
  }
  bool historical = p.as_of && *p.as_of < now;
  out->records.reserve(std::min<size_t>(refs.size(), p.limit));
  for (MemoryRef r : refs) {
    ReadRecord rec{r, EffectiveConfidenceOf(state, decay, r, now), FramingOf(state, r, historical)};
    bool retired = ReferencesRetired(state, r);
    if (retired && !p.include_retired) {
      if (p.explain) out->filtered.emplace_back(rec, FilterReason::kRetiredSymbol);
      continue;
    }
    if (IsProjected(state, r) && !p.include_projected) {
      if (p.explain) out->filtered.emplace_back(rec, FilterReason::kProjected);
      continue;
    }
    if (retired) out->flags |= kQueryStaleSymbol;
    if (IsProjected(state, r)) out->flags |= kQueryProjectedPresent;
    if (rec.effective < p.threshold) out->flags |= kQueryLowConfidence;
    out->records.push_back(rec);
  }
  if (out->records.size() > p.limit) {
    out->records.resize(p.limit);
    out->flags |= kQueryTruncated;
  }
  return Status::OK();
}

}  // namespace urd::mem
