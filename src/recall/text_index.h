// Copyright urd authors. TextIndex: an in-memory BM25 full-text index over documents
// named by 64-bit ids (the recall workspace uses memory symbol ids).
//
// Thread-safety: thread-compatible. Const methods keep no caches and may run
// concurrently with each other (Search tokenizes with the calling thread's own
// Tokenizer); Add, AddTerms, Remove, Compact and Clear need exclusive access. The
// workspace serialises writers and readers around it.
//
// Text goes through recall/tokenizer.h (split, lowercase, stop words, Snowball
// English stem). A document's length is its number of terms with repeats; a
// document with no terms (empty, or only stop words) is still a document: it counts
// in size() and in N and avgdl below, and never matches.
//
// Scoring: Okapi BM25 with k1 = 1.2, b = 0.75. For a query with distinct terms
// t_1..t_m (a repeated query term counts once), a document d scores
//
//   score(d) = sum over t_i in d of
//              idf(t_i) * (tf * (k1 + 1)) / (tf + k1 * (1 - b + b * |d| / avgdl))
//   idf(t)   = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
//
// where tf is the number of times t_i occurs in d, |d| the length of d, N = size(),
// df(t) the number of documents holding t, and avgdl the mean length of the N
// documents. This idf is Lucene's non-negative form: every term a document holds
// adds a positive amount, so a document scores > 0 exactly when it holds at least
// one query term. The sum runs over the query terms in order of first appearance.
//
// Search contract: the matches are the documents holding at least one query term
// that the filter (if any) accepts; Search returns min(k, matches) of them, best
// first: score descending, then doc id ascending. The filter is applied before the
// top-k cut, so filtered-out documents never take a place in the k.
//
// Removal: a removed (or replaced) document is tombstoned at once: it leaves N, df
// and avgdl, and Search skips its postings. Its postings stay in the lists until a
// compaction renumbers the live documents and drops them; Remove runs one on its
// own when the dead postings outnumber the live ones (or the dead documents the live
// ones), past a small floor, so the cost is amortised O(1) per posting added.
//
// Memory: about 8 bytes per (term, document) pair in the postings, 4 more for the
// document's term list (used by Remove), 24 per document, plus the dictionary.
// Limits: at most 2^32 - 2 document slots between compactions, and fewer than
// 2^32 - 1 terms in one document.

#ifndef URD_RECALL_TEXT_INDEX_H_
#define URD_RECALL_TEXT_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace urd::recall {

struct TextHit {
  uint64_t doc_id;
  double score;  // BM25, > 0
};

class TextIndex {
 public:
  // Returns true to keep the document with this id. Called only for documents
  // that match the query, at most once each per Search.
  using Filter = std::function<bool(uint64_t doc_id)>;

  static constexpr double kK1 = 1.2;
  static constexpr double kB = 0.75;

  TextIndex() = default;
  TextIndex(const TextIndex&) = delete;
  TextIndex& operator=(const TextIndex&) = delete;
  TextIndex(TextIndex&&) = default;
  TextIndex& operator=(TextIndex&&) = default;

  // Indexes `text` (any bytes; decoded as UTF-8, see tokenizer.h) as document
  // `doc_id`. If a document with that id exists, it is replaced.
  void Add(uint64_t doc_id, std::string_view text);
  // As Add, with the terms already tokenized (e.g. by Tokenize() outside a lock).
  // The terms are used as given, repeats counted; empty strings are ignored.
  void AddTerms(uint64_t doc_id, std::span<const std::string> terms);

  // Removes document `doc_id`. Returns true if it was present, false (and changes
  // nothing) if not.
  bool Remove(uint64_t doc_id);

  bool Contains(uint64_t doc_id) const { return id_to_slot_.count(doc_id) != 0; }

  // The best min(k, matches) documents for `query` (see the search contract above).
  // An empty result when k == 0, the index is empty, or the query has no term
  // (empty, or only stop words) that any document holds. `filter` may be empty
  // (no filter).
  std::vector<TextHit> Search(std::string_view query, size_t k,
                              const Filter& filter = Filter()) const;
  // As Search, with the query already tokenized.
  std::vector<TextHit> SearchTerms(std::span<const std::string> query_terms, size_t k,
                                   const Filter& filter = Filter()) const;

  // Number of documents (N).
  size_t size() const { return id_to_slot_.size(); }
  // Number of distinct terms held by at least one document.
  size_t term_count() const { return live_terms_; }
  // Removed documents whose postings still await compaction.
  size_t dead_docs() const { return dead_slots_; }

  // Drops the postings of removed documents and the terms no document holds, and
  // renumbers the live documents. Search results do not change. O(postings).
  void Compact();

  // Removes every document.
  void Clear();

  // Approximate heap bytes held (postings, document table, dictionary, id map).
  size_t ApproxMemoryBytes() const;

 private:
  struct Posting {
    uint32_t slot;  // index into slots_
    uint32_t tf;    // occurrences of the term in the document, >= 1
  };
  struct Term {
    std::vector<Posting> postings;  // ascending slot; may hold dead slots
    uint32_t df = 0;                // live documents holding the term
  };
  struct Slot {
    uint64_t doc_id;
    uint64_t terms_begin;  // this document's distinct term ids: slot_terms_[begin, +count)
    uint32_t terms_count;
    uint32_t length;  // terms with repeats; kDead once removed
  };
  static constexpr uint32_t kDead = UINT32_MAX;
  static constexpr uint32_t kGone = UINT32_MAX;  // in Compact's maps: dropped

  // Compact's second step: keeps the terms some live document holds, rewrites their
  // postings through `slot_map` (old slot -> new slot or kGone) and renumbers them
  // in terms_ and term_ids_. Returns old term id -> new term id or kGone.
  std::vector<uint32_t> CompactTerms(const std::vector<uint32_t>& slot_map);

  // Compacts if the dead weight passed the thresholds (see the header comment).
  void MaybeCompact();
  // The id of `term`, created if new.
  uint32_t TermId(const std::string& term);

  std::unordered_map<std::string, uint32_t> term_ids_;
  std::vector<Term> terms_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> slot_terms_;
  std::unordered_map<uint64_t, uint32_t> id_to_slot_;  // live documents only
  uint64_t total_length_ = 0;                          // sum of live documents' lengths
  size_t live_terms_ = 0;                              // terms with df > 0
  size_t live_postings_ = 0;
  size_t dead_postings_ = 0;
  size_t dead_slots_ = 0;
};

}  // namespace urd::recall

#endif  // URD_RECALL_TEXT_INDEX_H_
