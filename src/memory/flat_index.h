// Copyright urd authors. FlatIndex: a compact open-addressing multimap from a 32-bit
// hash to 32-bit values, for indexes whose keys live elsewhere (in records or in
// the symbol table). Each slot is 8 bytes; the caller resolves hash collisions by
// comparing the key stored at the value (see Find).
//
// Why not std::unordered_map: at a million keys a node map costs ~56-72 bytes per
// entry (node, key copy, bucket); this index costs 8 bytes / load factor (at most
// 0.75), and stores no copy of the key.
//
// Thread-safety: none (a value type; const methods may run concurrently).
//
// Linear probing; erase by backward shift, so there are no tombstones and probe
// sequences stay short. Values must be < kEmpty.

#ifndef URD_MEMORY_FLAT_INDEX_H_
#define URD_MEMORY_FLAT_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace urd::mem {

class FlatIndex {
 public:
  static constexpr uint32_t kEmpty = UINT32_MAX;

  // The first value with this hash for which match(value) is true; kEmpty if none.
  template <typename Match>
  uint32_t Find(uint32_t hash, Match match) const {
    if (slots_.empty()) return kEmpty;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == kEmpty) return kEmpty;
      if (s.hash == hash && match(s.value)) return s.value;
    }
  }

  // Adds (hash, value). REQUIRES: value < kEmpty.
  void Insert(uint32_t hash, uint32_t value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].value == kEmpty) {
        slots_[i] = Slot{hash, value};
        ++size_;
        return;
      }
    }
  }

  // Replaces the entry (hash, old_value) by (hash, new_value); false if absent.
  bool Replace(uint32_t hash, uint32_t old_value, uint32_t new_value) {
    size_t i = Position(hash, old_value);
    if (i == kNone) return false;
    slots_[i].value = new_value;
    return true;
  }

  // Removes the entry (hash, value); false if absent.
  bool Erase(uint32_t hash, uint32_t value) {
    size_t i = Position(hash, value);
    if (i == kNone) return false;
    // Backward shift: move later entries of the run into the hole when their home
    // position does not lie cyclically in (hole, j].
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (slots_[j].value == kEmpty) break;
      size_t home = slots_[j].hash & mask_;
      bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i] = Slot{0, kEmpty};
    --size_;
    return true;
  }

  // Calls fn(value) for every entry, in slot order.
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (const Slot& s : slots_) {
      if (s.value != kEmpty) fn(s.value);
    }
  }

  size_t size() const { return size_; }
  size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t value = kEmpty;
  };
  static constexpr size_t kNone = SIZE_MAX;

  size_t Position(uint32_t hash, uint32_t value) const {
    if (slots_.empty()) return kNone;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].value == kEmpty) return kNone;
      if (slots_[i].hash == hash && slots_[i].value == value) return i;
    }
  }

  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.value != kEmpty) Insert(s.hash, s.value);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace urd::mem

#endif  // URD_MEMORY_FLAT_INDEX_H_
