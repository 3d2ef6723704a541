// Copyright urd authors.

#include "vector/kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <numeric>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "vector/kernels_internal.h"

namespace urd::vec {

// gtest prints parameters with this (found by argument-dependent lookup).
void PrintTo(SimdLevel level, std::ostream* os) { *os << SimdLevelName(level); }

namespace {

constexpr size_t kDims[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 384, 768, 1536};
constexpr size_t kRowCounts[] = {1, 2, 3, 5, 17, 100};
constexpr size_t kQueryCounts[] = {1, 2, 3, 4, 5, 7, 8, 13, 64};
constexpr SimdLevel kAllLevels[] = {SimdLevel::kScalar, SimdLevel::kNeon, SimdLevel::kAvx2,
                                    SimdLevel::kAvx512};

size_t RoundUp(size_t x, size_t m) { return (x + m - 1) / m * m; }

// Zero-initialised, 64-byte aligned storage for `count` elements of T.
template <typename T>
class AlignedBuffer {
 public:
  explicit AlignedBuffer(size_t count)
      : bytes_(RoundUp(std::max<size_t>(count * sizeof(T), 1), 64)),
        data_(static_cast<T*>(std::aligned_alloc(64, bytes_))) {
    std::memset(data_.get(), 0, bytes_);
  }
  T* get() { return data_.get(); }
  T& operator[](size_t i) { return data_.get()[i]; }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  size_t bytes_;
  std::unique_ptr<T, Free> data_;
};

std::vector<float> RandomFloats(std::mt19937& rng, size_t count) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (float& x : v) {
    x = dist(rng);
  }
  return v;
}

// n rows of d random floats in [-1, 1], `stride` floats apart, zero padding.
AlignedBuffer<float> RandomRows(std::mt19937& rng, size_t n, size_t d, size_t stride) {
  AlignedBuffer<float> rows(n * stride);
  for (size_t i = 0; i < n; ++i) {
    const std::vector<float> row = RandomFloats(rng, d);
    std::copy(row.begin(), row.end(), rows.get() + i * stride);
  }
  return rows;
}

// Tolerance between two f32 dot products of the same inputs summed in different
// orders. Each differs from the exact value by at most gamma_m * sum|q_k r_k| (Higham,
// recursive summation), m the longest chain of roundings: about d/8 for the 8-lane
// scalar kernel, d/16 for AVX-512. That worst case (d = 1536, m ~ 200) is ~1.2e-5
// relative, but rounding errors of random-signed data grow like sqrt(m): over 32000
// random pairs with d up to 4096 the largest |simd - scalar| / sum|q_k r_k| measured
// 2.7e-7 (AVX2) and 1.9e-7 (AVX-512). 1e-5 keeps a wide margin over that and stays
// far below what a real bug costs: losing or repeating a single term moves the
// result by ~sum/d >= 6.5e-4 * sum at d = 1536 (each such mutation was checked to
// fail these tests). The absolute 1e-6 only matters when every product is ~0.
float Tolerance(const float* q, const float* r, size_t d) {
  double abs_sum = 0;
  for (size_t k = 0; k < d; ++k) {
    abs_sum += std::fabs(static_cast<double>(q[k]) * r[k]);
  }
  return static_cast<float>(1e-5 * abs_sum + 1e-6);
}

float AbsDotTolerance(const float* q, const uint16_t* r, size_t d) {
  std::vector<float> row(d);
  for (size_t k = 0; k < d; ++k) {
    row[k] = HalfToFloat(r[k]);
  }
  return Tolerance(q, row.data(), d);
}

const Kernels& Scalar() { return KernelsFor(SimdLevel::kScalar); }

// ---- Every level against the scalar kernels ----

class KernelsLevelTest : public ::testing::TestWithParam<SimdLevel> {
 protected:
  void SetUp() override {
    if (!SimdLevelSupported(GetParam())) {
      GTEST_SKIP() << SimdLevelName(GetParam()) << " is not supported on this machine";
    }
  }
  const Kernels& K() const { return KernelsFor(GetParam()); }
};

TEST_P(KernelsLevelTest, TableMatchesLevel) { EXPECT_EQ(K().level, GetParam()); }

TEST_P(KernelsLevelTest, DotF32MatchesScalarUnaligned) {
  std::mt19937 rng(11);
  for (size_t d : kDims) {
    // Offsets 0..3 floats from an aligned base: no alignment may be assumed. Each
    // vector ends where its allocation ends, so ASan sees any read past d.
    for (size_t off = 0; off < 4; ++off) {
      const std::vector<float> a = RandomFloats(rng, d + off);
      const std::vector<float> b = RandomFloats(rng, d + 3 - off);
      const float* pa = a.data() + off;
      const float* pb = b.data() + (3 - off);
      const float want = Scalar().dot_f32(pa, pb, d);
      const float got = K().dot_f32(pa, pb, d);
      EXPECT_NEAR(got, want, Tolerance(pa, pb, d)) << "d=" << d << " off=" << off;
    }
  }
}

TEST_P(KernelsLevelTest, ScanF32MatchesScalar) {
  std::mt19937 rng(12);
  for (size_t d : kDims) {
    for (size_t n : kRowCounts) {
      for (size_t extra : {size_t{0}, size_t{16}}) {  // tight and padded strides
        const size_t stride = RoundUp(d, 16) + extra;
        const std::vector<float> q = RandomFloats(rng, d);
        AlignedBuffer<float> rows = RandomRows(rng, n, d, stride);
        std::vector<float> want(n), got(n, -99.0f);
        Scalar().scan_f32(q.data(), rows.get(), stride, n, d, want.data());
        K().scan_f32(q.data(), rows.get(), stride, n, d, got.data());
        for (size_t i = 0; i < n; ++i) {
          ASSERT_NEAR(got[i], want[i], Tolerance(q.data(), rows.get() + i * stride, d))
              << "d=" << d << " n=" << n << " stride=" << stride << " row=" << i;
        }
      }
    }
  }
}

// The documented contract: within one level, scan_f32 and dot_f32 agree bit for bit.
TEST_P(KernelsLevelTest, ScanF32BitIdenticalToDotF32) {
  std::mt19937 rng(13);
  for (size_t d : kDims) {
    const size_t n = 17;
    const size_t stride = RoundUp(d, 16);
    const std::vector<float> q = RandomFloats(rng, d);
    AlignedBuffer<float> rows = RandomRows(rng, n, d, stride);
    std::vector<float> got(n);
    K().scan_f32(q.data(), rows.get(), stride, n, d, got.data());
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(got[i], K().dot_f32(q.data(), rows.get() + i * stride, d))
          << "d=" << d << " row=" << i;
    }
  }
}

TEST_P(KernelsLevelTest, ScanF32ZeroRowsWritesNothing) {
  const std::vector<float> q(16, 1.0f);
  AlignedBuffer<float> rows(16);
  float sentinel = 42.0f;
  K().scan_f32(q.data(), rows.get(), 16, 0, 16, &sentinel);
  K().scan_f32_batch(q.data(), 1, rows.get(), 16, 0, 16, &sentinel);
  EXPECT_EQ(sentinel, 42.0f);
}

// Batched scores are bit-identical to single-query scans (SearchBatch must answer
// exactly like Search), across tile boundaries and every query remainder.
TEST_P(KernelsLevelTest, ScanF32BatchEqualsSingleQuery) {
  std::mt19937 rng(14);
  struct Shape {
    size_t d;
    size_t n;
  };
  std::vector<Shape> shapes;
  for (size_t d : kDims) {
    for (size_t n : kRowCounts) {
      if (n == 1 || n == 5 || n == 100) {
        shapes.push_back({d, n});
      }
    }
  }
  shapes.push_back({768, 300});  // 42-row tiles: several tiles and a partial one
  shapes.push_back({33, 5000});  // 680-row tiles
  for (const Shape& s : shapes) {
    const size_t stride = RoundUp(s.d, 16);
    AlignedBuffer<float> rows = RandomRows(rng, s.n, s.d, stride);
    for (size_t nq : kQueryCounts) {
      const std::vector<float> queries = RandomFloats(rng, nq * s.d);
      std::vector<float> batch(nq * s.n, -99.0f);
      K().scan_f32_batch(queries.data(), nq, rows.get(), stride, s.n, s.d, batch.data());
      std::vector<float> single(s.n);
      for (size_t j = 0; j < nq; ++j) {
        K().scan_f32(queries.data() + j * s.d, rows.get(), stride, s.n, s.d, single.data());
        for (size_t i = 0; i < s.n; ++i) {
          ASSERT_EQ(batch[j * s.n + i], single[i])
              << "d=" << s.d << " n=" << s.n << " nq=" << nq << " query=" << j << " row=" << i;
        }
      }
    }
  }
}

// Rows built so their exact scores are 100 distinct values 0.01 apart: every level
// must rank them exactly as the scalar kernel does.
TEST_P(KernelsLevelTest, ScanF32RanksEqualScalarWhenSeparated) {
  std::mt19937 rng(15);
  const size_t n = 100;
  for (size_t d : kDims) {
    const size_t stride = RoundUp(d, 16);
    std::vector<float> q = RandomFloats(rng, d);
    ASSERT_TRUE(NormalizeInPlace(q.data(), d));
    std::vector<double> targets(n);
    for (size_t i = 0; i < n; ++i) {
      targets[i] = -0.5 + 0.01 * static_cast<double>(i);
    }
    std::shuffle(targets.begin(), targets.end(), rng);
    AlignedBuffer<float> rows = RandomRows(rng, n, d, stride);
    for (size_t i = 0; i < n; ++i) {
      float* r = rows.get() + i * stride;
      double dot = 0;
      for (size_t k = 0; k < d; ++k) {
        dot += static_cast<double>(q[k]) * r[k];
      }
      for (size_t k = 0; k < d; ++k) {  // q is unit length: shift the score to target
        r[k] = static_cast<float>(r[k] + (targets[i] - dot) * q[k]);
      }
    }
    auto ranks = [&](const Kernels& k) {
      std::vector<float> scores(n);
      k.scan_f32(q.data(), rows.get(), stride, n, d, scores.data());
      std::vector<size_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return scores[a] > scores[b]; });
      return order;
    };
    std::vector<size_t> want(n);
    std::iota(want.begin(), want.end(), 0);
    std::stable_sort(want.begin(), want.end(),
                     [&](size_t a, size_t b) { return targets[a] > targets[b]; });
    EXPECT_EQ(ranks(Scalar()), want) << "d=" << d;
    EXPECT_EQ(ranks(K()), want) << "d=" << d;
  }
}

TEST_P(KernelsLevelTest, ScanI8EqualsScalarExactly) {
  std::mt19937 rng(16);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (size_t d : kDims) {
    for (size_t n : kRowCounts) {
      const size_t stride = RoundUp(d, 64);
      std::vector<int8_t> q(d);
      for (int8_t& x : q) {
        x = static_cast<int8_t>(byte(rng));
      }
      AlignedBuffer<int8_t> rows(n * stride);
      for (size_t i = 0; i < n; ++i) {
        for (size_t k = 0; k < d; ++k) {
          rows[i * stride + k] = static_cast<int8_t>(byte(rng));
        }
      }
      std::vector<int32_t> want(n), got(n, -99);
      Scalar().scan_i8(q.data(), rows.get(), stride, n, d, want.data());
      K().scan_i8(q.data(), rows.get(), stride, n, d, got.data());
      ASSERT_EQ(got, want) << "d=" << d << " n=" << n;
      for (size_t i = 0; i < n; ++i) {  // and the scalar kernel against plain int64 sums
        int64_t sum = 0;
        for (size_t k = 0; k < d; ++k) {
          sum += int64_t{q[k]} * rows[i * stride + k];
        }
        ASSERT_EQ(want[i], sum);
      }
    }
  }
}

// The largest sums the contract allows (d = 65536, all -128) fit int32 exactly.
TEST_P(KernelsLevelTest, ScanI8ExtremesDoNotOverflow) {
  for (size_t d : {size_t{65536}, size_t{65535}}) {
    const size_t n = 5;
    std::vector<int8_t> q(d, -128);
    AlignedBuffer<int8_t> rows(n * RoundUp(d, 64));
    for (size_t i = 0; i < n; ++i) {
      std::memset(rows.get() + i * RoundUp(d, 64), i % 2 == 0 ? 0x80 : 0x7f, d);  // -128, 127
    }
    std::vector<int32_t> got(n);
    K().scan_i8(q.data(), rows.get(), RoundUp(d, 64), n, d, got.data());
    for (size_t i = 0; i < n; ++i) {
      const int64_t want = static_cast<int64_t>(d) * -128 * (i % 2 == 0 ? -128 : 127);
      EXPECT_EQ(got[i], want) << "d=" << d << " row=" << i;
    }
  }
}

TEST_P(KernelsLevelTest, ScanF16MatchesScalar) {
  std::mt19937 rng(17);
  // Besides random values in [-1, 1]: subnormal halves, large ones and zeros.
  const uint16_t kSpecial[] = {0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x0000, 0x8000};
  for (size_t d : kDims) {
    for (size_t n : kRowCounts) {
      const size_t stride = RoundUp(d, 32);
      const std::vector<float> q = RandomFloats(rng, d);
      AlignedBuffer<uint16_t> rows(n * stride);
      for (size_t i = 0; i < n; ++i) {
        const std::vector<float> row = RandomFloats(rng, d);
        FloatsToHalves(row.data(), d, rows.get() + i * stride);
        if (i % 3 == 1) {
          rows[i * stride + (i * 7) % d] = kSpecial[i % 8];
        }
      }
      std::vector<float> want(n), got(n, -99.0f);
      Scalar().scan_f16(q.data(), rows.get(), stride, n, d, want.data());
      K().scan_f16(q.data(), rows.get(), stride, n, d, got.data());
      for (size_t i = 0; i < n; ++i) {
        ASSERT_NEAR(got[i], want[i], AbsDotTolerance(q.data(), rows.get() + i * stride, d))
            << "d=" << d << " n=" << n << " row=" << i;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, KernelsLevelTest, ::testing::ValuesIn(kAllLevels),
                         [](const ::testing::TestParamInfo<SimdLevel>& info) {
                           return std::string(SimdLevelName(info.param));
                         });

// The scalar reference itself, against double-precision sums, with the rigorous
// bound: (m + 1) * 2^-24 * sum|q_k r_k|, m <= d roundings in any chain.
TEST(KernelsScalarTest, DotF32WithinRigorousBoundOfDouble) {
  std::mt19937 rng(18);
  for (size_t d : kDims) {
    for (int rep = 0; rep < 10; ++rep) {
      const std::vector<float> a = RandomFloats(rng, d);
      const std::vector<float> b = RandomFloats(rng, d);
      double exact = 0;
      double abs_sum = 0;
      for (size_t k = 0; k < d; ++k) {
        exact += static_cast<double>(a[k]) * b[k];
        abs_sum += std::fabs(static_cast<double>(a[k]) * b[k]);
      }
      const double bound = static_cast<double>(d + 1) * 0x1p-24 * abs_sum;
      EXPECT_NEAR(Scalar().dot_f32(a.data(), b.data(), d), exact, bound) << "d=" << d;
    }
  }
}

// ---- Dispatch ----

constexpr uint32_t Bits(std::initializer_list<SimdLevel> levels) {
  uint32_t mask = 0;
  for (SimdLevel level : levels) {
    mask |= internal::LevelBit(level);
  }
  return mask;
}

TEST(KernelsDispatchTest, Names) {
  EXPECT_STREQ(SimdLevelName(SimdLevel::kScalar), "scalar");
  EXPECT_STREQ(SimdLevelName(SimdLevel::kNeon), "neon");
  EXPECT_STREQ(SimdLevelName(SimdLevel::kAvx2), "avx2");
  EXPECT_STREQ(SimdLevelName(SimdLevel::kAvx512), "avx512");
}

TEST(KernelsDispatchTest, AutomaticChoiceIsBestSupported) {
  using L = SimdLevel;
  const uint32_t x86 = Bits({L::kScalar, L::kAvx2, L::kAvx512});
  std::string warning = "stale";
  EXPECT_EQ(internal::ChooseSimdLevel(nullptr, x86, &warning), L::kAvx512);
  EXPECT_EQ(warning, "");
  EXPECT_EQ(internal::ChooseSimdLevel("", x86, &warning), L::kAvx512);
  EXPECT_EQ(warning, "");
  EXPECT_EQ(internal::ChooseSimdLevel(nullptr, Bits({L::kScalar, L::kAvx2}), nullptr), L::kAvx2);
  EXPECT_EQ(internal::ChooseSimdLevel(nullptr, Bits({L::kScalar, L::kNeon}), nullptr), L::kNeon);
  EXPECT_EQ(internal::ChooseSimdLevel(nullptr, Bits({L::kScalar}), nullptr), L::kScalar);
  EXPECT_EQ(internal::ChooseSimdLevel(nullptr, 0, nullptr), L::kScalar);
}

TEST(KernelsDispatchTest, ForcedLevelUsedWhenSupported) {
  using L = SimdLevel;
  const uint32_t all = Bits({L::kScalar, L::kNeon, L::kAvx2, L::kAvx512});
  std::string warning;
  EXPECT_EQ(internal::ChooseSimdLevel("scalar", all, &warning), L::kScalar);
  EXPECT_EQ(warning, "");
  EXPECT_EQ(internal::ChooseSimdLevel("avx2", all, &warning), L::kAvx2);
  EXPECT_EQ(warning, "");
  EXPECT_EQ(internal::ChooseSimdLevel("AVX512", all, &warning), L::kAvx512);
  EXPECT_EQ(warning, "");
  EXPECT_EQ(internal::ChooseSimdLevel("Neon", all, &warning), L::kNeon);
  EXPECT_EQ(warning, "");
}

TEST(KernelsDispatchTest, ForcedUnsupportedLevelFallsBackAlongChainWithWarning) {
  using L = SimdLevel;
  std::string warning;
  EXPECT_EQ(internal::ChooseSimdLevel("avx512", Bits({L::kScalar, L::kAvx2}), &warning),
            L::kAvx2);
  EXPECT_NE(warning.find("avx512"), std::string::npos) << warning;
  EXPECT_NE(warning.find("avx2"), std::string::npos) << warning;
  EXPECT_EQ(internal::ChooseSimdLevel("avx512", Bits({L::kScalar, L::kNeon}), &warning),
            L::kScalar);
  EXPECT_NE(warning, "");
  EXPECT_EQ(internal::ChooseSimdLevel("avx2", Bits({L::kScalar}), &warning), L::kScalar);
  EXPECT_NE(warning, "");
  EXPECT_EQ(internal::ChooseSimdLevel("neon", Bits({L::kScalar, L::kAvx2, L::kAvx512}), &warning),
            L::kScalar);
  EXPECT_NE(warning, "");
}

TEST(KernelsDispatchTest, UnknownValueIsIgnoredWithWarning) {
  using L = SimdLevel;
  std::string warning;
  EXPECT_EQ(internal::ChooseSimdLevel("sse9", Bits({L::kScalar, L::kAvx2}), &warning), L::kAvx2);
  EXPECT_NE(warning.find("sse9"), std::string::npos) << warning;
  EXPECT_EQ(internal::ChooseSimdLevel("avx5120", Bits({L::kScalar}), &warning), L::kScalar);
  EXPECT_NE(warning, "");
}

TEST(KernelsDispatchTest, RealMachine) {
  EXPECT_TRUE(SimdLevelSupported(SimdLevel::kScalar));
  const SimdLevel active = ActiveSimdLevel();
  EXPECT_TRUE(SimdLevelSupported(active));
  EXPECT_EQ(GetKernels().level, active);
  EXPECT_EQ(&GetKernels(), &KernelsFor(active));
  const char* env = std::getenv("URD_SIMD");
  if (env == nullptr || env[0] == '\0') {
    EXPECT_EQ(active, internal::ChooseSimdLevel(nullptr));
  }
  for (SimdLevel level : kAllLevels) {
    if (SimdLevelSupported(level)) {
      EXPECT_EQ(internal::ChooseSimdLevel(SimdLevelName(level)), level);
      EXPECT_EQ(KernelsFor(level).level, level);
    }
  }
#if defined(__x86_64__)
  EXPECT_FALSE(SimdLevelSupported(SimdLevel::kNeon));
#else
  EXPECT_FALSE(SimdLevelSupported(SimdLevel::kAvx2));
  EXPECT_FALSE(SimdLevelSupported(SimdLevel::kAvx512));
#endif
}

// The environment variable end to end: the child process (re-executed, so its
// dispatch has not run yet) sets URD_SIMD before the first call.
TEST(KernelsDispatchDeathTest, EnvironmentForcesLevel) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("URD_SIMD", "scalar", 1);
        std::exit(ActiveSimdLevel() == SimdLevel::kScalar &&
                          GetKernels().level == SimdLevel::kScalar
                      ? 0
                      : 1);
      },
      ::testing::ExitedWithCode(0), "");
#if defined(__x86_64__)
  EXPECT_EXIT(
      {
        setenv("URD_SIMD", "neon", 1);
        std::exit(ActiveSimdLevel() == SimdLevel::kScalar ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "URD_SIMD=neon is not supported on this machine; using scalar");
#endif
}

// ---- Conversions ----

TEST(KernelsConversionTest, QuantizeInt8ErrorBound) {
  std::mt19937 rng(19);
  for (size_t d : kDims) {
    for (float magnitude : {1e-20f, 1e-3f, 1.0f, 3e4f, 1e30f}) {
      std::vector<float> x = RandomFloats(rng, d);
      for (float& v : x) {
        v *= magnitude;
      }
      std::vector<int8_t> out(d);
      const float scale = QuantizeInt8(x.data(), d, out.data());
      float max_abs = 0;
      for (float v : x) {
        max_abs = std::max(max_abs, std::fabs(v));
      }
      ASSERT_EQ(scale, max_abs / 127.0f);
      bool hit_extreme = false;
      for (size_t k = 0; k < d; ++k) {
        ASSERT_GE(out[k], -127);
        ASSERT_LE(out[k], 127);
        hit_extreme |= (out[k] == 127 || out[k] == -127);
        // scale/2, plus the rounding of x/scale (done in double: ~127 * 2^-53).
        const double err = std::fabs(static_cast<double>(x[k]) - static_cast<double>(out[k]) * scale);
        ASSERT_LE(err, 0.5 * scale * (1 + 1e-6)) << "d=" << d << " k=" << k;
      }
      EXPECT_TRUE(hit_extreme);
    }
  }
}

TEST(KernelsConversionTest, QuantizeInt8ZeroVector) {
  const std::vector<float> x(9, 0.0f);
  std::vector<int8_t> out(9, 5);
  EXPECT_EQ(QuantizeInt8(x.data(), x.size(), out.data()), 0.0f);
  EXPECT_EQ(out, std::vector<int8_t>(9, 0));
}

// A vectors file whose row checksums match may still hold rows no writer makes: NaN,
// inf, or components so small that the scale underflows to 0 (found by the
// vector_replay fuzz target: fuzz/regressions/vector_replay/). The int8 copy of such
// a row must not convert NaN (x/0 included) to an integer: undefined behaviour.
TEST(KernelsConversionTest, QuantizeInt8NonFinite) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {nan, inf, -inf, 0.5f, -1.0f};
  std::vector<int8_t> out(x.size(), 5);
  EXPECT_EQ(QuantizeInt8(x.data(), x.size(), out.data()), 1.0f / 127.0f);
  EXPECT_EQ(out, std::vector<int8_t>({0, 127, -127, 64, -127}));

  const std::vector<float> none = {nan, inf, 0.0f, -nan};
  std::vector<int8_t> zeros(none.size(), 5);
  EXPECT_EQ(QuantizeInt8(none.data(), none.size(), zeros.data()), 0.0f);
  EXPECT_EQ(zeros, std::vector<int8_t>(none.size(), 0));

  // max |x| / 127 underflows to 0: no 0/0, the zero vector.
  const float tiny = std::numeric_limits<float>::denorm_min();
  const std::vector<float> small = {tiny, -tiny, 0.0f};
  std::vector<int8_t> small_out(small.size(), 5);
  EXPECT_EQ(QuantizeInt8(small.data(), small.size(), small_out.data()), 0.0f);
  EXPECT_EQ(small_out, std::vector<int8_t>(small.size(), 0));
}

TEST(KernelsConversionTest, HalfKnownValues) {
  struct Case {
    uint16_t half;
    float value;
  };
  const Case kCases[] = {
      {0x3c00, 1.0f},          {0xbc00, -1.0f},           {0x4000, 2.0f},
      {0xc000, -2.0f},         {0x3800, 0.5f},            {0x7bff, 65504.0f},
      {0xfbff, -65504.0f},     {0x0400, 0x1p-14f},        {0x03ff, 0x1p-14f - 0x1p-24f},
      {0x0001, 0x1p-24f},      {0x8001, -0x1p-24f},       {0x0000, 0.0f},
      {0x3555, 0.333251953125f}, {0x3c01, 1.0f + 0x1p-10f},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(HalfToFloat(c.half), c.value) << std::hex << c.half;
    EXPECT_EQ(FloatToHalf(c.value), c.half) << c.value;
  }
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_TRUE(std::signbit(HalfToFloat(0x8000)));
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(HalfToFloat(0x7c00), inf);
  EXPECT_EQ(HalfToFloat(0xfc00), -inf);
  EXPECT_EQ(FloatToHalf(inf), 0x7c00);
  EXPECT_EQ(FloatToHalf(-inf), 0xfc00);
  const uint16_t nan = FloatToHalf(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
  EXPECT_TRUE(std::isnan(HalfToFloat(nan)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7e00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0xfc01)));
}

TEST(KernelsConversionTest, FloatToHalfRoundsToNearestEven) {
  EXPECT_EQ(FloatToHalf(65519.0f), 0x7bff);       // below the midpoint to 2^16
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);       // midpoint, 0x7bff is odd: to inf
  EXPECT_EQ(FloatToHalf(1e6f), 0x7c00);           // overflow
  EXPECT_EQ(FloatToHalf(-1e6f), 0xfc00);
  EXPECT_EQ(FloatToHalf(1.0f + 0x1p-11f), 0x3c00);  // tie: down to even
  EXPECT_EQ(FloatToHalf(1.0f + 3 * 0x1p-11f), 0x3c02);  // tie: up to even
  EXPECT_EQ(FloatToHalf(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);  // just above the tie
  EXPECT_EQ(FloatToHalf(2047.0f / 1024.0f + 0x1p-11f), 0x4000);  // carry into exponent
  // Subnormal halves (unit 2^-24).
  EXPECT_EQ(FloatToHalf(0x1p-25f), 0x0000);                       // tie: to even (0)
  EXPECT_EQ(FloatToHalf(std::nextafter(0x1p-25f, 1.0f)), 0x0001);  // just above
  EXPECT_EQ(FloatToHalf(3 * 0x1p-25f), 0x0002);                   // tie 1.5: to 2
  EXPECT_EQ(FloatToHalf(5 * 0x1p-25f), 0x0002);                   // tie 2.5: to 2
  EXPECT_EQ(FloatToHalf(0x1p-14f - 0x1p-25f), 0x0400);  // tie 1023.5: up to the normal
  EXPECT_EQ(FloatToHalf(1e-10f), 0x0000);
  EXPECT_EQ(FloatToHalf(-1e-10f), 0x8000);
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::denorm_min()), 0x0000);
}

// Every half converts to float and back to itself (NaNs: stay NaN with their sign).
// HalfToFloat is also checked against an independent formula.
TEST(KernelsConversionTest, HalfRoundTripAll65536) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const auto half = static_cast<uint16_t>(h);
    const float f = HalfToFloat(half);
    const uint32_t exp = (h >> 10) & 0x1f;
    const uint32_t mant = h & 0x3ff;
    const bool negative = (h & 0x8000) != 0;
    if (exp == 31 && mant != 0) {
      ASSERT_TRUE(std::isnan(f)) << h;
      const uint16_t back = FloatToHalf(f);
      ASSERT_EQ(back & 0x7c00, 0x7c00) << h;
      ASSERT_NE(back & 0x3ff, 0) << h;
      ASSERT_EQ((back & 0x8000) != 0, negative) << h;
      continue;
    }
    double want;
    if (exp == 0) {
      want = std::ldexp(static_cast<double>(mant), -24);
    } else if (exp == 31) {
      want = std::numeric_limits<double>::infinity();
    } else {
      want = std::ldexp(static_cast<double>(mant + 1024), static_cast<int>(exp) - 25);
    }
    ASSERT_EQ(static_cast<double>(f), negative ? -want : want) << h;
    ASSERT_EQ(std::signbit(f), negative) << h;
    ASSERT_EQ(FloatToHalf(f), half) << h;
  }
}

// Random floats in the half range: the result is the nearest half, ties to even.
TEST(KernelsConversionTest, FloatToHalfIsNearest) {
  std::mt19937 rng(20);
  std::uniform_int_distribution<uint32_t> bits(0, 0x477fefffu);  // |f| < 65520, finite
  for (int i = 0; i < 200000; ++i) {
    const uint32_t b = bits(rng);
    float f;
    std::memcpy(&f, &b, sizeof(f));
    const uint16_t h = FloatToHalf(f);
    ASSERT_EQ(h & 0x8000, 0);
    const double x = f;
    const double err = std::fabs(x - HalfToFloat(h));
    for (int delta : {-1, 1}) {
      const int nb = static_cast<int>(h) + delta;
      if (nb < 0 || nb > 0x7bff) {
        continue;
      }
      const double nerr = std::fabs(x - HalfToFloat(static_cast<uint16_t>(nb)));
      ASSERT_LE(err, nerr) << std::hexfloat << f;
      if (err == nerr) {
        ASSERT_EQ(h & 1, 0) << "tie not to even: " << std::hexfloat << f;
      }
    }
  }
}

TEST(KernelsConversionTest, FloatsToHalves) {
  const float x[] = {1.0f, -2.0f, 65504.0f, 0x1p-24f};
  uint16_t out[4] = {};
  FloatsToHalves(x, 4, out);
  EXPECT_EQ(out[0], 0x3c00);
  EXPECT_EQ(out[1], 0xc000);
  EXPECT_EQ(out[2], 0x7bff);
  EXPECT_EQ(out[3], 0x0001);
}

TEST(KernelsConversionTest, NormalizeInPlace) {
  std::mt19937 rng(21);
  for (size_t d : kDims) {
    for (float magnitude : {1e-30f, 1.0f, 1e30f}) {
      std::vector<float> x = RandomFloats(rng, d);
      x[0] = magnitude;  // never all zero
      for (size_t k = 1; k < d; ++k) {
        x[k] *= magnitude;
      }
      ASSERT_TRUE(NormalizeInPlace(x.data(), d));
      double sum = 0;
      for (float v : x) {
        sum += static_cast<double>(v) * v;
      }
      EXPECT_NEAR(std::sqrt(sum), 1.0, 1e-6) << "d=" << d << " magnitude=" << magnitude;
    }
  }
}

TEST(KernelsConversionTest, NormalizeRejectsZeroAndNonFinite) {
  std::vector<float> zero(8, 0.0f);
  EXPECT_FALSE(NormalizeInPlace(zero.data(), zero.size()));
  EXPECT_EQ(zero, std::vector<float>(8, 0.0f));

  const std::vector<float> with_inf = {1.0f, std::numeric_limits<float>::infinity(), 2.0f};
  std::vector<float> x = with_inf;
  EXPECT_FALSE(NormalizeInPlace(x.data(), x.size()));
  EXPECT_EQ(x, with_inf);

  std::vector<float> with_nan = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_FALSE(NormalizeInPlace(with_nan.data(), with_nan.size()));
  EXPECT_EQ(with_nan[0], 1.0f);
}

}  // namespace
}  // namespace urd::vec
