// Copyright urd authors.

#include "vector/attr_index.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <utility>

namespace urd::vec {

namespace {

using Rows = std::vector<uint32_t>;

// A red-black tree node's bookkeeping (colour, parent, left, right) beside its value.
constexpr size_t kTreeNodeOverhead = 4 * sizeof(void*);

size_t StringHeapBytes(const std::string& s) {
  // Short strings live inside the object (libstdc++ and libc++ both keep >= 15).
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

size_t ValueHeapBytes(const Value& v) {
  if (v.is_string()) return StringHeapBytes(v.as_string());
  if (!v.is_list()) return 0;
  size_t bytes = v.as_list().capacity() * sizeof(std::string);
  for (const auto& s : v.as_list()) bytes += StringHeapBytes(s);
  return bytes;
}

Rows Intersect(const Rows& a, const Rows& b) {
  Rows out;
  out.reserve(std::min(a.size(), b.size()));
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// The sorted, de-duplicated union of sorted lists.
Rows Union(const std::vector<const Rows*>& lists) {
  if (lists.empty()) return {};
  if (lists.size() == 1) return *lists[0];
  if (lists.size() == 2) {
    Rows out;
    out.reserve(lists[0]->size() + lists[1]->size());
    std::set_union(lists[0]->begin(), lists[0]->end(), lists[1]->begin(), lists[1]->end(),
                   std::back_inserter(out));
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  size_t total = 0;
  for (const Rows* l : lists) total += l->size();
  Rows out;
  out.reserve(total);
  for (const Rows* l : lists) out.insert(out.end(), l->begin(), l->end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

void AttrIndex::Add(uint32_t row, const Attrs& attrs) {
  row_limit_ = std::max<uint64_t>(row_limit_, uint64_t{row} + 1);
  for (const auto& [key, v] : attrs) {
    if (v.is_float() && std::isnan(v.as_float())) continue;  // would break the map's order
    auto [key_it, new_key] = index_.try_emplace(key);
    if (new_key) bytes_ += kTreeNodeOverhead + sizeof(*key_it) + StringHeapBytes(key);
    auto [value_it, new_value] = key_it->second.try_emplace(v);
    if (new_value) bytes_ += kTreeNodeOverhead + sizeof(*value_it) + ValueHeapBytes(v);
    Postings& rows = value_it->second;
    const size_t capacity = rows.capacity();
    if (rows.empty() || rows.back() < row) {
      rows.push_back(row);
    } else {
      auto pos = std::lower_bound(rows.begin(), rows.end(), row);
      if (*pos != row) rows.insert(pos, row);
    }
    bytes_ += (rows.capacity() - capacity) * sizeof(uint32_t);
  }
}

void AttrIndex::Clear() {
  index_.clear();
  bytes_ = 0;
  row_limit_ = 0;
}

size_t AttrIndex::memory_bytes() const { return sizeof(*this) + bytes_; }

const AttrIndex::Postings* AttrIndex::Find(const std::string& key, const Value& v) const {
  if (v.is_float() && std::isnan(v.as_float())) return nullptr;  // NaN equals nothing
  const auto key_it = index_.find(key);
  if (key_it == index_.end()) return nullptr;
  const auto value_it = key_it->second.find(v);
  return value_it == key_it->second.end() ? nullptr : &value_it->second;
}

std::optional<std::vector<uint32_t>> AttrIndex::Candidates(const Filter& f) const {
  switch (f.op()) {
    case Filter::Op::kEq: {
      const Postings* rows = f.values().empty() ? nullptr : Find(f.key(), f.values()[0]);
      return rows ? *rows : Rows();
    }
    case Filter::Op::kIn: {
      std::vector<const Rows*> lists;
      for (const Value& v : f.values()) {
        const Postings* rows = Find(f.key(), v);
        // A repeated value finds the same list; one copy of it is enough.
        if (rows && std::find(lists.begin(), lists.end(), rows) == lists.end()) {
          lists.push_back(rows);
        }
      }
      return Union(lists);
    }
    case Filter::Op::kAnd: {
      std::vector<Rows> narrowed;
      for (const Filter& child : f.children()) {
        if (auto rows = Candidates(child)) {
          if (rows->empty()) return Rows();
          narrowed.push_back(std::move(*rows));
        }
      }
      if (narrowed.empty()) return std::nullopt;
      // Smallest first keeps every intermediate result small.
      std::sort(narrowed.begin(), narrowed.end(),
                [](const Rows& a, const Rows& b) { return a.size() < b.size(); });
      Rows out = std::move(narrowed[0]);
      for (size_t i = 1; i < narrowed.size() && !out.empty(); ++i)
        out = Intersect(out, narrowed[i]);
      return out;
    }
    case Filter::Op::kOr: {
      std::vector<Rows> parts;
      parts.reserve(f.children().size());
      for (const Filter& child : f.children()) {
        auto rows = Candidates(child);
        if (!rows) return std::nullopt;
        parts.push_back(std::move(*rows));
      }
      std::vector<const Rows*> lists;
      lists.reserve(parts.size());
      for (const Rows& p : parts) lists.push_back(&p);
      return Union(lists);
    }
    case Filter::Op::kAll:
    case Filter::Op::kGlob:
    case Filter::Op::kRange:
    case Filter::Op::kExists:
    case Filter::Op::kNot:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<size_t> AttrIndex::Estimate(const Filter& f) const {
  switch (f.op()) {
    case Filter::Op::kEq: {
      const Postings* rows = f.values().empty() ? nullptr : Find(f.key(), f.values()[0]);
      return rows ? rows->size() : 0;
    }
    case Filter::Op::kIn: {
      size_t total = 0;
      for (const Value& v : f.values()) {
        if (const Postings* rows = Find(f.key(), v)) total += rows->size();
      }
      return total;
    }
    case Filter::Op::kAnd: {
      std::optional<size_t> least;
      for (const Filter& child : f.children()) {
        if (auto n = Estimate(child)) least = least ? std::min(*least, *n) : *n;
      }
      return least;
    }
    case Filter::Op::kOr: {
      size_t total = 0;
      for (const Filter& child : f.children()) {
        auto n = Estimate(child);
        if (!n) return std::nullopt;
        total += *n;
      }
      return total;
    }
    case Filter::Op::kAll:
    case Filter::Op::kGlob:
    case Filter::Op::kRange:
    case Filter::Op::kExists:
    case Filter::Op::kNot:
      return std::nullopt;
  }
  return std::nullopt;
}

size_t AttrIndex::EstimateCount(const Filter& f) const {
  const auto limit = static_cast<size_t>(row_limit_);
  return std::min(Estimate(f).value_or(limit), limit);
}

}  // namespace urd::vec
