// Copyright urd authors.

#include "recall/text_index.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "recall/tokenizer.h"

namespace urd::recall {
namespace {

// Compaction floors: below these, dead weight is left in place (cheap to skip).
constexpr size_t kMinDeadSlots = 64;
constexpr size_t kMinDeadPostings = 1024;
// Search caches the length normalisation of documents shorter than this.
constexpr uint32_t kNormCacheLengths = 256;

// Better-first order of hits: score descending, then doc id ascending.
bool Better(const TextHit& a, const TextHit& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.doc_id < b.doc_id;
}

// k1 * (1 - b + b * |d| / avgdl), the length normalisation of BM25.
double LengthNorm(uint32_t length, double avgdl) {
  return TextIndex::kK1 *
         (1.0 - TextIndex::kB + TextIndex::kB * static_cast<double>(length) / avgdl);
}

// Collects the best k hits that pass a filter, in a heap whose front is its worst
// hit. The filter runs only for a hit that would enter the heap: a hit that would
// not cannot be in the result either way, so this equals filtering every match
// before the cut.
class TopK {
 public:
  TopK(size_t k, const TextIndex::Filter& filter) : k_(k), filter_(filter) {}

  void Reserve(size_t candidates) { heap_.reserve(std::min(k_, candidates)); }

  void Offer(const TextHit& hit) {
    if (heap_.size() == k_ && !Better(hit, heap_.front())) return;
    if (filter_ && !filter_(hit.doc_id)) return;
    if (heap_.size() == k_) {
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.back() = hit;
    } else {
      heap_.push_back(hit);
    }
    std::push_heap(heap_.begin(), heap_.end(), Better);
  }

  // The hits, best first.
  std::vector<TextHit> Finish() && {
    std::sort_heap(heap_.begin(), heap_.end(), Better);
    return std::move(heap_);
  }

 private:
  const size_t k_;  // > 0
  const TextIndex::Filter& filter_;
  std::vector<TextHit> heap_;
};

}  // namespace

void TextIndex::Add(uint64_t doc_id, std::string_view text) {
  const std::vector<std::string> terms = Tokenize(text);
  AddTerms(doc_id, terms);
}

uint32_t TextIndex::TermId(const std::string& term) {
  auto [it, inserted] = term_ids_.try_emplace(term, static_cast<uint32_t>(terms_.size()));
  if (inserted) terms_.emplace_back();
  return it->second;
}

void TextIndex::AddTerms(uint64_t doc_id, std::span<const std::string> terms) {
  Remove(doc_id);
  if (slots_.size() >= kDead - 1) Compact();

  std::vector<uint32_t> ids;
  ids.reserve(terms.size());
  for (const std::string& term : terms) {
    if (!term.empty()) ids.push_back(TermId(term));
  }
  std::sort(ids.begin(), ids.end());

  const auto slot = static_cast<uint32_t>(slots_.size());
  const uint64_t begin = slot_terms_.size();
  for (size_t i = 0; i < ids.size();) {
    size_t j = i + 1;
    while (j < ids.size() && ids[j] == ids[i]) j++;
    Term& term = terms_[ids[i]];
    term.postings.push_back({slot, static_cast<uint32_t>(j - i)});
    if (term.df++ == 0) live_terms_++;
    slot_terms_.push_back(ids[i]);
    i = j;
  }
  const auto distinct = static_cast<uint32_t>(slot_terms_.size() - begin);
  const auto length = static_cast<uint32_t>(std::min<size_t>(ids.size(), kDead - 1));
  slots_.push_back({doc_id, begin, distinct, length});
  id_to_slot_.emplace(doc_id, slot);
  total_length_ += length;
  live_postings_ += distinct;
}

bool TextIndex::Remove(uint64_t doc_id) {
  const auto it = id_to_slot_.find(doc_id);
  if (it == id_to_slot_.end()) return false;
  Slot& slot = slots_[it->second];
  for (uint64_t i = slot.terms_begin; i < slot.terms_begin + slot.terms_count; i++) {
    if (--terms_[slot_terms_[i]].df == 0) live_terms_--;
  }
  total_length_ -= slot.length;
  live_postings_ -= slot.terms_count;
  dead_postings_ += slot.terms_count;
  slot.length = kDead;
  dead_slots_++;
  id_to_slot_.erase(it);
  MaybeCompact();
  return true;
}

void TextIndex::MaybeCompact() {
  if ((dead_slots_ >= kMinDeadSlots && dead_slots_ > id_to_slot_.size()) ||
      (dead_postings_ >= kMinDeadPostings && dead_postings_ > live_postings_)) {
    Compact();
  }
}

void TextIndex::Compact() {
  if (dead_slots_ == 0 && live_terms_ == terms_.size()) return;

  // Live documents keep their order, so posting lists stay sorted by slot.
  std::vector<uint32_t> slot_map(slots_.size(), kGone);
  std::vector<Slot> slots;
  slots.reserve(id_to_slot_.size());
  for (size_t s = 0; s < slots_.size(); s++) {
    if (slots_[s].length == kDead) continue;
    slot_map[s] = static_cast<uint32_t>(slots.size());
    slots.push_back(slots_[s]);
  }

  const std::vector<uint32_t> term_map = CompactTerms(slot_map);

  std::vector<uint32_t> slot_terms;
  slot_terms.reserve(live_postings_);
  for (Slot& slot : slots) {
    const uint64_t begin = slot_terms.size();
    for (uint64_t i = slot.terms_begin; i < slot.terms_begin + slot.terms_count; i++) {
      slot_terms.push_back(term_map[slot_terms_[i]]);
    }
    slot.terms_begin = begin;
  }

  for (auto& entry : id_to_slot_) entry.second = slot_map[entry.second];
  slots_ = std::move(slots);
  slot_terms_ = std::move(slot_terms);
  dead_postings_ = 0;
  dead_slots_ = 0;
}

std::vector<uint32_t> TextIndex::CompactTerms(const std::vector<uint32_t>& slot_map) {
  std::vector<uint32_t> term_map(terms_.size(), kGone);
  std::vector<Term> terms;
  terms.reserve(live_terms_);
  for (size_t t = 0; t < terms_.size(); t++) {
    Term& old = terms_[t];
    if (old.df == 0) continue;
    term_map[t] = static_cast<uint32_t>(terms.size());
    Term& term = terms.emplace_back();
    term.df = old.df;
    term.postings.reserve(old.df);
    for (const Posting& p : old.postings) {
      if (slot_map[p.slot] != kGone) term.postings.push_back({slot_map[p.slot], p.tf});
    }
    std::vector<Posting>().swap(old.postings);  // bound peak memory
  }
  terms_ = std::move(terms);
  std::erase_if(term_ids_, [&](const auto& entry) { return term_map[entry.second] == kGone; });
  for (auto& entry : term_ids_) entry.second = term_map[entry.second];
  return term_map;
}

void TextIndex::Clear() { *this = TextIndex(); }

std::vector<TextHit> TextIndex::Search(std::string_view query, size_t k,
                                       const Filter& filter) const {
  if (k == 0 || id_to_slot_.empty()) return {};
  const std::vector<std::string> terms = Tokenize(query);
  return SearchTerms(terms, k, filter);
}

std::vector<TextHit> TextIndex::SearchTerms(std::span<const std::string> query_terms, size_t k,
                                            const Filter& filter) const {
  if (k == 0 || id_to_slot_.empty()) return {};

  // Distinct query terms that some live document holds, in order of first appearance.
  std::vector<uint32_t> query;
  for (const std::string& t : query_terms) {
    const auto it = term_ids_.find(t);
    if (it == term_ids_.end() || terms_[it->second].df == 0) continue;
    if (std::find(query.begin(), query.end(), it->second) == query.end()) {
      query.push_back(it->second);
    }
  }
  if (query.empty()) return {};

  const auto n = static_cast<double>(id_to_slot_.size());
  const double avgdl = static_cast<double>(total_length_) / n;
  double norm_cache[kNormCacheLengths];
  for (uint32_t len = 0; len < kNormCacheLengths; len++) norm_cache[len] = LengthNorm(len, avgdl);

  // Term at a time into a dense accumulator; every contribution is > 0, so a zero
  // accumulator means "not touched yet".
  std::vector<double> acc(slots_.size(), 0.0);
  std::vector<uint32_t> touched;
  for (const uint32_t t : query) {
    const Term& term = terms_[t];
    const auto df = static_cast<double>(term.df);
    const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
    for (const Posting& p : term.postings) {
      const uint32_t len = slots_[p.slot].length;
      if (len == kDead) continue;
      const double norm = len < kNormCacheLengths ? norm_cache[len] : LengthNorm(len, avgdl);
      const auto tf = static_cast<double>(p.tf);
      if (acc[p.slot] == 0.0) touched.push_back(p.slot);
      acc[p.slot] += idf * (tf * (kK1 + 1.0)) / (tf + norm);
    }
  }

  TopK top(k, filter);
  top.Reserve(touched.size());
  for (const uint32_t slot : touched) top.Offer({slots_[slot].doc_id, acc[slot]});
  return std::move(top).Finish();
}

size_t TextIndex::ApproxMemoryBytes() const {
  // A node of an unordered_map: the value, the next pointer and the cached hash.
  constexpr size_t kNodeOverhead = 2 * sizeof(void*);
  size_t bytes = terms_.capacity() * sizeof(Term) + slots_.capacity() * sizeof(Slot) +
                 slot_terms_.capacity() * sizeof(uint32_t);
  for (const Term& term : terms_) bytes += term.postings.capacity() * sizeof(Posting);
  bytes += term_ids_.bucket_count() * sizeof(void*);
  for (const auto& entry : term_ids_) {
    bytes += sizeof(entry) + kNodeOverhead;
    if (entry.first.capacity() > 15) bytes += entry.first.capacity() + 1;  // past SSO
  }
  bytes += id_to_slot_.bucket_count() * sizeof(void*) +
           id_to_slot_.size() * (sizeof(std::pair<const uint64_t, uint32_t>) + kNodeOverhead);
  return bytes;
}

}  // namespace urd::recall
