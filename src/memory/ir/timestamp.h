// Copyright urd authors. Timestamp text <-> milliseconds since the Unix epoch (UTC),
// as the memory write language reads them (docs/language.md §3).
//
// Thread-safety: pure functions.

#ifndef URD_MEMORY_IR_TIMESTAMP_H_
#define URD_MEMORY_IR_TIMESTAMP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace urd::mem {

// Converts timestamp text to milliseconds since 1970-01-01T00:00:00Z, exactly as
// mimir-core 0.1.0 does:
//  * exactly 10 characters `YYYY-MM-DD`: midnight UTC of that day;
//  * otherwise at least 20 characters with 'T' at index 10: every trailing 'Z' is
//    stripped, then `HH:MM:SS` (exactly three all-digit parts, not range-checked:
//    25:99:99 is accepted) optionally followed by `.` and one or more digits of
//    which the first three are used, right-padded (`.5` is 500 ms, `.05` 50 ms).
// The date is proleptic Gregorian; years before 1970 are rejected, the month must be
// 1 to 12 and the day 1 to 31 (no per-month check: 2024-02-31 is 2024-03-02).
// Returns nullopt for anything else, including a result that overflows uint64 or
// equals UINT64_MAX (the reserved clock sentinel). `2024-01-15T10:00:00` (19
// characters, no Z) is rejected.
std::optional<uint64_t> ParseTimestampMillis(std::string_view text);

// Formats `millis` so that ParseTimestampMillis() returns `millis` again:
// `YYYY-MM-DD` at exactly midnight, else `YYYY-MM-DDTHH:MM:SSZ` when the
// milliseconds are 0, else `YYYY-MM-DDTHH:MM:SS.mmmZ`. Instants from year 10000 on
// have no 4-digit year; they are written as `9999-12-31T<hours>:MM:SS[.mmm]Z` with
// the hours counted past 9999-12-31 (hours are not range-checked). The output also
// lexes as a single Timestamp token. REQUIRES: millis != UINT64_MAX.
std::string FormatTimestampMillis(uint64_t millis);

}  // namespace urd::mem

#endif  // URD_MEMORY_IR_TIMESTAMP_H_
