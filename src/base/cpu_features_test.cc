// Copyright urd authors.

#include "base/cpu_features.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace urd {
namespace {

TEST(CpuFeaturesTest, ComputedOnceAndSharedAcrossThreads) {
  const CpuFeatures* first = &GetCpuFeatures();
  std::vector<const CpuFeatures*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = &GetCpuFeatures(); });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  for (const CpuFeatures* p : seen) {
    EXPECT_EQ(p, first);
  }
}

TEST(CpuFeaturesTest, LevelsFormAChain) {
  const CpuFeatures& f = GetCpuFeatures();
  const bool any_avx512 = f.avx512f || f.avx512bw || f.avx512dq || f.avx512vl;
  if (any_avx512) {
    EXPECT_TRUE(f.avx512f);
    EXPECT_TRUE(f.avx2);
    EXPECT_TRUE(f.fma);
    EXPECT_TRUE(f.f16c);
  }
  if (f.avx2) {
    EXPECT_TRUE(f.sse42);
  }
}

TEST(CpuFeaturesTest, ArchitectureSpecificFlags) {
  const CpuFeatures& f = GetCpuFeatures();
#if defined(__x86_64__)
  EXPECT_FALSE(f.neon);
  // Cross-check with the compiler runtime, which also consults cpuid and xgetbv.
  __builtin_cpu_init();
  EXPECT_EQ(f.sse42, __builtin_cpu_supports("sse4.2") != 0);
  EXPECT_EQ(f.avx2, __builtin_cpu_supports("avx2") != 0);
  if (f.avx512f) {
    EXPECT_TRUE(__builtin_cpu_supports("avx512f"));
  }
  if (f.avx2) {
    EXPECT_EQ(f.fma, __builtin_cpu_supports("fma") != 0);
  }
#elif defined(__aarch64__)
  EXPECT_TRUE(f.neon);
  EXPECT_FALSE(f.sse42 || f.avx2 || f.avx512f);
#else
  EXPECT_EQ(CpuFeaturesString(), "");
#endif
}

TEST(CpuFeaturesTest, StringListsExactlyWhatIsSet) {
  const CpuFeatures& f = GetCpuFeatures();
  const std::string s = " " + CpuFeaturesString() + " ";
  auto listed = [&s](const char* name) {
    return s.find(std::string(" ") + name + " ") != std::string::npos;
  };
  EXPECT_EQ(listed("sse4.2"), f.sse42);
  EXPECT_EQ(listed("avx2"), f.avx2);
  EXPECT_EQ(listed("fma"), f.fma);
  EXPECT_EQ(listed("f16c"), f.f16c);
  EXPECT_EQ(listed("avx512f"), f.avx512f);
  EXPECT_EQ(listed("avx512bw"), f.avx512bw);
  EXPECT_EQ(listed("avx512dq"), f.avx512dq);
  EXPECT_EQ(listed("avx512vl"), f.avx512vl);
  EXPECT_EQ(listed("neon"), f.neon);
}

TEST(CpuFeaturesTest, StringFormat) {
  EXPECT_EQ(CpuFeaturesString(CpuFeatures{}), "");
  CpuFeatures all{true, true, true, true, true, true, true, true, true};
  EXPECT_EQ(CpuFeaturesString(all), "sse4.2 avx2 fma f16c avx512f avx512bw avx512dq avx512vl neon");
  CpuFeatures some;
  some.sse42 = true;
  some.avx2 = true;
  EXPECT_EQ(CpuFeaturesString(some), "sse4.2 avx2");
}

}  // namespace
}  // namespace urd
