// Copyright urd authors.

#include "base/clock.h"

#include <cassert>
#include <chrono>

namespace urd {
namespace {

class SystemClockImpl final : public Clock {
 public:
  // C++20 fixes system_clock's epoch to the Unix epoch.
  int64_t NowMillis() override { return Since<std::chrono::milliseconds>(WallNow()); }
  int64_t NowMicros() override { return Since<std::chrono::microseconds>(WallNow()); }
  int64_t MonotonicNanos() override {
    return Since<std::chrono::nanoseconds>(std::chrono::steady_clock::now());
  }

 private:
  static std::chrono::system_clock::time_point WallNow() {
    return std::chrono::system_clock::now();
  }
  template <typename Unit, typename TimePoint>
  static int64_t Since(TimePoint t) {
    return static_cast<int64_t>(std::chrono::duration_cast<Unit>(t.time_since_epoch()).count());
  }
};

}  // namespace

Clock* SystemClock() {
  // Never destroyed, so threads still running at exit can use it.
  static SystemClockImpl* const clock = new SystemClockImpl();
  return clock;
}

int64_t ManualClock::NowMillis() {
  const int64_t micros = NowMicros();
  // Floor division, so -1 µs is in millisecond -1, not 0.
  return micros >= 0 ? micros / 1000 : -((-(micros + 1)) / 1000) - 1;
}

void ManualClock::AdvanceMicros(int64_t delta_micros) {
  assert(delta_micros >= 0);
  wall_micros_.fetch_add(delta_micros, std::memory_order_relaxed);
  monotonic_nanos_.fetch_add(delta_micros * 1000, std::memory_order_relaxed);
}

}  // namespace urd
