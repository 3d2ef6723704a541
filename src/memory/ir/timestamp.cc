// Copyright urd authors.

#include "memory/ir/timestamp.h"

#include <cstdio>
#include <limits>

namespace urd::mem {

namespace {

constexpr uint64_t kMillisPerDay = 86'400'000;
constexpr uint64_t kMillisPerHour = 3'600'000;
constexpr uint64_t kMillisPerMinute = 60'000;
constexpr uint64_t kMillisPerSecond = 1'000;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
// REQUIRES: 1 <= m <= 12.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

// Inverse of DaysFromCivil for days >= 0.
CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = z / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// Parses a non-empty all-digit string; false on anything else or on overflow.
bool ParseDigits(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) return false;
  }
  *out = v;
  return true;
}

// `YYYY-MM-DD` → milliseconds at midnight.
std::optional<uint64_t> ParseDate(std::string_view date) {
  uint64_t y, m, d;
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  if (!ParseDigits(date.substr(0, 4), &y) || !ParseDigits(date.substr(5, 2), &m) ||
      !ParseDigits(date.substr(8, 2), &d)) {
    return std::nullopt;
  }
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const int64_t days =
      DaysFromCivil(static_cast<int64_t>(y), static_cast<int64_t>(m), static_cast<int64_t>(d));
  return static_cast<uint64_t>(days) * kMillisPerDay;
}

// `HH:MM:SS[.f+]` (after 'T', trailing Zs stripped) → milliseconds into the day.
// The parts are not range-checked; false on overflow.
bool ParseTimeOfDay(std::string_view time, uint64_t* out) {
  uint64_t millis = 0;
  const size_t dot = time.find('.');
  if (dot != std::string_view::npos) {
    const std::string_view frac = time.substr(dot + 1);
    uint64_t ignored;
    if (!ParseDigits(frac, &ignored)) return false;
    for (size_t i = 0; i < 3; ++i) {
      millis = millis * 10 + (i < frac.size() ? static_cast<uint64_t>(frac[i] - '0') : 0);
    }
    time = time.substr(0, dot);
  }
  const size_t c1 = time.find(':');
  if (c1 == std::string_view::npos) return false;
  const size_t c2 = time.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return false;
  uint64_t h, m, s;
  if (!ParseDigits(time.substr(0, c1), &h) || !ParseDigits(time.substr(c1 + 1, c2 - c1 - 1), &m) ||
      !ParseDigits(time.substr(c2 + 1), &s)) {
    return false;  // also rejects a fourth part: "1:2:3:4" leaves "3:4" for the seconds
  }
  uint64_t total = millis;
  const uint64_t parts[3][2] = {{h, kMillisPerHour}, {m, kMillisPerMinute}, {s, kMillisPerSecond}};
  for (const auto& [value, unit] : parts) {
    uint64_t scaled;
    if (__builtin_mul_overflow(value, unit, &scaled) ||
        __builtin_add_overflow(total, scaled, &total)) {
      return false;
    }
  }
  *out = total;
  return true;
}

}  // namespace

std::optional<uint64_t> ParseTimestampMillis(std::string_view text) {
  if (text.size() == 10) return ParseDate(text);
  if (text.size() < 20 || text[10] != 'T') return std::nullopt;
  const std::optional<uint64_t> midnight = ParseDate(text.substr(0, 10));
  if (!midnight) return std::nullopt;
  std::string_view time = text.substr(11);
  while (!time.empty() && time.back() == 'Z') time.remove_suffix(1);
  uint64_t into_day;
  if (!ParseTimeOfDay(time, &into_day)) return std::nullopt;
  uint64_t total;
  if (__builtin_add_overflow(*midnight, into_day, &total)) return std::nullopt;
  if (total == std::numeric_limits<uint64_t>::max()) return std::nullopt;
  return total;
}

std::string FormatTimestampMillis(uint64_t millis) {
  // 10000-01-01T00:00:00Z: the first instant without a 4-digit year.
  static const uint64_t kYear10000 =
      static_cast<uint64_t>(DaysFromCivil(10000, 1, 1)) * kMillisPerDay;
  uint64_t days = millis / kMillisPerDay;
  if (millis >= kYear10000) days = kYear10000 / kMillisPerDay - 1;  // 9999-12-31
  const uint64_t rest = millis - days * kMillisPerDay;
  const CivilDate date = CivilFromDays(static_cast<int64_t>(days));
  char buf[96];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", static_cast<long long>(date.year),
                        date.month, date.day);
  if (rest == 0) return std::string(buf, static_cast<size_t>(n));
  const uint64_t ms = rest % kMillisPerSecond;
  n += std::snprintf(buf + n, sizeof(buf) - static_cast<size_t>(n), "T%02llu:%02llu:%02llu",
                     static_cast<unsigned long long>(rest / kMillisPerHour),
                     static_cast<unsigned long long>(rest / kMillisPerMinute % 60),
                     static_cast<unsigned long long>(rest / kMillisPerSecond % 60));
  if (ms != 0) {
    n += std::snprintf(buf + n, sizeof(buf) - static_cast<size_t>(n), ".%03llu",
                       static_cast<unsigned long long>(ms));
  }
  return std::string(buf, static_cast<size_t>(n)) + "Z";
}

}  // namespace urd::mem
