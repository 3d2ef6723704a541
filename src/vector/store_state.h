// Copyright urd authors. StoreState: the logical contents of a vector store —
// collections, which row each live record points at, attributes and the attribute
// index — built by applying operations (docs/format.md §3.3) in log order.
//
// Thread-safety: thread-compatible; the store guards it with its reader/writer lock.

#ifndef URD_VECTOR_STORE_STATE_H_
#define URD_VECTOR_STORE_STATE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "urd/value.h"
#include "vector/attr_index.h"
#include "vector/vector_format.h"

namespace urd::vec {

inline constexpr int32_t kNoCollection = -1;

struct CollectionState {
  int32_t index = 0;  // stable slot number while the collection exists
  std::string name;
  std::map<std::string, std::string> meta;
  std::unordered_map<std::string, uint32_t> rows_by_id;  // live records
};

// What a live row belongs to. Dead and orphan rows have collection == kNoCollection.
struct RowInfo {
  int32_t collection = kNoCollection;
  std::string id;
  Attrs attrs;
};

class StoreState {
 public:
  // Applies one operation. UPSERT rows must be given in increasing order of first
  // use; `rows_available` bounds them (Corruption if an op references a row beyond).
  Status Apply(const VectorOp& op, uint64_t rows_available);

  // Capacity hint before a replay of up to `rows` upserts: the first collection
  // created afterwards reserves its id map for them (most stores hold one).
  void ReserveRows(uint64_t rows) {
    rows_.reserve(rows);
    reserve_hint_ = rows;
  }

  const CollectionState* Find(const std::string& name) const;
  // Sorted by name.
  const std::map<std::string, std::unique_ptr<CollectionState>>& collections() const {
    return collections_;
  }
  // Slot -> collection (nullptr for a dropped slot).
  const CollectionState* BySlot(int32_t slot) const { return slots_[slot]; }
  size_t slots() const { return slots_.size(); }

  const RowInfo& row(uint32_t r) const { return rows_[r]; }
  bool live(uint32_t r) const { return r < rows_.size() && rows_[r].collection >= 0; }
  // One past the highest row any UPSERT referenced.
  uint64_t rows_referenced() const { return rows_.size(); }
  uint64_t dead_rows() const { return dead_rows_; }
  uint64_t doc_count() const { return docs_; }
  const AttrIndex& attr_index() const { return index_; }

 private:
  CollectionState* Ensure(const std::string& name);
  void Kill(uint32_t row);
  void Drop(const std::string& name);

  std::map<std::string, std::unique_ptr<CollectionState>> collections_;
  std::vector<CollectionState*> slots_;
  std::vector<RowInfo> rows_;
  uint64_t dead_rows_ = 0;
  uint64_t docs_ = 0;
  uint64_t reserve_hint_ = 0;
  AttrIndex index_;
};

}  // namespace urd::vec

#endif  // URD_VECTOR_STORE_STATE_H_
