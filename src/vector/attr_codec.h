// Copyright urd authors. The binary encoding of Attrs inside the vector store's log
// records (docs/format.md refers here), plus the write-side validation of Attrs.
//
// Thread-safety: pure functions; calls on distinct buffers may run concurrently.
//
// Encoding (versionless: the enclosing record format carries the version). Varints
// are the strict unsigned LEB128 of base/varint.h; "zigzag" is ZigZagEncode().
//
//   attrs    := varint(count) entry{count}
//   entry    := varint(key_len) key_bytes{key_len} type:u8 payload
//   type     := Value::Type: 0 null, 1 string, 2 int, 3 float, 4 bool, 5 list
//   payload  := null:   (nothing)
//               string: varint(len) bytes{len}
//               int:    varint(zigzag(v))
//               float:  8 bytes, the IEEE-754 binary64 bits, little-endian
//               bool:   1 byte, 0 or 1
//               list:   varint(n) (varint(len) bytes{len}){n}
//
// The encoding is canonical: keys are 1..256 bytes and strictly ascending in byte
// order (so no duplicates), varints are shortest-form, and a bool byte is 0 or 1.
// The decoder rejects anything else as Corruption, and also any count or length
// that the remaining bytes could not hold (so a damaged count cannot make it
// allocate much more than the input's size). It checks structure only: UTF-8 and
// finiteness are ValidateAttrs()'s job, done before anything is written.
//
// Example: {"n": Int(-2), "t": String("ab")} encodes as
//   02  01 'n' 02 03  01 't' 01 02 'a' 'b'

#ifndef URD_VECTOR_ATTR_CODEC_H_
#define URD_VECTOR_ATTR_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "urd/status.h"
#include "urd/value.h"

namespace urd::vec {

// Attribute keys are 1..kMaxAttrKeyBytes bytes.
constexpr size_t kMaxAttrKeyBytes = 256;

// Appends the encoding of `attrs` to `*out`. Every Attrs encodes; only attrs that
// pass ValidateAttrs() are meant to be stored (an empty or over-long key encodes
// but does not decode).
void EncodeAttrs(const Attrs& attrs, std::string* out);

// Decodes one Attrs from the front of `*in`.
// On success: stores it in `*out` (replacing its contents) and advances `*in` past
// the encoding; bytes after it are left for the caller.
// On error: Corruption naming the entry and the reason ("attrs entry 2 (key
// \"n\"): truncated float"); `*in` is unchanged and `*out` is cleared.
Status DecodeAttrs(std::string_view* in, Attrs* out);

// The write-side rules for attributes: keys of 1..256 bytes of valid UTF-8; string
// and list element values of valid UTF-8; floats finite (no NaN, no infinity).
// InvalidArgument naming the key otherwise.
Status ValidateAttrs(const Attrs& attrs);

}  // namespace urd::vec

#endif  // URD_VECTOR_ATTR_CODEC_H_
