// Copyright urd authors.

#include "memory/resolver.h"

#include <algorithm>
#include <type_traits>
#include <unordered_set>

namespace urd::mem {

namespace {

template <typename Rec>
constexpr bool kKeyed = std::is_same_v<Rec, SemRecord> || std::is_same_v<Rec, InfRecord>;

// valid_at of a sem/pro/inf record (epi: at_time).
template <typename Rec>
ClockTime ValidOf(const Rec& r) {
  if constexpr (std::is_same_v<Rec, EpiRecord>) {
    return r.at_time;
  } else {
    return r.valid_at;
  }
}

std::pair<ClockTime, SymbolId> OrderKey(const MemoryState& s, MemoryRef r) {
  return s.Visit(r, [](const auto& rec) { return std::pair(rec.committed_at, rec.memory_id); });
}

}  // namespace

Candidates::Candidates(const MemoryState& state, const CandidateFilter& filter)
    : state_(state), f_(filter) {
  const bool sp = f_.s || f_.p;
  auto wanted = [&](MemoryKind k) { return !f_.kind || *f_.kind == k; };
  if (f_.s) {
    keyed_ = true;
    CollectBySubject();
    return;
  }
  for (MemoryKind k : {MemoryKind::kSem, MemoryKind::kEpi, MemoryKind::kPro, MemoryKind::kInf}) {
    bool keyed_kind = k == MemoryKind::kSem || k == MemoryKind::kInf;
    if (wanted(k) && (keyed_kind || !sp)) cursors_.push_back(Cursor{k});
  }
  for (Cursor& c : cursors_) Advance(&c);
}

// Where a record stops being valid (as seen at as_committed), nullopt if open.
std::optional<ClockTime> Candidates::EndOf(SymbolId id, ClockTime valid_at,
                                           std::optional<ClockTime> own) const {
  std::optional<ClockTime> end = own;
  for (uint32_t e : state_.EdgesInto(id)) {
    const EdgeRecord& edge = state_.edges()[e];
    if (edge.kind != EdgeKind::kSupersedes || edge.at > f_.as_committed) continue;
    auto from_valid = state_.ValidAtOf(edge.from);
    if (!from_valid || *from_valid <= valid_at) continue;  // retroactive: no closure (M1)
    if (!end || *from_valid < *end) end = from_valid;
  }
  return end;
}

bool Candidates::Authoritative(MemoryRef ref) const {
  return state_.Visit(ref, [&](const auto& r) {
    using Rec = std::decay_t<decltype(r)>;
    if constexpr (std::is_same_v<Rec, EpiRecord>) {
      return r.committed_at <= f_.as_committed && r.at_time <= f_.as_of;
    } else {
      if (r.committed_at > f_.as_committed || r.valid_at > f_.as_of) return false;
      auto end = EndOf(r.memory_id, r.valid_at, r.invalid_at);
      return !end || *end > f_.as_of;
    }
  });
}

// Whether no other authoritative record of the same key (rule) beats `ref`.
bool Candidates::IsAnswer(MemoryRef ref) const {
  return state_.Visit(ref, [&](const auto& r) {
    using Rec = std::decay_t<decltype(r)>;
    if constexpr (std::is_same_v<Rec, EpiRecord>) {
      return true;
    } else {
      uint32_t j = 0;
      if constexpr (std::is_same_v<Rec, SemRecord>) {
        j = state_.SemNewest(r.s, r.p);
      } else if constexpr (std::is_same_v<Rec, InfRecord>) {
        j = state_.InfNewest(r.s, r.p);
      } else {
        j = state_.ProNewest(r.rule_id);
      }
      for (; j != kNoRecord;) {
        MemoryRef other{ref.kind, j};
        uint32_t prev = ref.kind == MemoryKind::kSem   ? state_.SemPrev(j)
                        : ref.kind == MemoryKind::kInf ? state_.InfPrev(j)
                                                       : state_.ProPrev(j);
        if (j != ref.index && Authoritative(other)) {
          ClockTime v = state_.Visit(other, [](const auto& o) { return ValidOf(o); });
          if (v > r.valid_at || (v == r.valid_at && j > ref.index)) return false;
        }
        j = prev;
      }
      return true;
    }
  });
}

bool Candidates::Matches(MemoryRef ref) const {
  return state_.Visit(ref, [&](const auto& r) {
    if constexpr (kKeyed<std::decay_t<decltype(r)>>) {
      return (!f_.s || r.s == *f_.s) && (!f_.p || r.p == *f_.p);
    } else {
      return !f_.s && !f_.p;
    }
  });
}

bool Candidates::Qualifies(MemoryRef ref) const {
  if (!Matches(ref)) return false;
  auto [committed_at, id] = OrderKey(state_, ref);
  if (f_.commit_ok && !f_.commit_ok(committed_at)) return false;
  bool projected = state_.Visit(ref, [](const auto& r) {
    if constexpr (kKeyed<std::decay_t<decltype(r)>>) {
      return r.projected;
    } else {
      return false;
    }
  });
  if (f_.include_projected && projected && committed_at <= f_.as_committed) return true;
  return Authoritative(ref) && IsAnswer(ref);
}

void Candidates::Advance(Cursor* c) const {
  const size_t n = c->kind == MemoryKind::kSem   ? state_.sem().size()
                   : c->kind == MemoryKind::kEpi ? state_.epi().size()
                   : c->kind == MemoryKind::kPro ? state_.pro().size()
                                                 : state_.inf().size();
  c->has = false;
  while (c->next < n) {
    MemoryRef ref{c->kind, c->next++};
    if (Qualifies(ref)) {
      c->ref = ref;
      c->has = true;
      return;
    }
  }
}

// The answer of one key, walking its history from `newest`.
void Candidates::AddKey(MemoryKind kind, uint32_t newest) {
  for (uint32_t j = newest; j != kNoRecord;
       j = kind == MemoryKind::kSem ? state_.SemPrev(j) : state_.InfPrev(j)) {
    MemoryRef ref{kind, j};
    if (Authoritative(ref) && IsAnswer(ref)) {
      collected_.push_back(ref);
      return;
    }
  }
}

// A key's projected records (they bypass the resolver).
void Candidates::AddProjected(MemoryKind kind, uint32_t newest) {
  const bool sem = kind == MemoryKind::kSem;
  for (uint32_t j = newest; j != kNoRecord; j = sem ? state_.SemPrev(j) : state_.InfPrev(j)) {
    if (sem ? state_.sem()[j].projected : state_.inf()[j].projected) collected_.push_back({kind, j});
  }
}

// With a known subject the indexes give the few candidate keys directly.
void Candidates::CollectBySubject() {
  const SymbolId s = *f_.s;
  auto wanted = [&](MemoryKind k) { return !f_.kind || *f_.kind == k; };
  auto key = [&](MemoryKind kind, uint32_t newest) {
    AddKey(kind, newest);
    if (f_.include_projected) AddProjected(kind, newest);
  };
  if (f_.p) {  // one key per kind
    if (wanted(MemoryKind::kSem)) key(MemoryKind::kSem, state_.SemNewest(s, *f_.p));
    if (wanted(MemoryKind::kInf)) key(MemoryKind::kInf, state_.InfNewest(s, *f_.p));
  } else {
    if (wanted(MemoryKind::kSem)) {
      std::unordered_set<SymbolId> seen;
      for (uint32_t i = state_.SemNewestBySubject(s); i != kNoRecord;
           i = state_.SemPrevSameSubject(i)) {
        SymbolId p = state_.sem()[i].p;
        if (seen.insert(p).second) key(MemoryKind::kSem, state_.SemNewest(s, p));
      }
    }
    if (wanted(MemoryKind::kInf)) {
      for (uint32_t i = 0; i < state_.inf().size(); ++i) {
        const InfRecord& r = state_.inf()[i];
        if (r.s == s && state_.InfNewest(s, r.p) == i) key(MemoryKind::kInf, i);
      }
    }
  }
  if (collected_.size() <= 1) {
    if (!collected_.empty() && !Qualifies(collected_[0])) collected_.clear();
    return;
  }
  std::erase_if(collected_, [&](MemoryRef r) { return !Qualifies(r); });
  std::sort(collected_.begin(), collected_.end(), [&](MemoryRef a, MemoryRef b) {
    return OrderKey(state_, a) < OrderKey(state_, b);  // memory ids are unique
  });
  collected_.erase(std::unique(collected_.begin(), collected_.end(),
                               [](MemoryRef a, MemoryRef b) {
                                 return a.kind == b.kind && a.index == b.index;
                               }),
                   collected_.end());
}

bool Candidates::Next(MemoryRef* out) {
  if (keyed_) {
    if (pos_ >= collected_.size()) return false;
    *out = collected_[pos_++];
    return true;
  }
  Cursor* best = nullptr;
  for (Cursor& c : cursors_) {
    if (c.has && (best == nullptr || OrderKey(state_, c.ref) < OrderKey(state_, best->ref))) {
      best = &c;
    }
  }
  if (best == nullptr) return false;
  *out = best->ref;
  Advance(best);
  return true;
}

}  // namespace urd::mem
