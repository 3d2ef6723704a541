// Copyright urd authors. TopK: a bounded collector of the k best scan candidates.
//
// A candidate is {score, row}. "Better" is a strict weak order given as a functor:
// ByRowOrder (score desc, then row asc; for first passes that only need a
// deterministic order) or ByNameOrder (score desc, then collection name asc, then
// id asc: the search contract's order; names are only compared on exact score
// ties). NaN scores, which the store never produces, order after every number, so
// both orders stay strict weak orders whatever the input.
//
// The collector keeps a binary heap whose top is its worst member. Once it holds k
// candidates, threshold() is the worst score it holds (or the floor, if higher); a
// candidate scoring below threshold() is rejected with one float compare, and one
// scoring at or above it enters only if it is better than the worst member under
// the full order. A candidate scoring below the floor (min_score) never enters, so
// nothing is pruned before the heap is full except by the floor.
//
// Thread-safety: thread-compatible; scans keep one collector per thread and Merge
// them afterwards.

#ifndef URD_VECTOR_TOPK_H_
#define URD_VECTOR_TOPK_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "vector/store_state.h"

namespace urd::vec {

struct Candidate {
  float score;
  uint32_t row;
};

// The score as a sort key: NaN sorts as -infinity (after every number).
inline float ScoreKey(float s) { return s == s ? s : -std::numeric_limits<float>::infinity(); }

// Score desc, then row number asc.
struct ByRowOrder {
  bool operator()(const Candidate& a, const Candidate& b) const {
    const float ka = ScoreKey(a.score), kb = ScoreKey(b.score);
    if (ka != kb) return ka > kb;
    return a.row < b.row;
  }
};

// Score desc, then collection name asc, then id asc (byte order), then row asc.
// REQUIRES: every compared row is live in `state`.
class ByNameOrder {
 public:
  explicit ByNameOrder(const StoreState& state) : state_(&state) {}

  bool operator()(const Candidate& a, const Candidate& b) const {
    const float ka = ScoreKey(a.score), kb = ScoreKey(b.score);
    if (ka != kb) return ka > kb;
    return TieLess(a.row, b.row);
  }

 private:
  bool TieLess(uint32_t x, uint32_t y) const {
    if (x == y) return false;
    const RowInfo& rx = state_->row(x);
    const RowInfo& ry = state_->row(y);
    if (rx.collection != ry.collection) {
      // std::string compares bytes as unsigned char, like the collections map.
      return state_->BySlot(rx.collection)->name < state_->BySlot(ry.collection)->name;
    }
    const int c = rx.id.compare(ry.id);
    if (c != 0) return c < 0;
    return x < y;  // one id has one live row; only reached for stale duplicates
  }

  const StoreState* state_;
};

template <typename Better>
class TopK {
 public:
  // Keeps at most k candidates; rejects scores below `floor`.
  explicit TopK(size_t k, Better better = Better(),
                float floor = -std::numeric_limits<float>::infinity())
      : k_(k), better_(std::move(better)), floor_(floor), threshold_(floor) {
    heap_.reserve(std::min<size_t>(k, 1024));
  }

  size_t capacity() const { return k_; }
  size_t size() const { return heap_.size(); }
  bool full() const { return heap_.size() >= k_; }

  // Scores below this can never enter.
  float threshold() const { return threshold_; }

  // Whether Push(score, row) would keep the candidate now. Lets a scan settle a
  // tie at the threshold (on collection and id) before running an expensive filter.
  bool Accepts(float score, uint32_t row) const {
    if (score < threshold_ || k_ == 0) return false;
    return heap_.size() < k_ || better_(Candidate{score, row}, heap_.front());
  }

  // Offers a candidate; returns whether it was kept.
  bool Push(float score, uint32_t row) {
    if (score < threshold_) return false;  // the common case while scanning
    return PushSlow(Candidate{score, row});
  }

  void Merge(const TopK& other) {
    for (const Candidate& c : other.heap_) Push(c.score, c.row);
  }

  // The candidates, best first. Leaves the collector empty.
  std::vector<Candidate> Take() {
    std::vector<Candidate> out = std::move(heap_);
    heap_.clear();
    threshold_ = floor_;
    std::sort(out.begin(), out.end(), better_);
    return out;
  }

 private:
  bool PushSlow(const Candidate& c) {
    if (k_ == 0) return false;
    if (heap_.size() < k_) {
      heap_.push_back(c);
      std::push_heap(heap_.begin(), heap_.end(), better_);
      if (heap_.size() == k_) UpdateThreshold();
      return true;
    }
    if (!better_(c, heap_.front())) return false;
    heap_.front() = c;
    SiftDown();
    UpdateThreshold();
    return true;
  }

  void UpdateThreshold() {
    const float worst = heap_.front().score;
    threshold_ = worst > floor_ ? worst : floor_;
  }

  // Restores the heap (as std::push_heap/pop_heap keep it: every parent is not
  // better than its children) after the top was replaced.
  void SiftDown() {
    const size_t n = heap_.size();
    size_t i = 0;
    const Candidate moving = heap_[0];
    for (;;) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      // Pick the worse child: the one the other is better than.
      if (child + 1 < n && better_(heap_[child], heap_[child + 1])) ++child;
      if (!better_(moving, heap_[child])) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = moving;
  }

  size_t k_;
  Better better_;
  float floor_;
  float threshold_;
  std::vector<Candidate> heap_;  // heap_.front() is the worst member
};

}  // namespace urd::vec

#endif  // URD_VECTOR_TOPK_H_
