// Copyright urd authors. Clock: the source of time for everything in urd, so that
// tests can control it.
//
// Thread-safety: every Clock here is safe to use from many threads at once.
// SystemClock() returns a process-wide object that is never destroyed.
//
// Units:
//   NowMillis()      wall-clock milliseconds since the Unix epoch
//                    (1970-01-01T00:00:00Z, UTC, leap seconds not counted)
//   NowMicros()      wall-clock microseconds since the Unix epoch, UTC
//   MonotonicNanos() nanoseconds since an unspecified fixed point; never decreases,
//                    unaffected by changes to the wall clock. Only differences mean
//                    anything: use it to measure durations and timeouts.
// The wall clock may jump (NTP, an administrator); do not measure durations with it.

#ifndef URD_BASE_CLOCK_H_
#define URD_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace urd {

class Clock {
 public:
  virtual ~Clock() = default;

  virtual int64_t NowMillis() = 0;
  virtual int64_t NowMicros() = 0;
  virtual int64_t MonotonicNanos() = 0;
};

// The real clock: std::chrono::system_clock for wall time, steady_clock for
// monotonic time. Never null; the caller must not delete it.
Clock* SystemClock();

// A clock that moves only when told to, for tests. Starts at the given times.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t wall_micros = 0, int64_t monotonic_nanos = 0)
      : wall_micros_(wall_micros), monotonic_nanos_(monotonic_nanos) {}

  // Wall milliseconds, rounded towards negative infinity.
  int64_t NowMillis() override;
  int64_t NowMicros() override { return wall_micros_.load(std::memory_order_relaxed); }
  int64_t MonotonicNanos() override { return monotonic_nanos_.load(std::memory_order_relaxed); }

  // Sets the wall clock only (it may go backwards, as a real one can); the
  // monotonic clock is unchanged.
  void SetNowMicros(int64_t wall_micros) {
    wall_micros_.store(wall_micros, std::memory_order_relaxed);
  }

  // Moves both clocks forward by `delta_micros`. REQUIRES: delta_micros >= 0.
  void AdvanceMicros(int64_t delta_micros);
  // AdvanceMicros(delta_millis * 1000).
  void AdvanceMillis(int64_t delta_millis) { AdvanceMicros(delta_millis * 1000); }

 private:
  std::atomic<int64_t> wall_micros_;
  std::atomic<int64_t> monotonic_nanos_;
};

}  // namespace urd

#endif  // URD_BASE_CLOCK_H_
