// Copyright urd authors. Kernel dispatch and the baseline conversions.

#include "vector/kernels.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "base/cpu_features.h"
#include "vector/kernels_internal.h"

namespace urd::vec {
namespace internal {
namespace {

bool EqualsIgnoringCase(const char* a, const char* b) {
  for (; *a != '\0' && *b != '\0'; ++a, ++b) {
    const char ca = (*a >= 'A' && *a <= 'Z') ? static_cast<char>(*a - 'A' + 'a') : *a;
    if (ca != *b) {
      return false;
    }
  }
  return *a == '\0' && *b == '\0';
}

bool InMask(uint32_t mask, SimdLevel level) { return (mask & LevelBit(level)) != 0; }

}  // namespace

uint32_t SupportedLevelMask() {
  uint32_t mask = LevelBit(SimdLevel::kScalar);
  const CpuFeatures& f = GetCpuFeatures();
#if defined(__x86_64__)
  if (f.avx2 && f.fma && f.f16c) {
    mask |= LevelBit(SimdLevel::kAvx2);
    if (f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl) {
      mask |= LevelBit(SimdLevel::kAvx512);
    }
  }
#endif
#if defined(__aarch64__)
  if (f.neon) {
    mask |= LevelBit(SimdLevel::kNeon);
  }
#endif
  (void)f;
  return mask;
}

SimdLevel ChooseSimdLevel(const char* env_value, uint32_t supported_mask, std::string* warning) {
  supported_mask |= LevelBit(SimdLevel::kScalar);
  std::string note;
  const SimdLevel kAll[] = {SimdLevel::kScalar, SimdLevel::kNeon, SimdLevel::kAvx2,
                            SimdLevel::kAvx512};
  bool forced = false;
  SimdLevel want = SimdLevel::kScalar;
  if (env_value != nullptr && env_value[0] != '\0') {
    for (SimdLevel level : kAll) {
      if (EqualsIgnoringCase(env_value, SimdLevelName(level))) {
        forced = true;
        want = level;
      }
    }
    if (!forced) {
      note = std::string("urd: ignoring URD_SIMD=\"") + env_value +
             "\" (expected scalar, neon, avx2 or avx512); choosing automatically";
    }
  }
  SimdLevel chosen = SimdLevel::kScalar;
  if (forced) {
    // Fall back along avx512 -> avx2 -> scalar, or neon -> scalar.
    chosen = want;
    while (!InMask(supported_mask, chosen)) {
      chosen = (chosen == SimdLevel::kAvx512) ? SimdLevel::kAvx2 : SimdLevel::kScalar;
    }
    if (chosen != want) {
      note = std::string("urd: URD_SIMD=") + SimdLevelName(want) +
             " is not supported on this machine; using " + SimdLevelName(chosen);
    }
  } else {
    for (SimdLevel level : {SimdLevel::kAvx512, SimdLevel::kAvx2, SimdLevel::kNeon}) {
      if (InMask(supported_mask, level)) {
        chosen = level;
        break;
      }
    }
  }
  if (warning != nullptr) {
    *warning = std::move(note);
  }
  return chosen;
}

SimdLevel ChooseSimdLevel(const char* env_value) {
  return ChooseSimdLevel(env_value, SupportedLevelMask(), nullptr);
}

void RunBatch(const float* queries, size_t nq, const float* rows, size_t stride, size_t n,
              size_t d, float* scores, BatchGroupFn group_fn) {
  // About 128 KiB of rows: well inside a 1-2 MiB L2 next to a query group, and large
  // enough that reading the queries once per tile costs little.
  constexpr size_t kTileBytes = 128 * 1024;
  constexpr size_t kLine = 64;
  const size_t row_bytes = stride * sizeof(float);  // a multiple of 64
  size_t tile = kTileBytes / row_bytes;
  tile = tile < 4 ? 4 : tile - tile % 4;
  const size_t groups = (nq + kQueryGroup - 1) / kQueryGroup;
  for (size_t i0 = 0; i0 < n; i0 += tile) {
    const size_t tile_n = n - i0 < tile ? n - i0 : tile;
    const float* tile_rows = rows + i0 * stride;
    const size_t left = n - i0 - tile_n;
    const size_t next_lines = (left < tile ? left : tile) * row_bytes / kLine;
    const char* next = reinterpret_cast<const char*>(tile_rows + tile_n * stride);
    for (size_t g = 0; g < groups; ++g) {
      for (size_t line = next_lines * g / groups; line < next_lines * (g + 1) / groups; ++line) {
        __builtin_prefetch(next + line * kLine, 0, 2);  // read, into L2 (prefetcht1)
      }
      const size_t j = g * kQueryGroup;
      const size_t count = nq - j < kQueryGroup ? nq - j : kQueryGroup;
      group_fn(queries + j * d, count, tile_rows, stride, tile_n, d, scores + j * n + i0, n);
    }
  }
}

}  // namespace internal

const char* SimdLevelName(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar:
      return "scalar";
    case SimdLevel::kNeon:
      return "neon";
    case SimdLevel::kAvx2:
      return "avx2";
    case SimdLevel::kAvx512:
      return "avx512";
  }
  return "unknown";
}

bool SimdLevelSupported(SimdLevel level) {
  return (internal::SupportedLevelMask() & internal::LevelBit(level)) != 0;
}

SimdLevel ActiveSimdLevel() {
  static const SimdLevel level = [] {
    std::string warning;
    const SimdLevel chosen = internal::ChooseSimdLevel(
        std::getenv("URD_SIMD"), internal::SupportedLevelMask(), &warning);
    if (!warning.empty()) {
      std::fprintf(stderr, "%s\n", warning.c_str());
    }
    return chosen;
  }();
  return level;
}

const Kernels& KernelsFor(SimdLevel level) {
  if (!SimdLevelSupported(level)) {
    std::fprintf(stderr, "urd: KernelsFor(%s): level not supported on this machine\n",
                 SimdLevelName(level));
    std::abort();
  }
  switch (level) {
#if defined(__x86_64__)
    case SimdLevel::kAvx512:
      return internal::kAvx512Kernels;
    case SimdLevel::kAvx2:
      return internal::kAvx2Kernels;
#endif
#if defined(__aarch64__)
    case SimdLevel::kNeon:
      return internal::kNeonKernels;
#endif
    default:
      return internal::kScalarKernels;
  }
}

const Kernels& GetKernels() {
  static const Kernels& kernels = KernelsFor(ActiveSimdLevel());
  return kernels;
}

// ---- Conversions ----

float QuantizeInt8(const float* x, size_t d, int8_t* out) {
  float max_abs = 0;
  for (size_t k = 0; k < d; ++k) {
    const float a = std::fabs(x[k]);
    max_abs = std::isfinite(a) && a > max_abs ? a : max_abs;
  }
  const float scale = max_abs / 127.0f;
  if (scale == 0) {  // all zeros, or so small that the scale underflows (0/0 below)
    std::memset(out, 0, d);
    return 0;
  }
  for (size_t k = 0; k < d; ++k) {
    // Divide in double so the rounding decision is exact up to ~2^-46 units. NaN
    // gives 0 (converting it to an integer would be undefined); +-inf clamps.
    double r = std::isnan(x[k]) ? 0.0 : std::round(static_cast<double>(x[k]) / scale);
    r = r > 127.0 ? 127.0 : (r < -127.0 ? -127.0 : r);
    out[k] = static_cast<int8_t>(r);
  }
  return scale;
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof(x));
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u) {  // inf or NaN
    if (ax == 0x7f800000u) {
      return sign | 0x7c00u;
    }
    return static_cast<uint16_t>(sign | 0x7e00u | ((ax >> 13) & 0x3ffu));  // quiet NaN
  }
  if (ax >= 0x477ff000u) {  // >= 65520 = halfway between 65504 and 2^16: rounds to inf
    return sign | 0x7c00u;
  }
  if (ax >= 0x38800000u) {  // >= 2^-14: a normal half
    // Round the 23-bit mantissa to 10 bits, ties to even; a carry correctly bumps
    // the exponent. Then rebias the exponent from 127 to 15.
    const uint32_t rounded = ax + 0xfffu + ((ax >> 13) & 1u);
    return static_cast<uint16_t>(sign | ((rounded - (112u << 23)) >> 13));
  }
  // A half subnormal (or zero): the value in units of 2^-24, rounded to even.
  const uint32_t exp = ax >> 23;
  if (exp < 102) {  // < 2^-25: at most half a unit, and exactly half rounds to 0 (even)
    return sign;
  }
  const uint32_t mant = (ax & 0x7fffffu) | 0x800000u;  // value = mant * 2^(exp-150)
  const uint32_t shift = 126 - exp;                    // 14..24
  uint32_t q = mant >> shift;
  const uint32_t rem = mant & ((1u << shift) - 1);
  const uint32_t half = 1u << (shift - 1);
  if (rem > half || (rem == half && (q & 1u) != 0)) {
    ++q;  // may carry into the smallest normal, 0x0400, which is right
  }
  return static_cast<uint16_t>(sign | q);
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    // Zero or subnormal: mant * 2^-24, exact in float.
    const float v = static_cast<float>(mant) * 0x1p-24f;
    std::memcpy(&bits, &v, sizeof(bits));
    bits |= sign;
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);  // inf, or NaN keeping its payload
  } else {
    bits = sign | ((exp + 112u) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

void FloatsToHalves(const float* x, size_t d, uint16_t* out) {
  for (size_t k = 0; k < d; ++k) {
    out[k] = FloatToHalf(x[k]);
  }
}

bool NormalizeInPlace(float* x, size_t d) {
  double sum = 0;
  for (size_t k = 0; k < d; ++k) {
    sum += static_cast<double>(x[k]) * static_cast<double>(x[k]);
  }
  const double norm = std::sqrt(sum);
  if (norm == 0 || !std::isfinite(norm)) {
    return false;
  }
  for (size_t k = 0; k < d; ++k) {
    x[k] = static_cast<float>(static_cast<double>(x[k]) / norm);
  }
  return true;
}

}  // namespace urd::vec
