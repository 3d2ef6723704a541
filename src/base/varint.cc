// Copyright urd authors.

#include "base/varint.h"

#include <limits>

namespace urd {

void PutVarint64(std::string* dst, uint64_t v) {
  char buf[kMaxVarint64Bytes];
  const size_t n = EncodeVarint64(buf, v);
  dst->append(buf, n);
}

size_t EncodeVarint64(char* dst, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    dst[n++] = static_cast<char>(static_cast<unsigned char>(v | 0x80));
    v >>= 7;
  }
  dst[n++] = static_cast<char>(static_cast<unsigned char>(v));
  return n;
}

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

std::string_view VarintErrorName(VarintError error) {
  switch (error) {
    case VarintError::kOk:
      return "ok";
    case VarintError::kTruncated:
      return "truncated";
    case VarintError::kOverflow:
      return "overflow";
    case VarintError::kNonCanonical:
      return "non-canonical";
  }
  return "unknown";
}

VarintError DecodeVarint64(std::string_view* input, uint64_t* value) {
  uint64_t result = 0;
  for (size_t i = 0; i < kMaxVarint64Bytes; ++i) {
    if (i >= input->size()) {
      return VarintError::kTruncated;
    }
    const auto byte = static_cast<unsigned char>((*input)[i]);
    // The 10th byte holds bit 63 only, and may not announce an 11th byte.
    if (i == kMaxVarint64Bytes - 1 && byte > 1) {
      return VarintError::kOverflow;
    }
    result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      // A zero last byte adds nothing: a shorter encoding exists.
      if (byte == 0 && i > 0) {
        return VarintError::kNonCanonical;
      }
      *value = result;
      input->remove_prefix(i + 1);
      return VarintError::kOk;
    }
  }
  return VarintError::kOverflow;  // unreachable: the 10th byte always decides
}

VarintError DecodeVarint32(std::string_view* input, uint32_t* value) {
  std::string_view probe = *input;
  uint64_t v = 0;
  const VarintError error = DecodeVarint64(&probe, &v);
  if (error != VarintError::kOk) {
    return error;
  }
  if (v > std::numeric_limits<uint32_t>::max()) {
    return VarintError::kOverflow;
  }
  *value = static_cast<uint32_t>(v);
  *input = probe;
  return VarintError::kOk;
}

bool GetVarint64(std::string_view* input, uint64_t* value) {
  return DecodeVarint64(input, value) == VarintError::kOk;
}

bool GetVarint32(std::string_view* input, uint32_t* value) {
  return DecodeVarint32(input, value) == VarintError::kOk;
}

void PutVarsint64(std::string* dst, int64_t v) { PutVarint64(dst, ZigZagEncode(v)); }

VarintError DecodeVarsint64(std::string_view* input, int64_t* value) {
  uint64_t u = 0;
  const VarintError error = DecodeVarint64(input, &u);
  if (error == VarintError::kOk) {
    *value = ZigZagDecode(u);
  }
  return error;
}

void PutFixed16(std::string* dst, uint16_t v) {
  char buf[sizeof(v)];
  EncodeFixed16(buf, v);
  dst->append(buf, sizeof(buf));
}

void PutFixed32(std::string* dst, uint32_t v) {
  char buf[sizeof(v)];
  EncodeFixed32(buf, v);
  dst->append(buf, sizeof(buf));
}

void PutFixed64(std::string* dst, uint64_t v) {
  char buf[sizeof(v)];
  EncodeFixed64(buf, v);
  dst->append(buf, sizeof(buf));
}

}  // namespace urd
