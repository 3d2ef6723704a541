// Copyright urd authors. ObserveMemory: everything a reader of a MemoryStore can
// observe, as text, so that the crash tests (memory_crashtest, urd_crashtest
// --power-loss) can compare a recovered store with an in-memory reference store fed
// the same commits.
//
// Thread-safety: as the store's own Dump and Stats.

#ifndef URD_TESTS_MEMORY_OBSERVE_H_
#define URD_TESTS_MEMORY_OBSERVE_H_

#include <string>

#include "urd/memory_store.h"

namespace urd::crash {

// One line per memory of s.Dump() ("<id> <form>[ pinned] <- <superseded by>..."),
// then "edges E symbols S episodes P clock C" from s.Stats(). When the dump fails,
// "dump failed: <status>" instead.
std::string ObserveMemory(const MemoryStore& s);

}  // namespace urd::crash

#endif  // URD_TESTS_MEMORY_OBSERVE_H_
