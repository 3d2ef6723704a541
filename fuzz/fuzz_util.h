// Copyright urd authors. Helpers shared by the libFuzzer targets (fuzz/*_fuzz.cc,
// docs/fuzzing.md): a check that aborts with a message (so libFuzzer saves the
// input), splitting an input into sections, and the state digest used to compare
// memory states.
//
// Thread-safety: pure functions.

#ifndef URD_FUZZ_FUZZ_UTIL_H_
#define URD_FUZZ_FUZZ_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "memory/canonical.h"
#include "memory/ir/lexer.h"
#include "memory/state.h"

// Aborts (libFuzzer records the input as a crash) when `cond` is false. Used for
// the round trips and invariants each target asserts beyond "does not crash".
#define URD_FUZZ_CHECK(cond)                                                                    \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      std::fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

namespace urd::fuzz {

// The separator between the sections of a structured input (vector_replay,
// nidus_import): rare in binary data, listed in their dictionaries.
inline constexpr std::string_view kSep = "|^|";

// Splits `in` on every occurrence of `sep` (which must not be empty). An input
// without `sep` is one section; "a|^|" gives "a" and "".
inline std::vector<std::string_view> Split(std::string_view in, std::string_view sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const size_t at = in.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(in.substr(0, at));
    in.remove_prefix(at + sep.size());
  }
  out.push_back(in);
  return out;
}

// Whether `reencoded` is what the encoder must produce for canonical bytes
// `original` that decoded successfully: the same bytes, except that the decoder
// reads any non-zero boolean value byte as true (canonical.h), so a byte above 1
// in the input may come back as 1. Nothing else may differ.
inline bool SameCanonicalBytes(std::string_view original, std::string_view reencoded) {
  if (original.size() != reencoded.size()) return false;
  for (size_t i = 0; i < original.size(); ++i) {
    const auto a = static_cast<unsigned char>(original[i]);
    const auto b = static_cast<unsigned char>(reencoded[i]);
    if (a != b && !(a > 1 && b == 1)) return false;
  }
  return true;
}

// The position of every byte offset of `in` (0..size), computed independently of
// the lexer.
inline std::vector<mem::Position> Positions(std::string_view in) {
  std::vector<mem::Position> out(in.size() + 1);
  mem::Position p;
  for (size_t i = 0; i <= in.size(); ++i) {
    p.offset = static_cast<uint32_t>(i);
    out[i] = p;
    if (i == in.size()) break;
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++p.column;
    }
  }
  return out;
}

// Every observable piece of a MemoryState, encoded: equal digests mean equal
// states (records, edges, symbol table, flags, episodes, clock and counters).
inline std::string Digest(const mem::MemoryState& st) {
  std::string d;
  for (const auto& r : st.sem()) mem::EncodeRecord(r, &d);
  for (const auto& r : st.epi()) mem::EncodeRecord(r, &d);
  for (const auto& r : st.pro()) mem::EncodeRecord(r, &d);
  for (const auto& r : st.inf()) mem::EncodeRecord(r, &d);
  for (const auto& r : st.edges()) mem::EncodeRecord(r, &d);
  d += "|symbols " + std::to_string(st.symbols().next_id()) + ":";
  for (mem::SymbolId id = 0; id < st.symbols().next_id(); ++id) {
    const mem::SymbolEntry* e = st.symbols().Find(id);
    if (e == nullptr) continue;
    d += std::to_string(id) + "=" + e->canonical_name + "/" +
         std::to_string(static_cast<int>(e->kind)) + (e->retired ? "R" : "") +
         (st.IsPinned(id) ? "P" : "") + (st.IsAuthoritative(id) ? "A" : "") + "[";
    for (const auto& a : e->aliases) d += a + ",";
    d += "]";
  }
  d += "|episodes:";
  for (const auto& e : st.episodes()) {
    d += std::to_string(e.id) + "@" + std::to_string(e.committed_at) + ":" + e.label + ":" +
         (e.parent ? std::to_string(*e.parent) : "-") + ":" + std::to_string(e.memory_count) + "[";
    for (auto r : e.retracted) d += std::to_string(r) + ",";
    d += "]";
  }
  d += "|pinned=" + std::to_string(st.pinned_count());
  d += " auth=" + std::to_string(st.authoritative_count());
  d += " clock=" + (st.last_committed_at() ? std::to_string(*st.last_committed_at()) : "-");
  d += " mem=" + std::to_string(st.next_memory_counter());
  d += " ep=" + std::to_string(st.next_episode_counter());
  return d;
}

}  // namespace urd::fuzz

#endif  // URD_FUZZ_FUZZ_UTIL_H_
