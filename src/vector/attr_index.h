// Copyright urd authors. AttrIndex: an inverted index from (attribute key, value) to
// the rows holding that value, used to plan Eq/In filters without a full scan.
//
// Thread-safety: thread-compatible. Const methods may run concurrently with each
// other; Add() and Clear() need exclusive access (the vector store holds its
// reader/writer lock around them). Const methods keep no caches.
//
// Rows are the store's physical row numbers. Every value is indexed as a whole,
// lists and floats included (a list is one value: Eq on a list finds the rows with
// an equal list; nothing finds rows by one element). NaN floats are not indexed
// (they equal nothing). The index never forgets a row: after a record is deleted
// or overwritten its old row still appears in posting lists until Clear() (the
// store rebuilds the index when it compacts), so callers check liveness.

#ifndef URD_VECTOR_ATTR_INDEX_H_
#define URD_VECTOR_ATTR_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "urd/filter.h"
#include "urd/value.h"

namespace urd::vec {

class AttrIndex {
 public:
  AttrIndex() = default;
  AttrIndex(const AttrIndex&) = delete;
  AttrIndex& operator=(const AttrIndex&) = delete;
  AttrIndex(AttrIndex&&) = default;
  AttrIndex& operator=(AttrIndex&&) = default;

  // Indexes the attributes of `row`. REQUIRES: rows are added in increasing order
  // (gaps allowed); a row added out of order is still placed correctly, at the
  // cost of an insertion into the middle of its posting lists.
  void Add(uint32_t row, const Attrs& attrs);

  // Forgets every row.
  void Clear();

  // Approximate heap bytes held (nodes, keys, values, posting lists).
  size_t memory_bytes() const;

  // One past the highest row passed to Add() (0 when empty).
  uint64_t row_limit() const { return row_limit_; }

  // The rows that can match `f`, when the index can narrow them: sorted ascending,
  // without duplicates, a superset of the matching rows (it may hold dead rows and
  // rows that fail parts of `f` the index cannot see; callers re-evaluate `f` on
  // each). nullopt when the index cannot narrow `f`, meaning "scan everything".
  //   Eq   its posting list (exact)
  //   In   the union of its values' lists (exact; empty set: no rows)
  //   And  the intersection of the children that can be narrowed; nullopt if none
  //   Or   the union of the children, if every child can be narrowed; else nullopt
  //   Not, Glob, Range, Exists, match-all: nullopt
  // A tree of only Eq, In, non-empty And and Or gives exactly the matching rows
  // (among those added).
  std::optional<std::vector<uint32_t>> Candidates(const Filter& f) const;

  // An upper bound on Candidates(f)->size() computed from posting-list sizes alone
  // (no list is materialised), capped at row_limit(); row_limit() when Candidates(f)
  // would be nullopt. For choosing between an index probe and a full scan.
  size_t EstimateCount(const Filter& f) const;

 private:
  using Postings = std::vector<uint32_t>;

  // The posting list of (key, v), or nullptr.
  const Postings* Find(const std::string& key, const Value& v) const;
  // EstimateCount() before the cap; nullopt where Candidates() would be.
  std::optional<size_t> Estimate(const Filter& f) const;

  std::map<std::string, std::map<Value, Postings>> index_;
  size_t bytes_ = 0;  // heap bytes held by index_, maintained by Add()
  uint64_t row_limit_ = 0;
};

}  // namespace urd::vec

#endif  // URD_VECTOR_ATTR_INDEX_H_
