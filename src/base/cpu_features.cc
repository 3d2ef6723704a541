// Copyright urd authors.

#include "base/cpu_features.h"

#include <cstdint>

#if defined(__x86_64__)
#include <cpuid.h>
#define URD_CPU_X86_64 1
#endif

namespace urd {
namespace {

#if defined(URD_CPU_X86_64)

// XCR0 bits: which register state the OS saves on a context switch.
constexpr uint64_t kXcr0Sse = 1u << 1;
constexpr uint64_t kXcr0Avx = 1u << 2;
constexpr uint64_t kXcr0Opmask = 1u << 5;
constexpr uint64_t kXcr0ZmmHi256 = 1u << 6;
constexpr uint64_t kXcr0Hi16Zmm = 1u << 7;
constexpr uint64_t kXcr0Ymm = kXcr0Sse | kXcr0Avx;
constexpr uint64_t kXcr0Zmm = kXcr0Ymm | kXcr0Opmask | kXcr0ZmmHi256 | kXcr0Hi16Zmm;

// cpuid leaf 1, ecx.
constexpr uint32_t kLeaf1Sse42 = 1u << 20;
constexpr uint32_t kLeaf1Fma = 1u << 12;
constexpr uint32_t kLeaf1Osxsave = 1u << 27;
constexpr uint32_t kLeaf1Avx = 1u << 28;
constexpr uint32_t kLeaf1F16c = 1u << 29;
// cpuid leaf 7 sub-leaf 0, ebx.
constexpr uint32_t kLeaf7Avx2 = 1u << 5;
constexpr uint32_t kLeaf7Avx512f = 1u << 16;
constexpr uint32_t kLeaf7Avx512dq = 1u << 17;
constexpr uint32_t kLeaf7Avx512bw = 1u << 30;
constexpr uint32_t kLeaf7Avx512vl = 1u << 31;

// XCR0 via the xgetbv instruction. Inline asm, so this baseline translation unit
// needs no -mxsave. REQUIRES: cpuid reports OSXSAVE (else xgetbv faults).
uint64_t ReadXcr0() {
  uint32_t eax = 0;
  uint32_t edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

CpuFeatures Detect() {
  CpuFeatures f;
  unsigned int eax = 0, ebx = 0, ecx1 = 0, edx = 0;
  if (__get_cpuid_count(1, 0, &eax, &ebx, &ecx1, &edx) == 0) {
    return f;
  }
  f.sse42 = (ecx1 & kLeaf1Sse42) != 0;

  const uint64_t xcr0 = (ecx1 & kLeaf1Osxsave) != 0 ? ReadXcr0() : 0;
  const bool os_ymm = (xcr0 & kXcr0Ymm) == kXcr0Ymm;
  const bool os_zmm = (xcr0 & kXcr0Zmm) == kXcr0Zmm;
  if (!os_ymm || (ecx1 & kLeaf1Avx) == 0) {
    return f;
  }
  f.fma = (ecx1 & kLeaf1Fma) != 0;
  f.f16c = (ecx1 & kLeaf1F16c) != 0;

  unsigned int ebx7 = 0, ecx7 = 0, edx7 = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx7, &ecx7, &edx7) == 0) {
    return f;
  }
  f.avx2 = f.sse42 && (ebx7 & kLeaf7Avx2) != 0;
  if (!os_zmm || !f.avx2 || !f.fma || !f.f16c) {
    return f;
  }
  f.avx512f = (ebx7 & kLeaf7Avx512f) != 0;
  f.avx512bw = f.avx512f && (ebx7 & kLeaf7Avx512bw) != 0;
  f.avx512dq = f.avx512f && (ebx7 & kLeaf7Avx512dq) != 0;
  f.avx512vl = f.avx512f && (ebx7 & kLeaf7Avx512vl) != 0;
  return f;
}

#else  // !URD_CPU_X86_64

CpuFeatures Detect() {
  CpuFeatures f;
#if defined(__aarch64__)
  f.neon = true;
#endif
  return f;
}

#endif  // URD_CPU_X86_64

void AppendIf(bool set, const char* name, std::string* out) {
  if (!set) {
    return;
  }
  if (!out->empty()) {
    out->push_back(' ');
  }
  out->append(name);
}

}  // namespace

const CpuFeatures& GetCpuFeatures() {
  static const CpuFeatures features = Detect();
  return features;
}

std::string CpuFeaturesString(const CpuFeatures& f) {
  std::string out;
  AppendIf(f.sse42, "sse4.2", &out);
  AppendIf(f.avx2, "avx2", &out);
  AppendIf(f.fma, "fma", &out);
  AppendIf(f.f16c, "f16c", &out);
  AppendIf(f.avx512f, "avx512f", &out);
  AppendIf(f.avx512bw, "avx512bw", &out);
  AppendIf(f.avx512dq, "avx512dq", &out);
  AppendIf(f.avx512vl, "avx512vl", &out);
  AppendIf(f.neon, "neon", &out);
  return out;
}

std::string CpuFeaturesString() { return CpuFeaturesString(GetCpuFeatures()); }

}  // namespace urd
