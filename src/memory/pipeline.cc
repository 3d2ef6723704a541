// Copyright urd authors.

#include "memory/pipeline.h"

#include <utility>

#include "memory/ir/parser.h"

namespace urd::mem {

std::string_view EmitErrorKindName(EmitErrorKind kind) {
  switch (kind) {
    case EmitErrorKind::kUnsupported:
      return "Unsupported";
    case EmitErrorKind::kMemoryIdAllocation:
      return "MemoryIdAllocation";
    case EmitErrorKind::kSemanticSupersessionConflict:
      return "SemanticSupersessionConflict";
    case EmitErrorKind::kInferentialSupersessionConflict:
      return "InferentialSupersessionConflict";
    case EmitErrorKind::kProceduralSupersessionConflict:
      return "ProceduralSupersessionConflict";
    case EmitErrorKind::kSupersessionDag:
      return "SupersessionDag";
    case EmitErrorKind::kClockExhausted:
      return "ClockExhausted";
  }
  return "Unknown";
}

std::optional<ClockTime> NextCommitClock(const MemoryState& state, ClockTime now) {
  auto last = state.last_committed_at();
  if (!last || now > *last) return now == kClockSentinel ? std::nullopt : std::optional(now);
  if (*last + 1 >= kClockSentinel) return std::nullopt;
  return *last + 1;
}

namespace {

Status EmitError(EmitErrorKind kind, Position pos, const std::string& message) {
  return Status::InvalidArgument("line " + std::to_string(pos.line) + ", column " +
                                 std::to_string(pos.column) + ": " +
                                 std::string(EmitErrorKindName(kind)) + ": " + message);
}

SymbolEventKind EventKind(SymbolEvent::Type type) {
  switch (type) {
    case SymbolEvent::Type::kAllocate:
      return SymbolEventKind::kAlloc;
    case SymbolEvent::Type::kAlias:
      return SymbolEventKind::kAlias;
    case SymbolEvent::Type::kRename:
      return SymbolEventKind::kRename;
    case SymbolEvent::Type::kRetire:
      return SymbolEventKind::kRetire;
  }
  return SymbolEventKind::kAlloc;
}

FlagKind FlagKindOf(BoundFlag::Op op) {
  switch (op) {
    case BoundFlag::Op::kPin:
      return FlagKind::kPin;
    case BoundFlag::Op::kUnpin:
      return FlagKind::kUnpin;
    case BoundFlag::Op::kAuthoritativeSet:
      return FlagKind::kAuthoritativeSet;
    case BoundFlag::Op::kAuthoritativeClear:
      return FlagKind::kAuthoritativeClear;
  }
  return FlagKind::kPin;
}

// Emits the records of one batch into state and out (see pipeline.h).
class Emitter {
 public:
  Emitter(MemoryState* state, ClockTime now, ClockTime at, CompiledBatch* out)
      : state_(state), now_(now), at_(at), out_(out) {}

  Status Form(const BoundForm& form) {
    return std::visit([this](const auto& f) { return Emit(f); }, form);
  }

  // Appends and applies a record.
  Status Push(CanonicalRecord record, Position pos) {
    Status s = state_->Apply(record, ApplyMode::kEmit);
    if (!s.ok()) return EmitError(EmitErrorKind::kSupersessionDag, pos, std::string(s.message()));
    out_->records.push_back(std::move(record));
    return Status::OK();
  }

  // Allocates `<prefix>N` (kind Memory) and emits its SYMBOL_ALLOC.
  Result<SymbolId> AllocateNamed(std::string_view prefix, uint64_t n, Position pos) {
    std::string name = std::string(prefix) + std::to_string(n);
    SymbolId id = 0;
    if (state_->mutable_symbols()->Allocate(name, SymbolKind::kMemory, &id) !=
        SymbolTableCode::kOk) {
      return EmitError(EmitErrorKind::kMemoryIdAllocation, pos,
                       "cannot allocate `" + name + "`: the name is already bound");
    }
    out_->records.push_back(SymbolEventRecord{SymbolEventKind::kAlloc, id, name,
                                              SymbolKind::kMemory, at_});
    return id;
  }

  const std::optional<BatchMetadata>& pending() const { return pending_; }
  size_t memories() const { return memories_; }

 private:
  Result<SymbolId> NewMemory(Position pos) {
    URD_ASSIGN_OR_RETURN(SymbolId id, AllocateNamed("__mem_", state_->TakeMemoryCounter(), pos));
    out_->memory_ids.push_back(id);
    ++memories_;
    return id;
  }

  // SUPERSEDES from -> to, then STALE_PARENT for every inferential derived from `to`.
  Status Supersede(SymbolId from, SymbolId to, Position pos) {
    URD_RETURN_IF_ERROR(Push(EdgeRecord{EdgeKind::kSupersedes, from, to, at_}, pos));
    std::vector<SymbolId> dependents = state_->DerivedFrom(to);
    for (SymbolId inf : dependents) {
      URD_RETURN_IF_ERROR(Push(EdgeRecord{EdgeKind::kStaleParent, inf, to, at_}, pos));
    }
    return Status::OK();
  }

  // Semantic/inferential supersession decision against the current record at a key
  // whose valid_at is `current_valid` (§4.5). Sets *invalid_at for retroactive writes.
  Status Decide(std::optional<ClockTime> current_valid, ClockTime valid_at, EmitErrorKind conflict,
                Position pos, std::optional<ClockTime>* invalid_at) {
    if (!current_valid) return Status::OK();
    if (valid_at == *current_valid) {
      return EmitError(conflict, pos,
                       "a memory with the same subject, predicate and :v already exists; "
                       "give a different :v to supersede it");
    }
    if (valid_at < *current_valid) *invalid_at = *current_valid;
    return Status::OK();
  }

  Status Emit(const BoundSem& f) {
    SemFields fields;
    SemanticError err;
    if (!CheckSem(f, state_->symbols(), now_, &fields, &err)) return ToStatus(err);
    uint32_t cur = state_->SemCurrent(f.s, f.p);
    std::optional<ClockTime> cur_valid;
    if (cur != kNoRecord) cur_valid = state_->sem()[cur].valid_at;
    std::optional<ClockTime> invalid_at;
    URD_RETURN_IF_ERROR(Decide(cur_valid, fields.valid_at,
                               EmitErrorKind::kSemanticSupersessionConflict, f.pos, &invalid_at));
    SymbolId old = cur == kNoRecord ? 0 : state_->sem()[cur].memory_id;
    URD_ASSIGN_OR_RETURN(SymbolId id, NewMemory(f.pos));
    SemRecord r{id,   f.s,           f.p, f.o, fields.source, fields.confidence, fields.valid_at,
                at_,  at_,           invalid_at, fields.projected};
    URD_RETURN_IF_ERROR(Push(std::move(r), f.pos));
    if (cur != kNoRecord) URD_RETURN_IF_ERROR(Supersede(id, old, f.pos));
    return Status::OK();
  }

  Status Emit(const BoundEpi& f) {
    EpiFields fields;
    SemanticError err;
    if (!CheckEpi(f, state_->symbols(), &fields, &err)) return ToStatus(err);
    URD_ASSIGN_OR_RETURN(SymbolId id, NewMemory(f.pos));
    EpiRecord r{id,        f.event_id,        f.kind, f.participants, f.location, fields.at,
                fields.obs, fields.source, fields.confidence, at_, std::nullopt};
    return Push(std::move(r), f.pos);
  }

  Status Emit(const BoundPro& f) {
    ProFields fields;
    SemanticError err;
    if (!CheckPro(f, state_->symbols(), &fields, &err)) return ToStatus(err);
    std::vector<SymbolId> olds;
    for (uint32_t idx : {state_->ProCurrentByRule(f.rule_id),
                         state_->ProCurrentByTriggerScope(f.trigger, fields.scope)}) {
      if (idx == kNoRecord) continue;
      const ProRecord& o = state_->pro()[idx];
      if (o.committed_at == at_) {
        return EmitError(EmitErrorKind::kProceduralSupersessionConflict, f.pos,
                         "rule collides with rule `" + std::to_string(o.memory_id) +
                             "` of the same batch (same rule id, or same trigger and scope)");
      }
      if (olds.empty() || olds.front() != o.memory_id) olds.push_back(o.memory_id);
    }
    URD_ASSIGN_OR_RETURN(SymbolId id, NewMemory(f.pos));
    ProRecord r{id,  f.rule_id, f.trigger, f.action, fields.precondition, fields.scope,
                fields.source, fields.confidence, at_, at_, at_, std::nullopt};
    URD_RETURN_IF_ERROR(Push(std::move(r), f.pos));
    for (SymbolId old : olds) URD_RETURN_IF_ERROR(Supersede(id, old, f.pos));
    return Status::OK();
  }

  Status Emit(const BoundInf& f) {
    InfFields fields;
    SemanticError err;
    if (!CheckInf(f, now_, &fields, &err)) return ToStatus(err);
    uint32_t cur = state_->InfCurrent(f.s, f.p);
    std::optional<ClockTime> cur_valid;
    if (cur != kNoRecord) cur_valid = state_->inf()[cur].valid_at;
    std::optional<ClockTime> invalid_at;
    URD_RETURN_IF_ERROR(Decide(cur_valid, fields.valid_at,
                               EmitErrorKind::kInferentialSupersessionConflict, f.pos,
                               &invalid_at));
    SymbolId old = cur == kNoRecord ? 0 : state_->inf()[cur].memory_id;
    bool stale = false;
    for (SymbolId parent : f.derived_from) stale = stale || state_->IsSuperseded(parent);
    URD_ASSIGN_OR_RETURN(SymbolId id, NewMemory(f.pos));
    InfRecord r{id,  f.s, f.p, f.o, f.derived_from, f.method, fields.confidence, fields.valid_at,
                at_, at_, invalid_at, fields.projected, stale};
    URD_RETURN_IF_ERROR(Push(std::move(r), f.pos));
    if (cur != kNoRecord) URD_RETURN_IF_ERROR(Supersede(id, old, f.pos));
    return Status::OK();
  }

  Status Emit(const BoundFlag& f) {
    return Push(FlagRecord{FlagKindOf(f.op), f.memory, at_, f.actor}, f.pos);
  }

  Status Emit(const BoundEpisode& f) {
    if (f.action == EpisodeForm::Action::kClose) {
      pending_.reset();
      return Status::OK();
    }
    BatchMetadata m;
    m.label = f.label;
    const SymbolTable& t = state_->symbols();
    auto name = [&](SymbolId id) { return t.Find(id) ? t.Find(id)->canonical_name : ""; };
    if (f.parent_episode) m.parent = name(*f.parent_episode);
    if (f.retracts) {
      for (SymbolId id : *f.retracts) m.retracts.push_back(name(id));
    }
    pending_ = std::move(m);
    return Status::OK();
  }

  // alias / rename / retire: the journal's SYMBOL_* records say everything.
  Status Emit(const BoundAlias&) { return Status::OK(); }
  Status Emit(const BoundRename&) { return Status::OK(); }
  Status Emit(const BoundRetire&) { return Status::OK(); }

  Status Emit(const BoundCorrect& f) { return Unsupported("correct", f.pos); }
  Status Emit(const BoundPromote& f) { return Unsupported("promote", f.pos); }
  Status Emit(const BoundQuery& f) {
    return EmitError(EmitErrorKind::kUnsupported, f.pos,
                     "`query` is a read: run it with `urd query` / MemoryStore::Query, not in a "
                     "write batch");
  }

  Status Unsupported(std::string_view head, Position pos) {
    return EmitError(EmitErrorKind::kUnsupported, pos,
                     "form `" + std::string(head) +
                         "` is not supported in write batches (as in mimir-core 0.1.0)");
  }

  MemoryState* state_;
  ClockTime now_;
  ClockTime at_;
  CompiledBatch* out_;
  std::optional<BatchMetadata> pending_;
  size_t memories_ = 0;
};

// Semantic checks that look at the whole batch.
Status CheckBatch(const BindOutput& bound) {
  int episodes = 0;
  Position second;
  for (const BoundForm& form : bound.forms) {
    if (const auto* e = std::get_if<BoundEpisode>(&form)) {
      if (++episodes == 2) second = e->pos;
    }
  }
  if (episodes > 1) {
    return ToStatus(SemanticError{SemanticErrorKind::kMultipleEpisodeDirectives, second,
                                  "a batch takes at most one `(episode …)` form, found " +
                                      std::to_string(episodes)});
  }
  return Status::OK();
}

// Whether `name` is `__mem_N` or `__ep_N` (N decimal): names the store allocates.
bool IsReservedMemoryName(std::string_view name) {
  for (std::string_view prefix : {std::string_view("__mem_"), std::string_view("__ep_")}) {
    if (name.substr(0, prefix.size()) != prefix || name.size() == prefix.size()) continue;
    std::string_view digits = name.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") == std::string_view::npos) return true;
  }
  return false;
}

// Agents may refer to existing memories by their `__mem_N` / `__ep_N` names but not
// create such names: the store allocates them, and a name taken by an agent would
// make every later batch collide (docs/decisions.md M3).
Status CheckReservedNames(const BindOutput& bound) {
  for (const SymbolEvent& e : bound.journal) {
    if (e.type == SymbolEvent::Type::kRetire || !IsReservedMemoryName(e.name)) continue;
    return EmitError(EmitErrorKind::kMemoryIdAllocation, Position{},
                     "`@" + e.name +
                         "` is not an existing memory or episode; names of the form __mem_N "
                         "and __ep_N are allocated by the store");
  }
  return Status::OK();
}

// Validates `correct` bodies as episodic memories (they are then rejected by emit
// as unsupported, but a malformed body is reported as what it is).
Status CheckCorrectBodies(const BindOutput& bound, const SymbolTable& table) {
  for (const BoundForm& form : bound.forms) {
    const auto* c = std::get_if<BoundCorrect>(&form);
    if (c == nullptr) continue;
    EpiFields fields;
    SemanticError err;
    if (!CheckEpi(c->body, table, &fields, &err)) {
      err.message = "`correct` body is not a valid epi: " + err.message;
      err.kind = SemanticErrorKind::kCorrectsNonEpisodic;
      return ToStatus(err);
    }
  }
  return Status::OK();
}

// Merges metadata: the batch's `(episode :start …)` wins field by field.
BatchMetadata MergeMetadata(const BatchMetadata* arg, const std::optional<BatchMetadata>& form) {
  BatchMetadata m = arg ? *arg : BatchMetadata{};
  if (!form) return m;
  if (form->label) m.label = form->label;
  if (form->parent) m.parent = form->parent;
  if (!form->retracts.empty()) m.retracts = form->retracts;
  return m;
}

// Resolves an episode name given in metadata beside the text; it must name an
// existing symbol (the `(episode …)` form allocates unknown names through the
// binder, as mimir-core does).
Result<SymbolId> EpisodeSymbol(const MemoryState& state, const std::string& name) {
  std::string_view n = name;
  if (!n.empty() && n.front() == '@') n.remove_prefix(1);
  if (auto id = state.symbols().Lookup(n)) return *id;
  return Status::InvalidArgument("episode metadata: unknown episode `" + name + "`");
}

Status EmitBatch(MemoryState* state, const BindOutput& bound, ClockTime now, ClockTime at,
                 const BatchMetadata* meta, CompiledBatch* out) {
  URD_RETURN_IF_ERROR(CheckBatch(bound));
  URD_RETURN_IF_ERROR(CheckReservedNames(bound));
  URD_RETURN_IF_ERROR(CheckCorrectBodies(bound, state->symbols()));
  // The episode symbol's SYMBOL_ALLOC comes first although it is allocated last;
  // reserve its slot.
  out->records.emplace_back();
  for (const SymbolEvent& e : bound.journal) {
    out->records.push_back(SymbolEventRecord{EventKind(e.type), e.id, e.name, e.kind, at});
  }
  Emitter emitter(state, now, at, out);
  for (size_t i = 0; i < bound.forms.size(); ++i) {
    URD_RETURN_IF_ERROR(emitter.Form(bound.forms[i]));
  }
  BatchMetadata m = MergeMetadata(meta, emitter.pending());
  if (m.label && m.label->size() > kMaxEpisodeLabelBytes) {
    return Status::InvalidArgument("episode label is " + std::to_string(m.label->size()) +
                                   " bytes; at most " + std::to_string(kMaxEpisodeLabelBytes));
  }
  EpisodeMetaRecord em;
  if (m.parent) {
    URD_ASSIGN_OR_RETURN(SymbolId parent, EpisodeSymbol(*state, *m.parent));
    em.parent = parent;
  }
  for (const std::string& r : m.retracts) {
    URD_ASSIGN_OR_RETURN(SymbolId id, EpisodeSymbol(*state, r));
    em.retracted.push_back(id);
  }
  // Allocate the episode after everything else (it gets the highest id), then put
  // its SYMBOL_ALLOC in the reserved first slot.
  std::vector<CanonicalRecord> tail;
  tail.swap(out->records);
  URD_ASSIGN_OR_RETURN(SymbolId episode,
                       emitter.AllocateNamed("__ep_", state->TakeEpisodeCounter(), Position{}));
  tail.front() = std::move(out->records.back());
  out->records.swap(tail);
  out->episode = episode;
  em.episode_id = episode;
  em.at = at;
  em.label = m.label.value_or("");
  if (!em.label.empty() || em.parent || !em.retracted.empty()) {
    URD_RETURN_IF_ERROR(emitter.Push(std::move(em), Position{}));
  }
  return emitter.Push(CheckpointRecord{episode, at, emitter.memories()}, Position{});
}

}  // namespace

Status CompileBatch(MemoryState* state, std::string_view text, ClockTime now,
                    const BatchMetadata* meta, CompiledBatch* out) {
  *out = CompiledBatch{};
  std::vector<Form> forms;
  ParseError perr;
  if (!ParseForms(text, &forms, &perr)) return ToStatus(perr);
  auto at = NextCommitClock(*state, now);
  if (!at) {
    return EmitError(EmitErrorKind::kClockExhausted, Position{},
                     "the commit clock cannot advance past the reserved value");
  }
  out->mark = state->Mark();
  out->committed_at = *at;
  BindOutput bound;
  BindError berr;
  if (!Bind(forms, state->mutable_symbols(), &bound, &berr)) {
    state->RollbackTo(out->mark);
    return ToStatus(berr);
  }
  Status s = EmitBatch(state, bound, now, *at, meta, out);
  if (!s.ok()) {
    state->RollbackTo(out->mark);
    out->records.clear();
    out->memory_ids.clear();
    return s;
  }
  return Status::OK();
}

}  // namespace urd::mem
