// Copyright urd authors. Run-time CPU feature detection, for choosing SIMD kernels.
//
// Thread-safety: GetCpuFeatures() computes the features once (thread-safe static
// initialisation) and returns an immutable object; any thread may call any function
// here at any time.
//
// A feature is reported only when the program can actually use it: on x86-64 the
// CPU advertises it (cpuid) AND the operating system saves the register state it
// needs (xgetbv: XMM+YMM for AVX2/FMA/F16C, also opmask+ZMM for AVX-512). The
// levels form a chain, so a dispatcher can fall back one level at a time:
//   avx512{f,bw,dq,vl} are reported only with avx2, fma and f16c; avx2 only with sse42.
// Other architectures report every x86 feature false; aarch64 reports neon (always
// present there).

#ifndef URD_BASE_CPU_FEATURES_H_
#define URD_BASE_CPU_FEATURES_H_

#include <string>

namespace urd {

struct CpuFeatures {
  bool sse42 = false;     // SSE4.2 (includes the CRC32 instruction)
  bool avx2 = false;      // AVX2 (and AVX), with OS YMM support
  bool fma = false;       // FMA3, with OS YMM support
  bool f16c = false;      // half-float conversions, with OS YMM support
  bool avx512f = false;   // AVX-512 Foundation, with OS ZMM/opmask support
  bool avx512bw = false;  // AVX-512 byte/word
  bool avx512dq = false;  // AVX-512 doubleword/quadword
  bool avx512vl = false;  // AVX-512 vector length extensions
  bool neon = false;      // AArch64 Advanced SIMD
};

// The features of the CPU this process runs on. The reference stays valid for the
// life of the process.
const CpuFeatures& GetCpuFeatures();

// The features that are set, space-separated, in the order of the struct's fields:
// e.g. "sse4.2 avx2 fma f16c avx512f avx512bw avx512dq avx512vl". Empty if none.
std::string CpuFeaturesString(const CpuFeatures& features);
// CpuFeaturesString(GetCpuFeatures()).
std::string CpuFeaturesString();

}  // namespace urd

#endif  // URD_BASE_CPU_FEATURES_H_
