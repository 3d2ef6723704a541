// Copyright urd authors. Includes hnswlib (Debian libhnswlib-dev, header-only) so
// that everything it defines is local to the including translation unit.
//
// Why: hnswlib's headers define non-inline functions and variables (cpuid,
// AVXCapable, the DISTFUNC pointers), so two translation units that include it
// plainly do not link; and it picks its SIMD kernels at compile time from
// __AVX512F__ / __AVX__, so its AVX-512 and AVX2 builds live in files compiled with
// those flags (hnswlib_runner_avx512.cc, hnswlib_runner_avx2.cc), whose code must
// never be merged with a baseline copy. Wrapping the headers in an anonymous
// namespace gives each file its own private copy. The system headers hnswlib uses
// are included first, at namespace scope, so their include guards keep them out of
// the anonymous namespace.
//
// Include this only from .cc files under bench/, and only once per file.

#ifndef URD_BENCH_HNSWLIB_WRAP_H_
#define URD_BENCH_HNSWLIB_WRAP_H_

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#include <x86intrin.h>
#endif
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <deque>
#include <fstream>
#include <iostream>
#include <list>
#include <mutex>
#include <queue>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace {
#include <hnswlib/hnswlib.h>
}  // namespace

#endif  // URD_BENCH_HNSWLIB_WRAP_H_
