// Copyright urd authors. MemoryStore reads: Query, History, Dump.

#include <algorithm>
#include <mutex>

#include "memory/memory_store_impl.h"
#include "memory/render.h"

namespace urd::mem {

namespace {

struct RefFields {
  SymbolId id = 0;
  ClockTime valid_at = 0, committed_at = 0;
  std::optional<ClockTime> invalid_at;
  uint16_t confidence = 0;
  bool projected = false, stale = false;
};

RefFields FieldsOf(const MemoryState& s, MemoryRef ref) {
  switch (ref.kind) {
    case MemoryKind::kSem: {
      const SemRecord& r = s.sem()[ref.index];
      return {r.memory_id, r.valid_at, r.committed_at, r.invalid_at, r.confidence.raw,
              r.projected, false};
    }
    case MemoryKind::kEpi: {
      const EpiRecord& r = s.epi()[ref.index];
      return {r.memory_id, r.at_time, r.committed_at, r.invalid_at, r.confidence.raw, false, false};
    }
    case MemoryKind::kPro: {
      const ProRecord& r = s.pro()[ref.index];
      return {r.memory_id, r.valid_at, r.committed_at, r.invalid_at, r.confidence.raw, false, false};
    }
    case MemoryKind::kInf: {
      const InfRecord& r = s.inf()[ref.index];
      return {r.memory_id, r.valid_at, r.committed_at, r.invalid_at, r.confidence.raw,
              r.projected, r.stale};
    }
  }
  return {};
}

std::string NameOf(const SymbolTable& t, SymbolId id) {
  const SymbolEntry* e = t.Find(id);
  return e == nullptr ? "#" + std::to_string(id) : e->canonical_name;
}

}  // namespace

CanonicalRecord MemoryStoreImpl::RecordAt(MemoryRef ref) const {
  return state_.Visit(ref, [](const auto& r) { return CanonicalRecord(r); });
}

MemoryHit MemoryStoreImpl::MakeHit(MemoryRef ref, uint16_t effective) const {
  const SymbolTable& t = state_.symbols();
  RefFields f = FieldsOf(state_, ref);
  MemoryHit hit;
  hit.memory_id = NameOf(t, f.id);
  hit.kind = std::string(MemoryKindName(ref.kind));
  hit.form = RenderForm(RecordAt(ref), t).value_or("");
  hit.confidence = f.confidence / 65535.0;
  hit.effective_confidence = effective / 65535.0;
  hit.valid_at = f.valid_at;
  hit.committed_at = f.committed_at;
  hit.invalid_at = f.invalid_at;
  hit.projected = f.projected;
  hit.stale = f.stale;
  hit.pinned = state_.IsPinned(f.id);
  hit.authoritative = state_.IsAuthoritative(f.id);
  for (uint32_t e : state_.EdgesInto(f.id)) {
    const EdgeRecord& edge = state_.edges()[e];
    if (edge.kind == EdgeKind::kSupersedes) hit.superseded_by.push_back(NameOf(t, edge.from));
  }
  return hit;
}

Result<QueryResult> MemoryStoreImpl::Query(std::string_view query_form) const {
  std::shared_lock lock(mu_);
  ReadResult rr;
  URD_RETURN_IF_ERROR(ExecuteQuery(state_, decay_, query_form, &rr));
  QueryResult out;
  out.flags = rr.flags;
  out.as_of = rr.as_of;
  out.as_committed = rr.as_committed;
  out.query_committed_at = rr.query_committed_at;
  for (const ReadRecord& r : rr.records) {
    out.records.push_back(MakeHit(r.ref, r.effective));
    if (rr.show_framing) out.records.back().framing = std::string(FramingName(r.framing));
  }
  for (const auto& [r, reason] : rr.filtered) {
    FilteredHit fh{MakeHit(r.ref, r.effective), std::string(FilterReasonName(reason))};
    if (rr.show_framing) fh.record.framing = std::string(FramingName(r.framing));
    out.filtered.push_back(std::move(fh));
  }
  return out;
}

// Hits for `refs`, oldest commit first (ties by memory id).
std::vector<MemoryHit> MemoryStoreImpl::HitsSorted(std::vector<MemoryRef> refs) const {
  auto key = [&](MemoryRef r) {
    RefFields f = FieldsOf(state_, r);
    return std::pair(f.committed_at, f.id);
  };
  std::sort(refs.begin(), refs.end(), [&](MemoryRef a, MemoryRef b) { return key(a) < key(b); });
  ClockTime now = state_.last_committed_at().value_or(0);
  std::vector<MemoryHit> hits;
  hits.reserve(refs.size());
  for (MemoryRef r : refs) hits.push_back(MakeHit(r, EffectiveConfidenceOf(state_, decay_, r, now)));
  return hits;
}

Result<std::vector<MemoryHit>> MemoryStoreImpl::History(std::string_view symbol) const {
  std::shared_lock lock(mu_);
  if (!symbol.empty() && symbol.front() == '@') symbol.remove_prefix(1);
  auto id = state_.symbols().Lookup(symbol);
  if (!id) return Status::NotFound("unknown symbol `@" + std::string(symbol) + "`");
  std::vector<MemoryRef> refs;
  for (uint32_t i = state_.SemNewestBySubject(*id); i != kNoRecord;
       i = state_.SemPrevSameSubject(i)) {
    refs.push_back({MemoryKind::kSem, i});
  }
  for (uint32_t i = state_.ProNewest(*id); i != kNoRecord; i = state_.ProPrev(i)) {
    refs.push_back({MemoryKind::kPro, i});
  }
  for (uint32_t i = 0; i < state_.inf().size(); ++i) {
    if (state_.inf()[i].s == *id) refs.push_back({MemoryKind::kInf, i});
  }
  for (uint32_t i = 0; i < state_.epi().size(); ++i) {
    if (state_.epi()[i].event_id == *id) refs.push_back({MemoryKind::kEpi, i});
  }
  if (auto self = state_.Locate(*id)) refs.push_back(*self);  // a memory id itself
  std::sort(refs.begin(), refs.end(), [](MemoryRef a, MemoryRef b) {
    return std::pair(a.kind, a.index) < std::pair(b.kind, b.index);
  });
  refs.erase(std::unique(refs.begin(), refs.end(),
                         [](MemoryRef a, MemoryRef b) {
                           return a.kind == b.kind && a.index == b.index;
                         }),
             refs.end());
  return HitsSorted(std::move(refs));
}

Result<std::vector<MemoryHit>> MemoryStoreImpl::Dump(std::string_view kind) const {
  std::shared_lock lock(mu_);
  static const std::pair<std::string_view, MemoryKind> kKinds[] = {
      {"sem", MemoryKind::kSem}, {"epi", MemoryKind::kEpi},
      {"pro", MemoryKind::kPro}, {"inf", MemoryKind::kInf}};
  bool known = kind.empty();
  std::vector<MemoryRef> refs;
  for (const auto& [name, k] : kKinds) {
    if (!kind.empty() && kind != name) continue;
    known = true;
    size_t n = k == MemoryKind::kSem   ? state_.sem().size()
               : k == MemoryKind::kEpi ? state_.epi().size()
               : k == MemoryKind::kPro ? state_.pro().size()
                                       : state_.inf().size();
    for (uint32_t i = 0; i < n; ++i) refs.push_back({k, i});
  }
  if (!known) {
    return Status::InvalidArgument("unknown memory kind `" + std::string(kind) +
                                   "` (sem, epi, pro, inf)");
  }
  return HitsSorted(std::move(refs));
}

}  // namespace urd::mem
