// Copyright urd authors. The write pipeline: parse -> bind -> semantic checks ->
// emit, turning one batch of forms into the canonical records of one episode and
// applying them to a MemoryState (reference/mimir-core.md §2.5, §2.6, §4.4-§4.11,
// §6.3; decisions in docs/decisions.md "Memory store").
//
// Thread-safety: CompileBatch mutates the state it is given; callers serialise.
//
// Atomicity: CompileBatch takes an undo mark first. On error it rolls the state
// (symbol table included) back to that mark and returns the error: nothing
// changed. On success the batch's records are applied and the undo journal is left
// open: the caller commits (state->Commit()) once the batch is durable, or rolls
// back (state->RollbackTo(out->mark)) if writing it fails.
//
// Records of a batch, in order (§5.8): SYMBOL_ALLOC of the episode `__ep_N`; one
// SYMBOL_* per binder journal entry; per form in input order its records (a memory
// form: SYMBOL_ALLOC of `__mem_N`, the memory record, then its SUPERSEDES and
// STALE_PARENT edges); EPISODE_META when the batch has metadata; CHECKPOINT. Every
// record carries the batch's commit clock max(now, last + 1).

#ifndef URD_MEMORY_PIPELINE_H_
#define URD_MEMORY_PIPELINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memory/canonical.h"
#include "memory/semantic.h"
#include "memory/state.h"
#include "urd/status.h"

namespace urd::mem {

enum class EmitErrorKind : uint8_t {
  kUnsupported,                      // correct / promote / query in a write batch
  kMemoryIdAllocation,               // `__mem_N` / `__ep_N` already names a symbol
  kSemanticSupersessionConflict,     // same (s, p) and same :v as the current fact
  kInferentialSupersessionConflict,  // same for inferentials
  kProceduralSupersessionConflict,   // a rule superseding a rule of the same batch
  kSupersessionDag,                  // an edge would close a cycle
  kClockExhausted,                   // the commit clock cannot advance
};

std::string_view EmitErrorKindName(EmitErrorKind kind);

// Episode metadata passed beside the text (the store's EpisodeMetadata with names
// resolved); `(episode :start …)` in the batch wins field by field.
struct BatchMetadata {
  std::optional<std::string> label;
  std::optional<std::string> parent;   // a symbol name
  std::vector<std::string> retracts;   // symbol names
};

struct CompiledBatch {
  std::vector<CanonicalRecord> records;  // in log order, CHECKPOINT last
  SymbolId episode = 0;
  ClockTime committed_at = 0;
  std::vector<SymbolId> memory_ids;      // the batch's memories, in form order
  MemoryState::UndoMark mark;            // where the batch began
};

// Compiles `text` against `*state` at wall clock `now` (ms) and applies it (see
// the file comment). Errors: InvalidArgument "line L, column C: <Kind>: message"
// for parse, bind, semantic and emit errors; the state is unchanged then.
// REQUIRES: state and out are not null; no other batch is open on the state.
Status CompileBatch(MemoryState* state, std::string_view text, ClockTime now,
                    const BatchMetadata* meta, CompiledBatch* out);

// The commit clock a batch compiled at `now` gets: now if nothing was committed or
// now > last, else last + 1. nullopt when that would reach the reserved clock.
std::optional<ClockTime> NextCommitClock(const MemoryState& state, ClockTime now);

}  // namespace urd::mem

#endif  // URD_MEMORY_PIPELINE_H_
