// Copyright urd authors. Workspace::Recall: embed, scan, BM25, filter, fuse.

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "memory/query.h"
#include "memory/render.h"
#include "recall/memory_text.h"
#include "recall/workspace_impl.h"

namespace urd::recall {

namespace {

// Each leg returns this many candidates (before fusion) per requested hit.
constexpr size_t kPoolFactor = 5;
constexpr size_t kMinPool = 50;

struct Candidate {
  mem::MemoryRef ref;
  RecallHit hit;
};

// The symbolic filters of RecallOptions, resolved against the state once.
class RecallFilter {
 public:
  RecallFilter(const mem::MemoryState& st, const mem::DecayConfig& decay, const RecallOptions& o)
      : st_(st), decay_(decay), o_(o), now_(st.last_committed_at().value_or(0)) {
    auto id = [&](const std::optional<std::string>& name) -> std::optional<mem::SymbolId> {
      if (!name) return std::nullopt;
      std::string_view n = *name;
      if (!n.empty() && n.front() == '@') n.remove_prefix(1);
      auto found = st.symbols().Lookup(n);
      unknown_ = unknown_ || !found;
      return found.value_or(0);
    };
    subject_ = id(o.subject);
    predicate_ = id(o.predicate);
    source_ = id(o.source);
  }

  // The memory with this id if it passes every filter.
  std::optional<mem::MemoryRef> Pass(mem::SymbolId memory_id) const {
    if (unknown_) return std::nullopt;
    auto ref = st_.Locate(memory_id);
    if (!ref) return std::nullopt;
    if (o_.kind && mem::MemoryKindName(ref->kind) != *o_.kind) return std::nullopt;
    if (!o_.include_superseded && st_.IsSuperseded(memory_id)) return std::nullopt;
    bool ok = st_.Visit(*ref, [&](const auto& r) { return Fields(r); });
    if (!ok) return std::nullopt;
    if (o_.min_confidence > 0 && Confidence(*ref) < o_.min_confidence) return std::nullopt;
    return ref;
  }

  double Confidence(mem::MemoryRef ref) const {
    return mem::EffectiveConfidenceOf(st_, decay_, ref, now_) / 65535.0;
  }

  double Recency(mem::MemoryRef ref) const {
    uint64_t at = st_.Visit(ref, [](const auto& r) { return r.committed_at; });
    double age_days = static_cast<double>(now_ > at ? now_ - at : 0) / 86'400'000.0;
    return std::exp2(-age_days / std::max(o_.recency_half_life_days, 1e-9));
  }

 private:
  template <typename Rec>
  bool Fields(const Rec& r) const {
    using mem::EpiRecord, mem::ProRecord, mem::SemRecord, mem::InfRecord;
    if constexpr (std::is_same_v<Rec, SemRecord> || std::is_same_v<Rec, InfRecord>) {
      if (subject_ && r.s != *subject_) return false;
      if (predicate_ && r.p != *predicate_) return false;
    } else if constexpr (std::is_same_v<Rec, EpiRecord>) {
      if (predicate_) return false;
      if (subject_ && std::find(r.participants.begin(), r.participants.end(), *subject_) ==
                          r.participants.end()) {
        return false;
      }
    } else {
      if (subject_ || predicate_) return false;
    }
    if constexpr (!std::is_same_v<Rec, InfRecord>) {
      if (source_ && r.source != *source_) return false;
    } else {
      if (source_) return false;
    }
    if (o_.as_of) {
      uint64_t valid = 0;
      if constexpr (std::is_same_v<Rec, EpiRecord>) {
        valid = r.at_time;
      } else {
        valid = r.valid_at;
      }
      if (valid > *o_.as_of || r.committed_at > *o_.as_of) return false;
      if (r.invalid_at && *r.invalid_at <= *o_.as_of) return false;
    }
    return true;
  }

  const mem::MemoryState& st_;
  const mem::DecayConfig& decay_;
  const RecallOptions& o_;
  uint64_t now_;
  bool unknown_ = false;
  std::optional<mem::SymbolId> subject_, predicate_, source_;
};

std::string Why(const RecallHit::Legs& l) {
  char buf[160];
  std::string why;
  if (l.vector_rank) {
    std::snprintf(buf, sizeof buf, "vector #%zu (%.3f)", *l.vector_rank, l.vector_score);
    why += buf;
  }
  if (l.bm25_rank) {
    std::snprintf(buf, sizeof buf, "%sbm25 #%zu (%.2f)", why.empty() ? "" : ", ", *l.bm25_rank,
                  l.bm25_score);
    why += buf;
  }
  std::snprintf(buf, sizeof buf, ", confidence %.2f, recency %.2f", l.confidence, l.recency);
  return why + buf;
}

Status CheckRecall(const RecallOptions& o) {
  if (o.k == 0 || o.k > 10000) return Status::InvalidArgument("recall: k must be in 1..10000");
  if (o.kind && *o.kind != "sem" && *o.kind != "epi" && *o.kind != "pro" && *o.kind != "inf") {
    return Status::InvalidArgument("recall: kind `" + *o.kind + "` is not sem, epi, pro or inf");
  }
  if (!(o.rrf_k > 0) || !(o.confidence_weight >= 0 && o.confidence_weight <= 1) ||
      !(o.recency_weight >= 0 && o.recency_weight <= 1)) {
    return Status::InvalidArgument("recall: rrf_k must be > 0, weights in [0, 1]");
  }
  return Status::OK();
}

}  // namespace

size_t WorkspaceImpl::PassingCount(const std::vector<Hit>& hits, const RecallOptions& o) const {
  size_t n = 0;
  mem_->WithState([&](const mem::MemoryState& st, const mem::DecayConfig& decay) {
    RecallFilter filter(st, decay, o);
    for (const Hit& h : hits) {
      auto id = st.symbols().Lookup(h.id);
      if (id && filter.Pass(*id)) ++n;
    }
  });
  return n;
}

Result<std::vector<RecallHit>> WorkspaceImpl::Recall(std::string_view query,
                                                     const RecallOptions& o) {
  URD_RETURN_IF_ERROR(CheckRecall(o));
  if (query.find_first_not_of(" \t\r\n") == std::string_view::npos && !o.vector) {
    return Status::InvalidArgument("recall: empty query");
  }
  URD_RETURN_IF_ERROR(Refresh());
  std::vector<float> qv;
  if (o.vector) {
    qv = *o.vector;
  } else {
    std::vector<std::vector<float>> out;
    URD_RETURN_IF_ERROR(embedder_->Embed(std::vector<std::string>{std::string(query)}, &out));
    qv = std::move(out[0]);
  }
  const size_t pool = std::max(kMinPool, o.k * kPoolFactor);
  // The symbolic filters apply after the scan: widen the scan until `pool` hits
  // pass them or the collection is exhausted.
  SearchOptions so;
  so.top_k = pool * 4;
  std::vector<Hit> vhits;
  for (;;) {
    URD_ASSIGN_OR_RETURN(vhits, vectors_->Search(Scope::Collection(kMemoriesCollection), qv, so));
    const bool filtered = o.kind || o.subject || o.predicate || o.source || o.as_of ||
                          o.min_confidence > 0 || !o.include_superseded;
    if (vhits.size() < so.top_k || !filtered || PassingCount(vhits, o) >= pool) break;
    so.top_k *= 4;
  }
  std::lock_guard lock(mu_);
  std::vector<RecallHit> hits;
  mem_->WithState([&](const mem::MemoryState& st, const mem::DecayConfig& decay) {
    RecallFilter filter(st, decay, o);
    std::unordered_map<mem::SymbolId, Candidate> cands;
    std::vector<Candidate> ranked;
    size_t rank = 0;
    for (const Hit& h : vhits) {
      auto id = st.symbols().Lookup(h.id);
      if (!id || rank >= pool) continue;
      auto ref = filter.Pass(*id);
      if (!ref) continue;
      Candidate& c = cands[*id];
      c.ref = *ref;
      c.hit.legs.vector_rank = ++rank;
      c.hit.legs.vector_score = h.score;
      for (const auto& [k, v] : h.attrs) {
        if (v.is_string()) c.hit.attrs[k] = v.as_string();
      }
    }
    auto bm = text_.Search(query, pool, [&](uint64_t id) { return filter.Pass(id).has_value(); });
    for (size_t i = 0; i < bm.size(); ++i) {
      Candidate& c = cands[bm[i].doc_id];
      c.ref = *st.Locate(bm[i].doc_id);
      c.hit.legs.bm25_rank = i + 1;
      c.hit.legs.bm25_score = bm[i].score;
    }
    const double max_bm = bm.empty() ? 1.0 : std::max(bm[0].score, 1e-12);
    for (auto& [id, c] : cands) {
      RecallHit::Legs& l = c.hit.legs;
      if (o.fusion == RecallOptions::Fusion::kRrf) {
        l.fused = (l.vector_rank ? 1.0 / (o.rrf_k + *l.vector_rank) : 0) +
                  (l.bm25_rank ? 1.0 / (o.rrf_k + *l.bm25_rank) : 0);
      } else {
        l.fused = o.vector_weight * (l.vector_rank ? std::max(0.0, l.vector_score) : 0) +
                  o.bm25_weight * (l.bm25_rank ? l.bm25_score / max_bm : 0);
      }
      l.confidence = filter.Confidence(c.ref);
      l.recency = filter.Recency(c.ref);
      c.hit.score = l.fused * (1 - o.confidence_weight + o.confidence_weight * l.confidence) *
                    (1 - o.recency_weight + o.recency_weight * l.recency);
      c.hit.memory_id = st.symbols().Find(id)->canonical_name;
      c.hit.kind = std::string(mem::MemoryKindName(c.ref.kind));
      ranked.push_back(std::move(c));
    }
    std::sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) {
      if (a.hit.score != b.hit.score) return a.hit.score > b.hit.score;
      const std::string& x = a.hit.memory_id;
      const std::string& y = b.hit.memory_id;
      return x.size() != y.size() ? x.size() < y.size() : x < y;  // "__mem_N": numeric order
    });
    if (ranked.size() > o.k) ranked.resize(o.k);
    for (Candidate& c : ranked) {  // only the hits returned are rendered
      c.hit.text = MemoryText(st, c.ref).value_or("");
      c.hit.form = mem::RenderForm(st.Visit(c.ref, [](const auto& r) {
                                     return mem::CanonicalRecord(r);
                                   }),
                                   st.symbols())
                       .value_or("");
      c.hit.why = Why(c.hit.legs);
      hits.push_back(std::move(c.hit));
    }
  });
  for (RecallHit& h : hits) {  // hits found by BM25 alone: their attributes
    if (h.legs.vector_rank) continue;
    auto rec = vectors_->Get(kMemoriesCollection, h.memory_id);
    if (!rec.ok()) continue;
    for (const auto& [k, v] : rec->attrs) {
      if (v.is_string()) h.attrs[k] = v.as_string();
    }
  }
  return hits;
}

}  // namespace urd::recall
