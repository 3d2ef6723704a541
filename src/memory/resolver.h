// Copyright urd authors. The bi-temporal resolver (reference/mimir-core.md §4.4,
// docs/decisions.md M1, M2) and the candidate records of a query, produced in
// commit order so that a read with `:limit` stops early.
//
// Thread-safety: reads the state only; callers keep writers out.
//
// A sem/inf record is authoritative at (as_of, as_committed) when it was committed
// by as_committed, its valid_at is not after as_of, and it has not ended by as_of:
// it ends at its own invalid_at (retroactive records) or at the valid_at of a
// later-starting record with a SUPERSEDES edge into it (edges committed by
// as_committed). Pro records are the same with valid_at = committed_at. The answer
// for a key (s, p) or a rule id is its authoritative record with the greatest
// valid_at; among equal ones the newest. Events (epi) are candidates when committed
// by as_committed and not after as_of.

#ifndef URD_MEMORY_RESOLVER_H_
#define URD_MEMORY_RESOLVER_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "memory/state.h"

namespace urd::mem {

struct CandidateFilter {
  std::optional<MemoryKind> kind;        // all kinds when unset
  std::optional<SymbolId> s, p;          // sem/inf only; pro/epi excluded when set
  bool include_projected = false;        // also every projected sem/inf record
  ClockTime as_of = 0;
  ClockTime as_committed = 0;
  std::function<bool(ClockTime)> commit_ok;  // episode filter on committed_at; may be empty
};

class Candidates {
 public:
  // REQUIRES: `state` and `filter` outlive this object.
  Candidates(const MemoryState& state, const CandidateFilter& filter);

  // The next candidate in (committed_at, memory id) order; false at the end.
  bool Next(MemoryRef* out);

 private:
  struct Cursor {
    MemoryKind kind;
    uint32_t next = 0;  // next index to examine
    bool has = false;   // `ref` holds the cursor's current candidate
    MemoryRef ref;
  };

  bool Authoritative(MemoryRef ref) const;
  std::optional<ClockTime> EndOf(SymbolId id, ClockTime valid_at,
                                 std::optional<ClockTime> own) const;
  bool IsAnswer(MemoryRef ref) const;
  bool Qualifies(MemoryRef ref) const;
  bool Matches(MemoryRef ref) const;
  void Advance(Cursor* c) const;
  void CollectBySubject();
  void AddKey(MemoryKind kind, uint32_t newest);
  void AddProjected(MemoryKind kind, uint32_t newest);

  const MemoryState& state_;
  const CandidateFilter& f_;
  bool keyed_ = false;               // the subject is known: collected and sorted
  std::vector<MemoryRef> collected_;
  size_t pos_ = 0;
  std::vector<Cursor> cursors_;      // otherwise: one cursor per kind, merged
};

}  // namespace urd::mem

#endif  // URD_MEMORY_RESOLVER_H_
