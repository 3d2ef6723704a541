// Copyright urd authors.

#include "vector/store_state.h"

namespace urd::vec {

const CollectionState* StoreState::Find(const std::string& name) const {
  auto it = collections_.find(name);
  return it == collections_.end() ? nullptr : it->second.get();
}

CollectionState* StoreState::Ensure(const std::string& name) {
  auto it = collections_.find(name);
  if (it != collections_.end()) return it->second.get();
  auto c = std::make_unique<CollectionState>();
  c->index = static_cast<int32_t>(slots_.size());
  c->name = name;
  if (reserve_hint_ > 0) {
    c->rows_by_id.reserve(reserve_hint_);
    reserve_hint_ = 0;
  }
  slots_.push_back(c.get());
  return collections_.emplace(name, std::move(c)).first->second.get();
}

void StoreState::Kill(uint32_t row) {
  RowInfo& info = rows_[row];
  info.collection = kNoCollection;
  std::string().swap(info.id);
  Attrs().swap(info.attrs);
  dead_rows_++;
  docs_--;
}

void StoreState::Drop(const std::string& name) {
  auto it = collections_.find(name);
  if (it == collections_.end()) return;
  for (const auto& [id, row] : it->second->rows_by_id) Kill(row);
  slots_[it->second->index] = nullptr;
  collections_.erase(it);
}

Status StoreState::Apply(const VectorOp& op, uint64_t rows_available) {
  switch (op.type) {
    case OpType::kCreateCollection:
      Ensure(op.collection);
      return Status::OK();
    case OpType::kDropCollection:
      Drop(op.collection);
      return Status::OK();
    case OpType::kSetMeta:
      Ensure(op.collection)->meta = op.meta;
      return Status::OK();
    case OpType::kDelete: {
      auto it = collections_.find(op.collection);
      if (it == collections_.end()) return Status::OK();
      auto& ids = it->second->rows_by_id;
      auto found = ids.find(op.id);
      if (found == ids.end()) return Status::OK();
      Kill(found->second);
      ids.erase(found);
      return Status::OK();
    }
    case OpType::kUpsert:
      break;
  }
  if (op.row >= rows_available) {
    return Status::Corruption("record '" + op.id + "' references row " + std::to_string(op.row) +
                              " but the vectors file holds " + std::to_string(rows_available) +
                              " rows");
  }
  if (op.row < rows_.size()) {
    return Status::Corruption("row " + std::to_string(op.row) + " is referenced twice");
  }
  while (rows_.size() < op.row) {  // rows no operation references: dead space
    rows_.emplace_back();
    dead_rows_++;
  }
  CollectionState* c = Ensure(op.collection);
  auto [it, inserted] = c->rows_by_id.try_emplace(op.id, static_cast<uint32_t>(op.row));
  if (!inserted) {
    Kill(it->second);
    it->second = static_cast<uint32_t>(op.row);
  }
  rows_.push_back(RowInfo{c->index, op.id, op.attrs});
  docs_++;
  index_.Add(static_cast<uint32_t>(op.row), op.attrs);
  return Status::OK();
}

}  // namespace urd::vec
