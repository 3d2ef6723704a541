// Copyright urd authors. Constants of the framed append-only log.
// The format is specified in docs/format.md §1; keep the two in step.

#ifndef URD_STORAGE_LOG_FORMAT_H_
#define URD_STORAGE_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace urd {

inline constexpr char kLogMagic[8] = {'\x89', 'U', 'R', 'D', 'L', 'O', 'G', '\n'};
inline constexpr uint32_t kLogVersion = 1;
inline constexpr size_t kLogHeaderSize = 32;
inline constexpr size_t kLogHeaderCrcOffset = 28;

inline constexpr size_t kFrameHeaderSize = 9;  // crc:4, length:4, type:1
inline constexpr uint32_t kMaxFramePayload = 64u << 20;
inline constexpr size_t kCommitPayloadSize = 16;  // sequence:8, count:4, records crc:4

enum FrameType : uint8_t {
  kRecordFrame = 1,
  kCommitFrame = 2,
};

// Which store owns a log (header field "content kind").
enum class LogKind : uint32_t {
  kGeneric = 0,
  kMemory = 1,
  kVector = 2,
};

}  // namespace urd

#endif  // URD_STORAGE_LOG_FORMAT_H_
