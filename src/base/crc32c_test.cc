// Copyright urd authors.

#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/cpu_features.h"
#include "base/crc32c_internal.h"

namespace urd {
namespace {

using crc32c_internal::ExtendFn;
using crc32c_internal::ExtendPortable;

// Bit-at-a-time reference on the raw register (no inversion).
uint32_t RawBitwise(uint32_t reg, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    reg ^= p[i];
    for (int bit = 0; bit < 8; ++bit) {
      reg = (reg >> 1) ^ ((reg & 1) != 0 ? 0x82F63B78u : 0);
    }
  }
  return reg;
}

uint32_t ExtendBitwise(uint32_t crc, const char* data, size_t n) {
  return ~RawBitwise(~crc, reinterpret_cast<const unsigned char*>(data), n);
}

struct Kernel {
  const char* name;
  ExtendFn fn;
};

// Every kernel this CPU can run, the dispatched public one included.
std::vector<Kernel> Kernels() {
  std::vector<Kernel> kernels = {{"portable", &ExtendPortable}, {"dispatched", &Crc32cExtend}};
#if defined(__x86_64__)
  if (GetCpuFeatures().sse42) {
    kernels.push_back({"sse4.2", &crc32c_internal::ExtendSse42});
  }
#endif
  return kernels;
}

std::string RandomBytes(std::mt19937_64* rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) {
    c = static_cast<char>((*rng)() & 0xff);
  }
  return s;
}

TEST(Crc32cTest, Rfc3720KnownAnswers) {
  char buf[32];
  for (const Kernel& k : Kernels()) {
    SCOPED_TRACE(k.name);
    std::memset(buf, 0, sizeof(buf));
    EXPECT_EQ(k.fn(0, buf, sizeof(buf)), 0x8A9136AAu);
    std::memset(buf, 0xff, sizeof(buf));
    EXPECT_EQ(k.fn(0, buf, sizeof(buf)), 0x62A8AB43u);
    for (int i = 0; i < 32; ++i) {
      buf[i] = static_cast<char>(i);
    }
    EXPECT_EQ(k.fn(0, buf, sizeof(buf)), 0x46DD794Eu);
    for (int i = 0; i < 32; ++i) {
      buf[i] = static_cast<char>(31 - i);
    }
    EXPECT_EQ(k.fn(0, buf, sizeof(buf)), 0x113FDB5Cu);
    EXPECT_EQ(k.fn(0, "123456789", 9), 0xE3069283u);
    EXPECT_EQ(k.fn(0, nullptr, 0), 0u);
    EXPECT_EQ(k.fn(0x12345678u, nullptr, 0), 0x12345678u);
  }
  EXPECT_EQ(Crc32cValue("123456789", 9), 0xE3069283u);
}

TEST(Crc32cTest, SlicingTablesMatchBitwiseDefinition) {
  for (int slice = 0; slice < 8; ++slice) {
    for (int index = 0; index < 256; ++index) {
      unsigned char bytes[8] = {static_cast<unsigned char>(index)};  // then `slice` zeros
      ASSERT_EQ(crc32c_internal::PortableTableEntry(slice, index),
                RawBitwise(0, bytes, 1 + static_cast<size_t>(slice)))
          << "slice " << slice << " index " << index;
    }
  }
}

TEST(Crc32cTest, PortableMatchesBitwiseReference) {
  std::mt19937_64 rng(1);
  const std::string data = RandomBytes(&rng, 300 + 16);
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len = 0; len <= 300; ++len) {
      const uint32_t init = static_cast<uint32_t>(rng());
      ASSERT_EQ(ExtendPortable(init, data.data() + offset, len),
                ExtendBitwise(init, data.data() + offset, len))
          << "offset " << offset << " len " << len;
    }
  }
}

TEST(Crc32cTest, FastPathMatchesPortableAtEveryLengthAndAlignment) {
#if defined(__x86_64__)
  if (!GetCpuFeatures().sse42) {
    GTEST_SKIP() << "CPU lacks SSE4.2";
  }
  std::mt19937_64 rng(2);
  for (int round = 0; round < 4; ++round) {
    const std::string data = RandomBytes(&rng, 300 + 16);
    for (size_t offset = 0; offset < 16; ++offset) {
      for (size_t len = 0; len <= 300; ++len) {
        const uint32_t init = round == 0 ? 0 : static_cast<uint32_t>(rng());
        const char* p = data.data() + offset;
        ASSERT_EQ(crc32c_internal::ExtendSse42(init, p, len), ExtendPortable(init, p, len))
            << "offset " << offset << " len " << len;
      }
    }
  }
  const std::string big = RandomBytes(&rng, 1 << 20);
  EXPECT_EQ(crc32c_internal::ExtendSse42(0, big.data() + 1, big.size() - 1),
            ExtendPortable(0, big.data() + 1, big.size() - 1));
#else
  GTEST_SKIP() << "no fast path on this architecture";
#endif
}

TEST(Crc32cTest, ExtendEqualsValueAtEverySplitPoint) {
  std::mt19937_64 rng(3);
  const std::string data = RandomBytes(&rng, 200);
  for (const Kernel& k : Kernels()) {
    SCOPED_TRACE(k.name);
    const uint32_t whole = k.fn(0, data.data(), data.size());
    for (size_t split = 0; split <= data.size(); ++split) {
      const uint32_t head = k.fn(0, data.data(), split);
      ASSERT_EQ(k.fn(head, data.data() + split, data.size() - split), whole) << split;
    }
  }
  EXPECT_EQ(Crc32cExtend(Crc32cValue("hello ", 6), "world", 5), Crc32cValue("hello world", 11));
}

TEST(Crc32cTest, MaskRoundTripsAndIsNotIdentity) {
  const uint32_t crc = Crc32cValue("foo", 3);
  EXPECT_NE(crc, Crc32cMask(crc));
  EXPECT_NE(crc, Crc32cMask(Crc32cMask(crc)));
  EXPECT_EQ(crc, Crc32cUnmask(Crc32cMask(crc)));
  EXPECT_EQ(crc, Crc32cUnmask(Crc32cUnmask(Crc32cMask(Crc32cMask(crc)))));
  std::mt19937_64 rng(4);
  for (int i = 0; i < 10000; ++i) {
    const auto v = static_cast<uint32_t>(rng());
    ASSERT_EQ(Crc32cUnmask(Crc32cMask(v)), v);
    ASSERT_NE(Crc32cMask(v), v);
  }
  for (uint32_t v : {0u, 0xffffffffu, 0x80000000u, 1u}) {
    EXPECT_EQ(Crc32cUnmask(Crc32cMask(v)), v);
  }
  static_assert(Crc32cUnmask(Crc32cMask(0xE3069283u)) == 0xE3069283u);
}

uint32_t BrokenKernel(uint32_t crc, const char* data, size_t n) {
  // Right on the check string, wrong on anything longer than 9 bytes.
  return n > 9 ? ExtendPortable(crc, data, n) ^ 1u : ExtendPortable(crc, data, n);
}

TEST(Crc32cTest, SelfTestAcceptsCorrectAndRejectsBrokenKernels) {
  EXPECT_TRUE(crc32c_internal::PassesSelfTest(&ExtendPortable));
  EXPECT_TRUE(crc32c_internal::PassesSelfTest(&ExtendBitwise));
  EXPECT_FALSE(crc32c_internal::PassesSelfTest(&BrokenKernel));
#if defined(__x86_64__)
  if (GetCpuFeatures().sse42) {
    EXPECT_TRUE(crc32c_internal::PassesSelfTest(&crc32c_internal::ExtendSse42));
  }
#endif
}

TEST(Crc32cTest, SelectionHonoursFeaturesAndOverride) {
  using crc32c_internal::SelectImplementation;
  EXPECT_STREQ(SelectImplementation(false, nullptr).name, "portable");
  EXPECT_EQ(SelectImplementation(false, nullptr).extend, &ExtendPortable);
  const bool sse42 = GetCpuFeatures().sse42;
  EXPECT_STREQ(SelectImplementation(sse42, "portable").name, "portable");
#if defined(__x86_64__)
  const char* expected = sse42 ? "sse4.2" : "portable";
#else
  const char* expected = "portable";
#endif
  EXPECT_STREQ(SelectImplementation(sse42, nullptr).name, expected);
  EXPECT_STREQ(SelectImplementation(sse42, "something-else").name, expected);
}

TEST(Crc32cTest, ImplementationNameMatchesEnvironment) {
  const char* env = std::getenv("URD_CRC32C");
  const bool forced = env != nullptr && std::strcmp(env, "portable") == 0;
  const std::string name = Crc32cImplementation();
#if defined(__x86_64__)
  EXPECT_EQ(name, (!forced && GetCpuFeatures().sse42) ? "sse4.2" : "portable");
#else
  EXPECT_EQ(name, "portable");
  (void)forced;
#endif
}

}  // namespace
}  // namespace urd
