// Copyright urd authors.
//
// How a search runs:
//   1. Plan. A selective filter (the attribute index estimates fewer than 1/16 of the
//      rows) whose candidate rows the index can list is answered by gathering just
//      those rows; anything else is a full scan of the RowStore, block by block, in
//      tiles of kTileRows rows scored by one kernel call into a stack buffer.
//   2. Score and collect. A row whose score reaches the collector's threshold is
//      then checked: live, collection in scope, would it enter the collector (a tie
//      with the worst member is settled on collection and id), filter. So the
//      filter, the expensive part, only runs for rows that would enter the top-k.
//      min_score is the collector's floor.
//   3. Threads. The blocks (or the candidate list) are cut into request.threads
//      contiguous parts, one collector per part, run on the pool and merged. Small
//      jobs run as one part: handing work to threads costs more than it saves.
//   4. Batches in exact mode on the full-scan path score each tile for all queries
//      with scan_f32_batch while it is in cache, one collector per (part, query);
//      otherwise queries are answered one after another.
//   5. Compressed modes (kInt8, kF16) collect the best top_k * rerank_factor rows
//      on the compressed copy (same row checks, no min_score, ties by row number),
//      score those exactly with dot_f32 and keep the top_k under the contract's
//      order, min_score applied to the exact score.

#include "vector/search.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <utility>

#include "vector/kernels.h"
#include "vector/topk.h"

namespace urd::vec {

namespace {

constexpr size_t kTileRows = 256;             // rows per kernel call (divides kBlockRows)
constexpr size_t kBatchQueries = 32;          // queries per scan_f32_batch call
constexpr uint64_t kMinParallelWork = 32768;  // row scores; below this, one part
constexpr uint64_t kGatherFraction = 16;      // gather when estimate < rows / this

static_assert(kBlockRows % kTileRows == 0, "tiles must not straddle blocks");

using ExactTop = TopK<ByNameOrder>;
using ApproxTop = TopK<ByRowOrder>;

// One query in the forms the scan mode needs.
struct Query {
  const float* f32 = nullptr;
  std::vector<int8_t> i8;  // kInt8: quantised, zero padded to stride_i8()
  float i8_scale = 0;
};

// Everything the parts of one search share (read-only).
struct Context {
  const RowStore& rows;
  const StoreState& state;
  const std::vector<char>& in_scope;
  const SearchOptions& options;
  const Kernels& kernels;
  size_t dim;
  uint64_t n;  // rows that can be live: min(rows.rows(), state.rows_referenced())
  std::optional<std::vector<uint32_t>> gather;  // candidate rows, when gathering

  // Cheap checks: the row is live and its collection is in scope.
  bool InScope(uint64_t r) const {
    if (r >= n || !state.live(static_cast<uint32_t>(r))) return false;
    return in_scope[state.row(static_cast<uint32_t>(r)).collection] != 0;
  }
  bool MatchesFilter(uint64_t r) const {
    return options.filter.matches_all() ||
           options.filter.Matches(state.row(static_cast<uint32_t>(r)).attrs);
  }

  // First-pass score of one row under the scan mode.
  float ScoreOne(const Query& q, uint64_t r) const;
  // First-pass scores of rows [start, start + count), all in one block.
  void ScoreTile(const Query& q, uint64_t start, size_t count, float* out) const;
};

float Context::ScoreOne(const Query& q, uint64_t r) const {
  float s = 0;
  switch (options.mode) {
    case ScanMode::kExact:
      return kernels.dot_f32(q.f32, rows.Row(r), dim);
    case ScanMode::kF16:
      kernels.scan_f16(q.f32, rows.RowF16(r), rows.stride_f16(), 1, dim, &s);
      return s;
    case ScanMode::kInt8: {
      int32_t dot = 0;
      kernels.scan_i8(q.i8.data(), rows.RowInt8(r), rows.stride_i8(), 1, dim, &dot);
      return static_cast<float>(dot) * q.i8_scale * rows.ScaleInt8(r);
    }
  }
  return s;
}

void Context::ScoreTile(const Query& q, uint64_t start, size_t count, float* out) const {
  switch (options.mode) {
    case ScanMode::kExact:
      kernels.scan_f32(q.f32, rows.Row(start), rows.stride(), count, dim, out);
      return;
    case ScanMode::kF16:
      kernels.scan_f16(q.f32, rows.RowF16(start), rows.stride_f16(), count, dim, out);
      return;
    case ScanMode::kInt8: {
      int32_t dots[kTileRows];
      kernels.scan_i8(q.i8.data(), rows.RowInt8(start), rows.stride_i8(), count, dim, dots);
      for (size_t i = 0; i < count; ++i) {
        out[i] = static_cast<float>(dots[i]) * q.i8_scale * rows.ScaleInt8(start + i);
      }
      return;
    }
  }
}

// Calls fn(start, count) for the tiles of rows [lo, hi); no tile crosses a block.
template <typename Fn>
void ForEachTile(uint64_t lo, uint64_t hi, Fn&& fn) {
  while (lo < hi) {
    const uint64_t count = std::min<uint64_t>(kTileRows - lo % kTileRows, hi - lo);
    fn(lo, static_cast<size_t>(count));
    lo += count;
  }
}

// Offers the scores of one tile to a collector. `checked` caches the row checks
// across the queries of a batch: -1 not yet checked, 0 rejected, 1 live and in
// scope (filter not yet run), 2 admitted.
template <typename Collector>
void OfferTile(const Context& c, const float* scores, uint64_t start, size_t count, int8_t* checked,
               Collector* top) {
  for (size_t i = 0; i < count; ++i) {
    const float s = scores[i];
    if (s < top->threshold()) continue;
    int8_t& state = checked[i];
    if (state < 0) state = c.InScope(start + i) ? 1 : 0;
    if (state == 0) continue;
    const uint32_t r = static_cast<uint32_t>(start + i);
    if (!top->Accepts(s, r)) continue;  // lost a tie at the threshold
    if (state == 1) state = c.MatchesFilter(r) ? 2 : 0;
    if (state == 2) top->Push(s, r);
  }
}

template <typename Collector>
void ScanRange(const Context& c, const Query& q, uint64_t lo, uint64_t hi, Collector* top) {
  float scores[kTileRows];
  int8_t checked[kTileRows];
  ForEachTile(lo, hi, [&](uint64_t start, size_t count) {
    c.ScoreTile(q, start, count, scores);
    std::memset(checked, -1, count);
    OfferTile(c, scores, start, count, checked, top);
  });
}

template <typename Collector>
void GatherRange(const Context& c, const Query& q, const uint32_t* begin, const uint32_t* end,
                 Collector* top) {
  for (const uint32_t* it = begin; it != end; ++it) {
    const uint32_t r = *it;
    if (!c.InScope(r)) continue;
    const float s = c.ScoreOne(q, r);
    if (!top->Accepts(s, r) || !c.MatchesFilter(r)) continue;
    top->Push(s, r);
  }
}

// The work is split into `parts` contiguous parts: candidate-list entries when
// gathering, whole blocks otherwise.
size_t CountParts(const Context& c, size_t nq, int threads, ThreadPool* pool) {
  if (pool == nullptr || threads <= 1) return 1;
  const uint64_t units = c.gather ? c.gather->size() : (c.n + kBlockRows - 1) / kBlockRows;
  const uint64_t work = (c.gather ? c.gather->size() : c.n) * nq;
  if (work < kMinParallelWork || units < 2) return 1;
  return static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(threads), units));
}

// [first, last) of part p of `parts` over `units` units.
std::pair<uint64_t, uint64_t> PartBounds(uint64_t units, size_t parts, size_t p) {
  return {units * p / parts, units * (p + 1) / parts};
}

// Runs body(p) for p in [0, parts), on the pool when there is more than one.
void RunParts(size_t parts, ThreadPool* pool, const std::function<void(size_t)>& body) {
  if (parts == 1) {
    body(0);
  } else {
    pool->ParallelFor(parts, body);
  }
}

// Collects the best rows for one query into `top`, using `parts` parts.
template <typename Collector>
void CollectOne(const Context& c, const Query& q, size_t parts, ThreadPool* pool, Collector* top) {
  std::vector<Collector> locals(parts, *top);
  RunParts(parts, pool, [&](size_t p) {
    if (c.gather) {
      auto [first, last] = PartBounds(c.gather->size(), parts, p);
      GatherRange(c, q, c.gather->data() + first, c.gather->data() + last, &locals[p]);
    } else {
      auto [first, last] = PartBounds((c.n + kBlockRows - 1) / kBlockRows, parts, p);
      ScanRange(c, q, first * kBlockRows, std::min(last * kBlockRows, c.n), &locals[p]);
    }
  });
  *top = std::move(locals[0]);
  for (size_t p = 1; p < parts; ++p) top->Merge(locals[p]);
}

Hit MakeHit(const StoreState& state, const Candidate& cand) {
  const RowInfo& info = state.row(cand.row);
  return Hit{state.BySlot(info.collection)->name, info.id, cand.score, info.attrs};
}

std::vector<Hit> MakeHits(const StoreState& state, std::vector<Candidate> best) {
  std::vector<Hit> hits;
  hits.reserve(best.size());
  for (const Candidate& cand : best) hits.push_back(MakeHit(state, cand));
  return hits;
}

size_t SaturatingMul(size_t a, size_t b) {
  if (a != 0 && b > std::numeric_limits<size_t>::max() / a) {
    return std::numeric_limits<size_t>::max();
  }
  return a * b;
}

ExactTop NewExactTop(const Context& c) {
  const float floor =
      c.options.min_score ? *c.options.min_score : -std::numeric_limits<float>::infinity();
  const size_t k = static_cast<size_t>(std::min<uint64_t>(c.options.top_k, c.n));
  return ExactTop(k, ByNameOrder(c.state), floor);
}

Query PrepareQuery(const Context& c, const float* q) {
  Query query;
  query.f32 = q;
  if (c.options.mode == ScanMode::kInt8) {
    query.i8.assign(std::max(c.rows.stride_i8(), c.dim), 0);
    query.i8_scale = QuantizeInt8(q, c.dim, query.i8.data());
  }
  return query;
}

// One query, any mode, any plan.
std::vector<Hit> SearchOne(const Context& c, const float* q, size_t parts, ThreadPool* pool) {
  const Query query = PrepareQuery(c, q);
  ExactTop exact = NewExactTop(c);
  if (c.options.mode == ScanMode::kExact) {
    CollectOne(c, query, parts, pool, &exact);
    return MakeHits(c.state, exact.Take());
  }
  const size_t wide = std::max<size_t>(c.options.rerank_factor, 1);
  ApproxTop approx(
      static_cast<size_t>(std::min<uint64_t>(SaturatingMul(c.options.top_k, wide), c.n)));
  CollectOne(c, query, parts, pool, &approx);
  for (const Candidate& cand : approx.Take()) {
    exact.Push(c.kernels.dot_f32(q, c.rows.Row(cand.row), c.dim), cand.row);
  }
  return MakeHits(c.state, exact.Take());
}

// Exact mode, full scan, nq queries: each tile is scored for every query while it
// is in cache. tops[j] collects query j of this part.
void BatchScanRange(const Context& c, const float* queries, size_t nq, uint64_t lo, uint64_t hi,
                    std::vector<ExactTop>* tops) {
  const size_t chunk = std::min(nq, kBatchQueries);
  std::vector<float> scores(chunk * kTileRows);
  int8_t checked[kTileRows];
  ForEachTile(lo, hi, [&](uint64_t start, size_t count) {
    std::memset(checked, -1, count);
    const float* tile = c.rows.Row(start);
    for (size_t j0 = 0; j0 < nq; j0 += chunk) {
      const size_t m = std::min(chunk, nq - j0);
      c.kernels.scan_f32_batch(queries + j0 * c.dim, m, tile, c.rows.stride(), count, c.dim,
                               scores.data());
      for (size_t j = 0; j < m; ++j) {
        OfferTile(c, scores.data() + j * count, start, count, checked, &(*tops)[j0 + j]);
      }
    }
  });
}

std::vector<std::vector<Hit>> BatchScan(const Context& c, const float* queries, size_t nq,
                                        size_t parts, ThreadPool* pool) {
  const uint64_t blocks = (c.n + kBlockRows - 1) / kBlockRows;
  std::vector<std::vector<ExactTop>> locals(parts, std::vector<ExactTop>(nq, NewExactTop(c)));
  RunParts(parts, pool, [&](size_t p) {
    auto [first, last] = PartBounds(blocks, parts, p);
    BatchScanRange(c, queries, nq, first * kBlockRows, std::min(last * kBlockRows, c.n),
                   &locals[p]);
  });
  std::vector<std::vector<Hit>> results(nq);
  for (size_t j = 0; j < nq; ++j) {
    for (size_t p = 1; p < parts; ++p) locals[0][j].Merge(locals[p][j]);
    results[j] = MakeHits(c.state, locals[0][j].Take());
  }
  return results;
}

// Lists the candidate rows of a selective filter, or nullopt for a full scan.
std::optional<std::vector<uint32_t>> PlanGather(const StoreState& state, const Filter& filter,
                                                uint64_t n) {
  if (filter.matches_all() || n == 0) return std::nullopt;
  const AttrIndex& index = state.attr_index();
  if (index.EstimateCount(filter) >= n / kGatherFraction) return std::nullopt;
  return index.Candidates(filter);
}

}  // namespace

std::vector<std::vector<Hit>> RunSearch(const RowStore& rows, const StoreState& state,
                                        const SearchRequest& request, ThreadPool* pool) {
  const SearchOptions& options = *request.options;
  Context c{rows,
            state,
            *request.in_scope,
            options,
            GetKernels(),
            rows.dimension(),
            std::min<uint64_t>(rows.rows(), state.rows_referenced()),
            std::nullopt};
  std::vector<std::vector<Hit>> results(request.nq);
  if (options.top_k == 0 || c.n == 0) return results;
  c.gather = PlanGather(state, options.filter, c.n);
  const size_t nq = request.nq;
  const bool batch = nq > 1 && options.mode == ScanMode::kExact && !c.gather;
  const size_t parts = CountParts(c, batch ? nq : 1, request.threads, pool);
  if (request.stats != nullptr) {
    request.stats->gathered = c.gather.has_value();
    request.stats->parts = parts;
    request.stats->rows_examined = (c.gather ? c.gather->size() : c.n) * nq;
  }
  if (batch) return BatchScan(c, request.queries, nq, parts, pool);
  for (size_t j = 0; j < nq; ++j) {
    results[j] = SearchOne(c, request.queries + j * c.dim, parts, pool);
  }
  return results;
}

}  // namespace urd::vec
