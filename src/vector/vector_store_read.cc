// Copyright urd authors. VectorStore: reads and search.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>

#include "vector/kernels.h"
#include "vector/search.h"
#include "vector/vector_store_impl.h"

namespace urd::vec {

bool VectorStoreImpl::HasCollection(const std::string& name) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gen_.state->Find(name) != nullptr;
}

std::vector<std::string> VectorStoreImpl::ListCollections() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, c] : gen_.state->collections()) out.push_back(name);
  return out;
}

Result<std::map<std::string, std::string>> VectorStoreImpl::GetMeta(const std::string& name) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  const CollectionState* c = gen_.state->Find(name);
  if (c == nullptr) return Status::NotFound("no collection '" + name + "'");
  return c->meta;
}

Result<VectorRecord> VectorStoreImpl::Get(const std::string& collection,
                                          const std::string& id) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  const CollectionState* c = gen_.state->Find(collection);
  if (c == nullptr) return Status::NotFound("no collection '" + collection + "'");
  auto it = c->rows_by_id.find(id);
  if (it == c->rows_by_id.end()) {
    return Status::NotFound("no record '" + id + "' in collection '" + collection + "'");
  }
  const float* v = gen_.rows->Row(it->second);
  return VectorRecord{id, std::vector<float>(v, v + dim_), gen_.state->row(it->second).attrs};
}

Result<size_t> VectorStoreImpl::CountRecords(const std::string& collection) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  const CollectionState* c = gen_.state->Find(collection);
  if (c == nullptr) return Status::NotFound("no collection '" + collection + "'");
  return c->rows_by_id.size();
}

Result<std::vector<VectorRecord>> VectorStoreImpl::GetAll(const std::string& collection) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  const CollectionState* c = gen_.state->Find(collection);
  if (c == nullptr) return Status::NotFound("no collection '" + collection + "'");
  std::vector<std::pair<std::string, uint32_t>> ids(c->rows_by_id.begin(), c->rows_by_id.end());
  std::sort(ids.begin(), ids.end());
  std::vector<VectorRecord> out;
  out.reserve(ids.size());
  for (const auto& [id, row] : ids) {
    const float* v = gen_.rows->Row(row);
    out.push_back(VectorRecord{id, std::vector<float>(v, v + dim_), gen_.state->row(row).attrs});
  }
  return out;
}

Footprint VectorStoreImpl::GetFootprint() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  Footprint f;
  f.rows = gen_.rows->rows();
  f.dead_rows = gen_.state->dead_rows();
  f.dimension = dim_;
  f.vector_bytes = f.rows * dim_ * 4;
  f.doc_count = gen_.state->doc_count();
  f.memory_bytes = gen_.rows->memory_bytes() + gen_.state->attr_index().memory_bytes();
  f.generation = gen_.number;
  if (!in_memory()) {
    for (const std::string& name :
         {CurrentFileName(), VectorsFileName(gen_.number), OpsFileName(gen_.number)}) {
      auto size = env_->GetFileSize(PathOf(name));
      if (size.ok()) f.file_bytes += *size;
    }
  }
  return f;
}

Status VectorStoreImpl::PrepareQueries(std::span<const float> queries,
                                       std::vector<float>* normalised) const {
  if (queries.empty() || queries.size() % dim_ != 0) {
    return Status::InvalidArgument("query has " + std::to_string(queries.size()) +
                                   " components; the store's dimension is " +
                                   std::to_string(dim_));
  }
  const size_t nq = queries.size() / dim_;
  normalised->assign(queries.begin(), queries.end());
  for (size_t j = 0; j < nq; j++) {
    std::string what = nq == 1 ? std::string("query") : "query " + std::to_string(j);
    URD_RETURN_IF_ERROR(ValidateVector(queries.subspan(j * dim_, dim_), dim_, what));
    if (!NormalizeInPlace(normalised->data() + j * dim_, dim_)) {
      return Status::InvalidArgument(what + " cannot be normalised");
    }
  }
  return Status::OK();
}

// REQUIRES: mu_ held (shared).
Status VectorStoreImpl::ResolveScope(const Scope& scope, std::vector<char>* in_scope) const {
  const StoreState& st = *gen_.state;
  in_scope->assign(st.slots(), 0);
  if (scope.all()) {
    for (size_t i = 0; i < st.slots(); i++) (*in_scope)[i] = st.BySlot(static_cast<int32_t>(i)) != nullptr;
    return Status::OK();
  }
  if (scope.names().empty()) return Status::InvalidArgument("search scope names no collection");
  for (const std::string& name : scope.names()) {
    const CollectionState* c = st.Find(name);
    if (c == nullptr) {
      return Status::InvalidArgument("unknown collection '" + name + "' in search scope");
    }
    (*in_scope)[c->index] = 1;
  }
  return Status::OK();
}

Result<std::vector<std::vector<Hit>>> VectorStoreImpl::SearchImpl(
    const Scope& scope, std::span<const float> queries, const SearchOptions& options) const {
  std::vector<float> q;
  URD_RETURN_IF_ERROR(PrepareQueries(queries, &q));
  URD_RETURN_IF_ERROR(options.filter.Validate());
  if (options.min_score && !std::isfinite(*options.min_score)) {
    return Status::InvalidArgument("min_score must be a finite number");
  }
  if (options.mode != ScanMode::kExact && options.rerank_factor == 0) {
    return Status::InvalidArgument("rerank_factor must be at least 1");
  }
  const size_t nq = q.size() / dim_;
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (options.mode == ScanMode::kInt8 && !gen_.rows->has_int8()) {
    return Status::InvalidArgument("int8 scan requested but the store keeps no int8 copy "
                                   "(open it with keep_int8)");
  }
  if (options.mode == ScanMode::kF16 && !gen_.rows->has_f16()) {
    return Status::InvalidArgument("f16 scan requested but the store keeps no f16 copy "
                                   "(open it with keep_f16)");
  }
  std::vector<char> in_scope;
  URD_RETURN_IF_ERROR(ResolveScope(scope, &in_scope));
  if (options.top_k == 0) return std::vector<std::vector<Hit>>(nq);
  SearchRequest req;
  req.queries = q.data();
  req.nq = nq;
  req.in_scope = &in_scope;
  req.options = &options;
  int threads = options.threads > 0 ? options.threads : options_.scan_threads;
  req.threads = threads > 0 ? threads : static_cast<int>(pool_->workers() + 1);
  try {
    return RunSearch(*gen_.rows, *gen_.state, req, pool_.get());
  } catch (const std::bad_alloc&) {
    return Status::IOError("out of memory during search");
  }
}

Result<std::vector<Hit>> VectorStoreImpl::Search(const Scope& scope, std::span<const float> query,
                                                 const SearchOptions& options) const {
  if (query.size() != dim_) {
    return Status::InvalidArgument("query has " + std::to_string(query.size()) +
                                   " components; the store's dimension is " +
                                   std::to_string(dim_));
  }
  URD_ASSIGN_OR_RETURN(auto all, SearchImpl(scope, query, options));
  return std::move(all[0]);
}

Result<std::vector<std::vector<Hit>>> VectorStoreImpl::SearchBatch(
    const Scope& scope, std::span<const float> queries, const SearchOptions& options) const {
  return SearchImpl(scope, queries, options);
}

}  // namespace urd::vec
