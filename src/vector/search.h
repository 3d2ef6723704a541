// Copyright urd authors. The scan engine: exact (and compressed + re-rank) top-k over
// a RowStore, restricted to collections in scope and rows matching a filter.
//
// Thread-safety: RunSearch only reads `rows` and `state`; the caller holds the
// store's read lock for the whole call. The pool is shared and thread-safe.

#ifndef URD_VECTOR_SEARCH_H_
#define URD_VECTOR_SEARCH_H_

#include <cstddef>
#include <vector>

#include "urd/result.h"
#include "urd/vector_store.h"
#include "vector/row_store.h"
#include "vector/store_state.h"
#include "vector/thread_pool.h"

namespace urd::vec {

// How a RunSearch call went (for tests, stats and explain output).
struct SearchStats {
  bool gathered = false;       // scored only the attribute index's candidate rows
  size_t parts = 0;            // parts the work was split into (1: the calling thread)
  uint64_t rows_examined = 0;  // rows (or candidate rows) the first pass went over,
                               // summed over the queries
};

struct SearchRequest {
  const float* queries = nullptr;  // nq rows of dimension floats, unit-normalised
  size_t nq = 0;
  // in_scope[slot] != 0 for the collection slots searched (size == state.slots()).
  const std::vector<char>* in_scope = nullptr;
  const SearchOptions* options = nullptr;  // filter already validated; top_k > 0
  int threads = 1;                         // >= 1
  SearchStats* stats = nullptr;            // filled in when not null
};

// Returns one hit list per query, best first, ties broken by (collection, id); each
// holds min(top_k, M) hits, M = live rows in scope matching the filter (and scoring
// >= min_score, if set). Exact mode returns the same hits and scores for any thread count and
// for a query alone or in a batch. Compressed modes return exact f32 scores of the
// best top_k among the top_k * rerank_factor best rows on the compressed copy
// (rerank_factor 0 counts as 1).
// `pool` may be null (everything runs on the caller).
// REQUIRES: the compressed copy for options->mode exists in `rows`.
std::vector<std::vector<Hit>> RunSearch(const RowStore& rows, const StoreState& state,
                                        const SearchRequest& request, ThreadPool* pool);

}  // namespace urd::vec

#endif  // URD_VECTOR_SEARCH_H_
