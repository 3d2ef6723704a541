// Copyright urd authors. ObserveMemory (memory_observe.h).

#include "memory_observe.h"

namespace urd::crash {

std::string ObserveMemory(const MemoryStore& s) {
  std::string out;
  auto dump = s.Dump();
  if (!dump.ok()) return "dump failed: " + dump.status().ToString();
  for (const MemoryHit& h : *dump) {
    out += h.memory_id + " " + h.form + (h.pinned ? " pinned" : "") + " <-";
    for (const std::string& by : h.superseded_by) out += " " + by;
    out += "\n";
  }
  MemoryStats st = s.Stats();
  out += "edges " + std::to_string(st.edges) + " symbols " + std::to_string(st.symbols) +
         " episodes " + std::to_string(st.episodes) + " clock " +
         std::to_string(st.last_committed_at);
  return out;
}

}  // namespace urd::crash
