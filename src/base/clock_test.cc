// Copyright urd authors.

#include "base/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace urd {
namespace {

TEST(ClockTest, SystemClockIsASingleton) {
  ASSERT_NE(SystemClock(), nullptr);
  EXPECT_EQ(SystemClock(), SystemClock());
}

TEST(ClockTest, SystemClockUsesUnixEpochUnits) {
  Clock* clock = SystemClock();
  // 2020-01-01T00:00:00Z .. 2200-01-01T00:00:00Z, in ms: catches wrong units or epoch.
  constexpr int64_t k2020Millis = 1577836800000;
  constexpr int64_t k2200Millis = 7258118400000;
  const int64_t millis = clock->NowMillis();
  const int64_t micros = clock->NowMicros();
  EXPECT_GT(millis, k2020Millis);
  EXPECT_LT(millis, k2200Millis);
  EXPECT_GE(micros / 1000, millis);
  EXPECT_LT(micros / 1000 - millis, 60 * 1000);
}

TEST(ClockTest, SystemMonotonicNeverDecreases) {
  Clock* clock = SystemClock();
  int64_t prev = clock->MonotonicNanos();
  for (int i = 0; i < 10000; ++i) {
    const int64_t now = clock->MonotonicNanos();
    ASSERT_GE(now, prev);
    prev = now;
  }
  const int64_t start = clock->MonotonicNanos();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_GE(clock->MonotonicNanos() - start, 2'000'000);
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(5'000'000, 100);
  EXPECT_EQ(clock.NowMicros(), 5'000'000);
  EXPECT_EQ(clock.NowMillis(), 5'000);
  EXPECT_EQ(clock.MonotonicNanos(), 100);
  clock.AdvanceMicros(1'500);
  EXPECT_EQ(clock.NowMicros(), 5'001'500);
  EXPECT_EQ(clock.NowMillis(), 5'001);
  EXPECT_EQ(clock.MonotonicNanos(), 100 + 1'500'000);
  clock.AdvanceMillis(2);
  EXPECT_EQ(clock.NowMicros(), 5'003'500);
  EXPECT_EQ(clock.MonotonicNanos(), 100 + 3'500'000);
  // Setting the wall clock back leaves the monotonic clock alone.
  clock.SetNowMicros(10);
  EXPECT_EQ(clock.NowMicros(), 10);
  EXPECT_EQ(clock.NowMillis(), 0);
  EXPECT_EQ(clock.MonotonicNanos(), 100 + 3'500'000);
}

TEST(ClockTest, ManualClockMillisRoundDown) {
  ManualClock clock;
  EXPECT_EQ(clock.NowMillis(), 0);
  clock.SetNowMicros(999);
  EXPECT_EQ(clock.NowMillis(), 0);
  clock.SetNowMicros(-1);
  EXPECT_EQ(clock.NowMillis(), -1);
  clock.SetNowMicros(-1000);
  EXPECT_EQ(clock.NowMillis(), -1);
  clock.SetNowMicros(-1001);
  EXPECT_EQ(clock.NowMillis(), -2);
}

TEST(ClockTest, ManualClockIsThreadSafe) {
  ManualClock clock;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) {
        clock.AdvanceMicros(1);
        (void)clock.MonotonicNanos();
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(clock.NowMicros(), 4000);
  EXPECT_EQ(clock.MonotonicNanos(), 4'000'000);
}

TEST(ClockTest, UsableThroughTheInterface) {
  ManualClock manual(42'000);
  Clock* clock = &manual;
  EXPECT_EQ(clock->NowMillis(), 42);
  EXPECT_EQ(clock->NowMicros(), 42'000);
  EXPECT_EQ(clock->MonotonicNanos(), 0);
}

}  // namespace
}  // namespace urd
