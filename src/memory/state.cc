// Copyright urd authors.

#include "memory/state.h"

#include <algorithm>
#include <utility>

namespace urd::mem {

namespace {

constexpr uint64_t kNoRef = UINT64_MAX;

uint64_t PackRef(MemoryKind kind, uint32_t index) {
  return (static_cast<uint64_t>(kind) << 32) | index;
}

const std::vector<uint32_t>& EmptyIndexList() {
  static const std::vector<uint32_t> empty;
  return empty;
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

uint32_t MemoryState::KeyHashOf(SymbolId s, SymbolId p) {
  return static_cast<uint32_t>(Mix(s * 0x9e3779b97f4a7c15ULL ^ Mix(p)));
}

template <typename Rec>
uint32_t MemoryState::NewestOf(const KeyedIndex& index, const std::vector<Rec>& recs, SymbolId s,
                               SymbolId p) const {
  return index.newest.Find(KeyHashOf(s, p), [&](uint32_t i) {
    return recs[i].s == s && recs[i].p == p;
  });
}

template <typename Rec>
uint32_t MemoryState::Link(KeyedIndex* index, const std::vector<Rec>& recs, const Rec& r,
                           uint32_t at) {
  const uint32_t h = KeyHashOf(r.s, r.p);
  const uint32_t prev = NewestOf(*index, recs, r.s, r.p);
  uint32_t current = prev == kNoRecord ? kNoRecord : index->current[prev];
  // Write-side supersession (§4.5): a forward write (or the first) becomes
  // current; a retroactive one leaves the current record alone.
  if (current == kNoRecord || r.valid_at > recs[current].valid_at) current = at;
  index->current.push_back(current);
  if (prev == kNoRecord) {
    index->newest.Insert(h, at);
  } else {
    index->newest.Replace(h, prev, at);
  }
  PushUndo([index, h, prev, at] {
    index->current.pop_back();
    if (prev == kNoRecord) {
      index->newest.Erase(h, at);
    } else {
      index->newest.Replace(h, at, prev);
    }
  });
  return prev;
}

// ---- Undo journal ----

MemoryState::UndoMark MemoryState::Mark() {
  UndoMark mark{symbols_.Mark(), undo_.size()};
  recording_ = true;
  return mark;
}

void MemoryState::RollbackTo(UndoMark mark) {
  while (undo_.size() > mark.pos) {
    auto fn = std::move(undo_.back());
    undo_.pop_back();
    fn();
  }
  symbols_.RollbackTo(mark.table);
}

void MemoryState::Commit() {
  undo_.clear();
  recording_ = false;
  symbols_.Commit();
}

void MemoryState::PushUndo(std::function<void()> undo) {
  if (recording_) undo_.push_back(std::move(undo));
}

void MemoryState::AdvanceClock(ClockTime t) {
  if (last_committed_at_ && *last_committed_at_ >= t) return;
  PushUndo([this, old = last_committed_at_] { last_committed_at_ = old; });
  last_committed_at_ = t;
}

uint64_t MemoryState::TakeMemoryCounter() {
  PushUndo([this, old = next_memory_counter_] { next_memory_counter_ = old; });
  return next_memory_counter_++;
}

uint64_t MemoryState::TakeEpisodeCounter() {
  PushUndo([this, old = next_episode_counter_] { next_episode_counter_ = old; });
  return next_episode_counter_++;
}

void MemoryState::SetRuleSlot(SymbolId rule, Slot slot) {
  auto it = pro_by_rule_.find(rule);
  if (recording_) {
    if (it == pro_by_rule_.end()) {
      PushUndo([this, rule] { pro_by_rule_.erase(rule); });
    } else {
      PushUndo([this, rule, old = it->second] { pro_by_rule_[rule] = old; });
    }
  }
  pro_by_rule_[rule] = slot;
}

void MemoryState::SetTriggerScope(const std::string& key, uint32_t index) {
  auto it = pro_by_trigger_scope_.find(key);
  if (recording_) {
    if (it == pro_by_trigger_scope_.end()) {
      PushUndo([this, key] { pro_by_trigger_scope_.erase(key); });
    } else {
      PushUndo([this, key, old = it->second] { pro_by_trigger_scope_[key] = old; });
    }
  }
  if (index == kNoRecord) {
    if (it != pro_by_trigger_scope_.end()) pro_by_trigger_scope_.erase(it);
  } else {
    pro_by_trigger_scope_[key] = index;
  }
}

void MemoryState::SetFlag(std::unordered_set<SymbolId>* set, SymbolId id, bool on) {
  bool was = set->count(id) != 0;
  if (was == on) return;
  PushUndo([set, id, was] {
    if (was) {
      set->insert(id);
    } else {
      set->erase(id);
    }
  });
  if (on) {
    set->insert(id);
  } else {
    set->erase(id);
  }
}

// ---- Apply ----

Status MemoryState::Apply(const CanonicalRecord& record, ApplyMode mode) {
  Status s = std::visit(
      [&](const auto& r) -> Status {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, SemRecord>) {
          return ApplySem(r);
        } else if constexpr (std::is_same_v<T, EpiRecord>) {
          return ApplyEpi(r);
        } else if constexpr (std::is_same_v<T, ProRecord>) {
          return ApplyPro(r);
        } else if constexpr (std::is_same_v<T, InfRecord>) {
          return ApplyInf(r);
        } else if constexpr (std::is_same_v<T, EdgeRecord>) {
          return ApplyEdge(r);
        } else if constexpr (std::is_same_v<T, SymbolEventRecord>) {
          return mode == ApplyMode::kReplay ? ApplySymbolEvent(r) : Status::OK();
        } else if constexpr (std::is_same_v<T, FlagRecord>) {
          ApplyFlag(r);
          return Status::OK();
        } else if constexpr (std::is_same_v<T, CheckpointRecord>) {
          ApplyCheckpoint(r);
          return Status::OK();
        } else {
          ApplyEpisodeMeta(r);
          return Status::OK();
        }
      },
      record);
  if (!s.ok()) return s;
  AdvanceClock(CommitClock(record));
  return Status::OK();
}

Status MemoryState::ClaimMemoryId(SymbolId id, MemoryKind kind, size_t size) {
  if (size >= kNoRecord - 1) {
    return Status::Corruption("memory state: too many " + std::string(MemoryKindName(kind)) +
                              " records");
  }
  if (symbols_.Find(id) == nullptr) {
    return Status::Corruption("memory id #" + std::to_string(id) +
                              " is not an allocated symbol");
  }
  if (id < memory_ref_.size() && memory_ref_[id] != kNoRef) {
    return Status::Corruption("memory id #" + std::to_string(id) + " is used twice");
  }
  size_t old_size = memory_ref_.size();
  if (id >= old_size) memory_ref_.resize(id + 1, kNoRef);
  memory_ref_[id] = PackRef(kind, static_cast<uint32_t>(size));
  PushUndo([this, id, old_size] {
    memory_ref_[id] = kNoRef;
    if (memory_ref_.size() > old_size) memory_ref_.resize(old_size);
  });
  return Status::OK();
}

Status MemoryState::ApplySem(const SemRecord& r) {
  URD_RETURN_IF_ERROR(ClaimMemoryId(r.memory_id, MemoryKind::kSem, sem_.size()));
  auto index = static_cast<uint32_t>(sem_.size());
  uint32_t prev = Link(&sem_keys_, sem_, r, index);
  auto sit = sem_by_subject_.find(r.s);
  uint32_t prev_subject = sit == sem_by_subject_.end() ? kNoRecord : sit->second;
  sem_by_subject_[r.s] = index;
  PushUndo([this, subject = r.s, prev_subject] {
    if (prev_subject == kNoRecord) {
      sem_by_subject_.erase(subject);
    } else {
      sem_by_subject_[subject] = prev_subject;
    }
    sem_.pop_back();
    sem_prev_.pop_back();
    sem_prev_subject_.pop_back();
  });
  sem_.push_back(r);
  sem_prev_.push_back(prev);
  sem_prev_subject_.push_back(prev_subject);
  return Status::OK();
}

Status MemoryState::ApplyEpi(const EpiRecord& r) {
  URD_RETURN_IF_ERROR(ClaimMemoryId(r.memory_id, MemoryKind::kEpi, epi_.size()));
  PushUndo([this] { epi_.pop_back(); });
  epi_.push_back(r);
  return Status::OK();
}

std::string MemoryState::TriggerScopeKey(const Value& trigger, SymbolId scope) {
  // An injective encoding: type tag, payload, NUL, scope digits (the scope is the
  // digits after the last NUL, so no two (trigger, scope) pairs collide).
  std::string key;
  key.reserve(32);
  key.push_back(static_cast<char>(trigger.type()));
  switch (trigger.type()) {
    case Value::Type::kSymbol:
      key += std::to_string(trigger.symbol());
      break;
    case Value::Type::kInteger:
      key += std::to_string(trigger.integer());
      break;
    case Value::Type::kFloat: {
      double d = trigger.float_value();
      key.append(reinterpret_cast<const char*>(&d), sizeof d);
      break;
    }
    case Value::Type::kBoolean:
      key.push_back(trigger.boolean() ? '1' : '0');
      break;
    case Value::Type::kString:
      key += trigger.string();
      break;
    case Value::Type::kTimestamp:
      key += std::to_string(trigger.timestamp());
      break;
  }
  key.push_back('\0');
  key += std::to_string(scope);
  return key;
}

Status MemoryState::ApplyPro(const ProRecord& r) {
  URD_RETURN_IF_ERROR(ClaimMemoryId(r.memory_id, MemoryKind::kPro, pro_.size()));
  auto index = static_cast<uint32_t>(pro_.size());
  // Supersede the current holders of both keys and remove them from both of their
  // keys (§4.5); the new record holds both of its keys.
  uint32_t by_rule = ProCurrentByRule(r.rule_id);
  uint32_t by_ts = ProCurrentByTriggerScope(r.trigger, r.scope);
  for (uint32_t old : {by_rule, by_ts}) {
    if (old == kNoRecord) continue;
    const ProRecord& o = pro_[old];
    auto rit = pro_by_rule_.find(o.rule_id);
    if (rit != pro_by_rule_.end() && rit->second.current == old) {
      SetRuleSlot(o.rule_id, Slot{rit->second.newest, kNoRecord});
    }
    std::string okey = TriggerScopeKey(o.trigger, o.scope);
    if (ProCurrentByTriggerScope(o.trigger, o.scope) == old) SetTriggerScope(okey, kNoRecord);
  }
  auto rit = pro_by_rule_.find(r.rule_id);
  uint32_t prev = rit == pro_by_rule_.end() ? kNoRecord : rit->second.newest;
  SetRuleSlot(r.rule_id, Slot{index, index});
  SetTriggerScope(TriggerScopeKey(r.trigger, r.scope), index);
  PushUndo([this] {
    pro_.pop_back();
    pro_prev_.pop_back();
  });
  pro_.push_back(r);
  pro_prev_.push_back(prev);
  return Status::OK();
}

Status MemoryState::ApplyInf(const InfRecord& r) {
  URD_RETURN_IF_ERROR(ClaimMemoryId(r.memory_id, MemoryKind::kInf, inf_.size()));
  auto index = static_cast<uint32_t>(inf_.size());
  uint32_t prev = Link(&inf_keys_, inf_, r, index);
  for (SymbolId parent : r.derived_from) {
    auto& list = derived_from_[parent];
    if (!list.empty() && list.back() == r.memory_id) continue;  // repeated parent
    list.push_back(r.memory_id);
    PushUndo([this, parent] {
      auto dit = derived_from_.find(parent);
      dit->second.pop_back();
      if (dit->second.empty()) derived_from_.erase(dit);
    });
  }
  PushUndo([this] {
    inf_.pop_back();
    inf_prev_.pop_back();
  });
  inf_.push_back(r);
  inf_prev_.push_back(prev);
  return Status::OK();
}

// Whether `target` is reachable from `from` along outgoing edges of any kind.
bool MemoryState::Reaches(SymbolId from, SymbolId target) const {
  std::vector<SymbolId> stack{from};
  std::unordered_set<SymbolId> seen{from};
  while (!stack.empty()) {
    SymbolId node = stack.back();
    stack.pop_back();
    if (node == target) return true;
    for (uint32_t e : EdgesOutOf(node)) {
      SymbolId next = edges_[e].to;
      if (seen.insert(next).second) stack.push_back(next);
    }
  }
  return false;
}

Status MemoryState::ApplyEdge(const EdgeRecord& r) {
  if (r.from == r.to) {
    return Status::Corruption("self edge " + RecordName(CanonicalRecord(r)));
  }
  if (Reaches(r.to, r.from)) {
    return Status::Corruption("supersession cycle: " + RecordName(CanonicalRecord(r)) +
                              " would close a cycle");
  }
  if (edges_.size() >= kNoRecord - 1) return Status::Corruption("memory state: too many edges");
  auto index = static_cast<uint32_t>(edges_.size());
  edges_.push_back(r);
  edges_out_[r.from].push_back(index);
  edges_in_[r.to].push_back(index);
  PushUndo([this, from = r.from, to = r.to] {
    edges_.pop_back();
    for (auto* map : {&edges_out_, &edges_in_}) {
      SymbolId id = map == &edges_out_ ? from : to;
      auto it = map->find(id);
      it->second.pop_back();
      if (it->second.empty()) map->erase(it);
    }
  });
  return Status::OK();
}

Status MemoryState::ApplySymbolEvent(const SymbolEventRecord& r) {
  SymbolTableCode code = SymbolTableCode::kOk;
  switch (r.kind) {
    case SymbolEventKind::kAlloc:
      code = symbols_.ReplayAllocate(r.symbol_id, r.name, r.symbol_kind);
      break;
    case SymbolEventKind::kAlias:
      code = symbols_.ReplayAlias(r.symbol_id, r.name);
      break;
    case SymbolEventKind::kRename:
      code = symbols_.ReplayRename(r.symbol_id, r.name);
      break;
    case SymbolEventKind::kRetire:
      code = symbols_.ReplayRetire(r.symbol_id);
      break;
    case SymbolEventKind::kUnretire:
      break;  // never emitted by mimir-core and ignored on replay (§6.4)
  }
  if (code != SymbolTableCode::kOk) {
    return Status::Corruption(RecordName(CanonicalRecord(r)) + " `" + r.name +
                              "` conflicts with the symbol table: " +
                              std::string(SymbolTableCodeName(code)));
  }
  if (r.kind == SymbolEventKind::kAlloc) {
    // Counters follow the highest __mem_N / __ep_N allocated (§6.4 step 5).
    auto follow = [&](std::string_view prefix, uint64_t* counter) {
      std::string_view name = r.name;
      if (name.substr(0, prefix.size()) != prefix || name.size() == prefix.size()) return;
      uint64_t n = 0;
      for (char c : name.substr(prefix.size())) {
        if (c < '0' || c > '9' || n > (UINT64_MAX - 9) / 10) return;
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      if (n + 1 > *counter) {
        PushUndo([counter, old = *counter] { *counter = old; });
        *counter = n + 1;
      }
    };
    follow("__mem_", &next_memory_counter_);
    follow("__ep_", &next_episode_counter_);
  }
  return Status::OK();
}

void MemoryState::ApplyFlag(const FlagRecord& r) {
  switch (r.kind) {
    case FlagKind::kPin:
      SetFlag(&pinned_, r.memory_id, true);
      break;
    case FlagKind::kUnpin:
      SetFlag(&pinned_, r.memory_id, false);
      break;
    case FlagKind::kAuthoritativeSet:
      SetFlag(&authoritative_, r.memory_id, true);
      break;
    case FlagKind::kAuthoritativeClear:
      SetFlag(&authoritative_, r.memory_id, false);
      break;
  }
}

// The registry entry of `id`, created (committed at `at`) if new: the first
// registration fixes the commit clock.
EpisodeInfo* MemoryState::EpisodeSlot(SymbolId id, ClockTime at) {
  auto it = episode_index_.find(id);
  if (it != episode_index_.end()) {
    size_t i = it->second;
    PushUndo([this, i, old = episodes_[i]] { episodes_[i] = old; });
    return &episodes_[i];
  }
  episode_index_[id] = episodes_.size();
  episodes_.push_back(EpisodeInfo{.id = id, .committed_at = at});
  PushUndo([this, id] {
    episodes_.pop_back();
    episode_index_.erase(id);
  });
  return &episodes_.back();
}

void MemoryState::ApplyCheckpoint(const CheckpointRecord& r) {
  EpisodeInfo* e = EpisodeSlot(r.episode_id, r.at);
  e->memory_count = r.memory_count;
}

void MemoryState::ApplyEpisodeMeta(const EpisodeMetaRecord& r) {
  EpisodeInfo* e = EpisodeSlot(r.episode_id, r.at);
  e->label = r.label;
  e->parent = r.parent;
  e->retracted = r.retracted;
}

// ---- Reads ----

std::optional<MemoryRef> MemoryState::Locate(SymbolId memory_id) const {
  if (memory_id >= memory_ref_.size() || memory_ref_[memory_id] == kNoRef) return std::nullopt;
  uint64_t packed = memory_ref_[memory_id];
  return MemoryRef{static_cast<MemoryKind>(packed >> 32), static_cast<uint32_t>(packed)};
}

std::optional<ClockTime> MemoryState::ValidAtOf(SymbolId memory_id) const {
  auto ref = Locate(memory_id);
  if (!ref) return std::nullopt;
  return Visit(*ref, [](const auto& r) -> ClockTime {
    if constexpr (std::is_same_v<std::decay_t<decltype(r)>, EpiRecord>) {
      return r.at_time;
    } else {
      return r.valid_at;
    }
  });
}

std::optional<ClockTime> MemoryState::CommittedAtOf(SymbolId memory_id) const {
  auto ref = Locate(memory_id);
  if (!ref) return std::nullopt;
  return Visit(*ref, [](const auto& r) { return r.committed_at; });
}

uint32_t MemoryState::SemNewest(SymbolId s, SymbolId p) const {
  return NewestOf(sem_keys_, sem_, s, p);
}

uint32_t MemoryState::InfNewest(SymbolId s, SymbolId p) const {
  return NewestOf(inf_keys_, inf_, s, p);
}

uint32_t MemoryState::SemNewestBySubject(SymbolId s) const {
  auto it = sem_by_subject_.find(s);
  return it == sem_by_subject_.end() ? kNoRecord : it->second;
}

uint32_t MemoryState::ProNewest(SymbolId rule_id) const {
  auto it = pro_by_rule_.find(rule_id);
  return it == pro_by_rule_.end() ? kNoRecord : it->second.newest;
}

void MemoryState::ForEachSemKey(const std::function<void(SymbolId, SymbolId, uint32_t)>& fn) const {
  sem_keys_.newest.ForEach([&](uint32_t i) { fn(sem_[i].s, sem_[i].p, i); });
}

void MemoryState::ForEachInfKey(const std::function<void(SymbolId, SymbolId, uint32_t)>& fn) const {
  inf_keys_.newest.ForEach([&](uint32_t i) { fn(inf_[i].s, inf_[i].p, i); });
}

void MemoryState::ForEachRule(const std::function<void(SymbolId, uint32_t)>& fn) const {
  for (const auto& [rule, slot] : pro_by_rule_) fn(rule, slot.newest);
}

uint32_t MemoryState::SemCurrent(SymbolId s, SymbolId p) const {
  uint32_t newest = SemNewest(s, p);
  return newest == kNoRecord ? kNoRecord : sem_keys_.current[newest];
}

uint32_t MemoryState::InfCurrent(SymbolId s, SymbolId p) const {
  uint32_t newest = InfNewest(s, p);
  return newest == kNoRecord ? kNoRecord : inf_keys_.current[newest];
}

uint32_t MemoryState::ProCurrentByRule(SymbolId rule_id) const {
  auto it = pro_by_rule_.find(rule_id);
  return it == pro_by_rule_.end() ? kNoRecord : it->second.current;
}

uint32_t MemoryState::ProCurrentByTriggerScope(const Value& trigger, SymbolId scope) const {
  auto it = pro_by_trigger_scope_.find(TriggerScopeKey(trigger, scope));
  return it == pro_by_trigger_scope_.end() ? kNoRecord : it->second;
}

const std::vector<uint32_t>& MemoryState::EdgesInto(SymbolId memory_id) const {
  auto it = edges_in_.find(memory_id);
  return it == edges_in_.end() ? EmptyIndexList() : it->second;
}

const std::vector<uint32_t>& MemoryState::EdgesOutOf(SymbolId memory_id) const {
  auto it = edges_out_.find(memory_id);
  return it == edges_out_.end() ? EmptyIndexList() : it->second;
}

bool MemoryState::IsSuperseded(SymbolId memory_id) const {
  for (uint32_t e : EdgesInto(memory_id)) {
    if (edges_[e].kind == EdgeKind::kSupersedes) return true;
  }
  return false;
}

const std::vector<SymbolId>& MemoryState::DerivedFrom(SymbolId parent) const {
  static const std::vector<SymbolId> empty;
  auto it = derived_from_.find(parent);
  return it == derived_from_.end() ? empty : it->second;
}

const EpisodeInfo* MemoryState::FindEpisode(SymbolId episode_id) const {
  auto it = episode_index_.find(episode_id);
  return it == episode_index_.end() ? nullptr : &episodes_[it->second];
}

uint64_t MemoryState::ApproxMemoryBytes() const {
  uint64_t bytes = sem_.capacity() * (sizeof(SemRecord) + 8) + epi_.capacity() * sizeof(EpiRecord) +
                   pro_.capacity() * (sizeof(ProRecord) + 4) +
                   inf_.capacity() * (sizeof(InfRecord) + 4) + edges_.capacity() * sizeof(EdgeRecord) +
                   memory_ref_.size() * 8;
  bytes += sem_keys_.newest.bytes() + inf_keys_.newest.bytes() +
           (sem_keys_.current.capacity() + inf_keys_.current.capacity()) * 4;
  bytes += sem_by_subject_.size() * 32 + sem_by_subject_.bucket_count() * 8;
  bytes += (edges_in_.size() + edges_out_.size()) * 64;
  return bytes;
}

}  // namespace urd::mem
