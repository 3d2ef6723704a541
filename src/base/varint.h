// Copyright urd authors. Varints (unsigned LEB128, ZigZag for signed values) and
// little-endian fixed-width integers: the byte-level encodings of urd's formats.
//
// Thread-safety: every function is pure apart from writing through its arguments;
// calls on distinct buffers may run concurrently.
//
// Varint format: 7 payload bits per byte, least significant group first; the high
// bit of a byte is set when another byte follows. A uint64_t takes 1..10 bytes.
// The decoders are strict, so every value has exactly one accepted encoding:
//   - at most kMaxVarint64Bytes bytes, and the 10th byte's payload is 0 or 1
//     (anything larger, or a continuation bit on the 10th byte, is kOverflow);
//   - the encoding is the shortest possible: a last byte of 0x00 after other bytes
//     (e.g. `80 00`) is kNonCanonical. A lone `00` is the value 0.
// The encoders always produce the canonical form.
//
// Fixed-width integers are stored little-endian whatever the host byte order.

#ifndef URD_BASE_VARINT_H_
#define URD_BASE_VARINT_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace urd {

// The longest encoding of a uint64_t.
constexpr size_t kMaxVarint64Bytes = 10;
// The longest encoding of a uint32_t.
constexpr size_t kMaxVarint32Bytes = 5;

// ---- Unsigned varints ----

// Appends the canonical encoding of `v` to `*dst`.
void PutVarint64(std::string* dst, uint64_t v);

// Writes the canonical encoding of `v` at `dst` and returns the number of bytes
// written (1..10). REQUIRES: `dst` has room for VarintLength(v) bytes
// (kMaxVarint64Bytes always suffices).
size_t EncodeVarint64(char* dst, uint64_t v);

// The number of bytes EncodeVarint64(v) writes: 1..10.
size_t VarintLength(uint64_t v);

enum class VarintError {
  kOk,            // decoded; the input was advanced
  kTruncated,     // the input ends before the last byte of the varint
  kOverflow,      // the value does not fit the target type
  kNonCanonical,  // a longer encoding than necessary (e.g. `80 00`)
};

// The name of an error, e.g. "truncated", for messages.
std::string_view VarintErrorName(VarintError error);

// Decodes one varint from the front of `*input`.
// On kOk: stores the value in `*value` and advances `*input` past the varint.
// Otherwise: `*input` and `*value` are unchanged.
VarintError DecodeVarint64(std::string_view* input, uint64_t* value);

// As DecodeVarint64(), and also kOverflow for values above UINT32_MAX.
VarintError DecodeVarint32(std::string_view* input, uint32_t* value);

// DecodeVarint64(input, value) == VarintError::kOk.
bool GetVarint64(std::string_view* input, uint64_t* value);
// DecodeVarint32(input, value) == VarintError::kOk.
bool GetVarint32(std::string_view* input, uint32_t* value);

// ---- Signed varints (ZigZag) ----

// Maps signed to unsigned so that small magnitudes encode short:
// 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, ..., INT64_MIN -> UINT64_MAX.
// Equals (v << 1) ^ (v >> 63) with an arithmetic shift, computed without UB.
constexpr uint64_t ZigZagEncode(int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v);
  return (u << 1) ^ (0 - (u >> 63));
}

// The inverse of ZigZagEncode(); every uint64_t maps to exactly one int64_t.
constexpr int64_t ZigZagDecode(uint64_t u) {
  return static_cast<int64_t>((u >> 1) ^ (0 - (u & 1)));
}

// Appends the varint of ZigZagEncode(v).
void PutVarsint64(std::string* dst, int64_t v);

// Decodes a ZigZag varint; errors and input handling as DecodeVarint64().
VarintError DecodeVarsint64(std::string_view* input, int64_t* value);

// ---- Fixed-width little-endian integers ----
// Encode* write exactly 2, 4 or 8 bytes at `dst`; Decode* read as many from `p`.
// No alignment is required.

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "mixed-endian hosts are not supported");

namespace varint_internal {

template <typename T>
inline void EncodeFixed(char* dst, T v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(dst, &v, sizeof(T));
  } else {
    for (size_t i = 0; i < sizeof(T); ++i) {
      dst[i] = static_cast<char>(static_cast<unsigned char>(v >> (8 * i)));
    }
  }
}

template <typename T>
inline T DecodeFixed(const char* p) {
  T v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, sizeof(T));
  } else {
    for (size_t i = 0; i < sizeof(T); ++i) {
      v |= static_cast<T>(static_cast<T>(static_cast<unsigned char>(p[i])) << (8 * i));
    }
  }
  return v;
}

}  // namespace varint_internal

inline void EncodeFixed16(char* dst, uint16_t v) { varint_internal::EncodeFixed(dst, v); }
inline void EncodeFixed32(char* dst, uint32_t v) { varint_internal::EncodeFixed(dst, v); }
inline void EncodeFixed64(char* dst, uint64_t v) { varint_internal::EncodeFixed(dst, v); }

inline uint16_t DecodeFixed16(const char* p) { return varint_internal::DecodeFixed<uint16_t>(p); }
inline uint32_t DecodeFixed32(const char* p) { return varint_internal::DecodeFixed<uint32_t>(p); }
inline uint64_t DecodeFixed64(const char* p) { return varint_internal::DecodeFixed<uint64_t>(p); }

// Append the 2, 4 or 8 little-endian bytes of `v` to `*dst`.
void PutFixed16(std::string* dst, uint16_t v);
void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);

}  // namespace urd

#endif  // URD_BASE_VARINT_H_
