// Copyright urd authors. The canonical binary form of memory-store records: the
// 19 opcodes of mimir-core 0.1.0 (reference/mimir-core.md §5), their record
// structs, an encoder and a strict decoder.
//
// Thread-safety: pure functions; calls on distinct buffers may run concurrently.
//
// Framing: record := opcode:u8  varint(body_len)  body{body_len}
//
// Primitives inside bodies (base/varint.h):
//   varint     unsigned LEB128, shortest form only, at most 10 bytes
//   zigzag     ZigZagEncode() then varint
//   u8/u16/u64 fixed width, little-endian
//   clock      u64 LE; 0xFFFF_FFFF_FFFF_FFFF (kClockSentinel) is rejected
//   clock?     u64 LE; the sentinel means "none" (only invalid_at)
//   symbol     varint (a SymbolId)
//   conf       u16 LE (Confidence::raw)
//   string     varint(len) + len bytes of UTF-8
//   value      tag:u8 + payload: 01 symbol · 02 zigzag · 03 f64 LE bits ·
//              04 u8 (0 false; the decoder reads any non-zero as true) ·
//              05 string · 06 clock
//
// Bodies, in order (n = varint count, then n symbols):
//   01 SEM        memory_id s p o:value source conf valid_at observed_at
//                 committed_at invalid_at? flags:u8 (bit0 projected)
//   02 EPI        memory_id event_id kind n participant×n location at_time
//                 observed_at source conf committed_at invalid_at?   (no flags)
//   03 PRO        memory_id rule_id trigger:value action:value has_pre:u8 (0|1)
//                 [pre:value] scope source conf valid_at observed_at committed_at
//                 invalid_at?                                        (no flags)
//   04 INF        memory_id s p o:value n parent×n method conf valid_at
//                 observed_at committed_at invalid_at? flags:u8 (bit0 projected,
//                 bit1 stale)
//   10..13        SUPERSEDES CORRECTS STALE_PARENT RECONFIRMS: from to at
//   20 CHECKPOINT episode_id at memory_count:varint
//   21 EPISODE_META episode_id at varint(label_len) label (0 = none)
//                 parent_tag:u8 (0 none | 1 followed by a symbol) n retracted×n
//   30..34        SYMBOL_ALLOC RENAME ALIAS RETIRE UNRETIRE:
//                 symbol_id string(name) kind:u8 (SymbolKind ordinal, <= 11) at
//   35..38        PIN UNPIN AUTHORITATIVE_SET AUTHORITATIVE_CLEAR:
//                 memory_id at actor
// 0x00, 0xFF and every other opcode are unknown. There are no checksums: the
// enclosing log frames carry them.
//
// Example: Checkpoint{episode 42, at 1700000000000, memory_count 3} encodes as
//   20 0a 2a 00 68 e5 cf 8b 01 00 00 03

#ifndef URD_MEMORY_CANONICAL_H_
#define URD_MEMORY_CANONICAL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "memory/types.h"
#include "urd/status.h"

namespace urd::mem {

// The header of a mimir-core 0.1.0 `canonical.log` (§6.1): "MIMR" then u32 LE
// version 1, followed by the record stream. Used by the golden-file tests and
// by importers; urd's own memory log frames records with its log format.
inline constexpr char kMimirLogMagic[4] = {'M', 'I', 'M', 'R'};
inline constexpr uint32_t kMimirLogVersion = 1;
inline constexpr size_t kMimirLogHeaderSize = 8;

enum class Opcode : uint8_t {
  kSem = 0x01,
  kEpi = 0x02,
  kPro = 0x03,
  kInf = 0x04,
  kSupersedes = 0x10,
  kCorrects = 0x11,
  kStaleParent = 0x12,
  kReconfirms = 0x13,
  kCheckpoint = 0x20,
  kEpisodeMeta = 0x21,
  kSymbolAlloc = 0x30,
  kSymbolRename = 0x31,
  kSymbolAlias = 0x32,
  kSymbolRetire = 0x33,
  kSymbolUnretire = 0x34,
  kPin = 0x35,
  kUnpin = 0x36,
  kAuthoritativeSet = 0x37,
  kAuthoritativeClear = 0x38,
};

inline constexpr int kOpcodeCount = 19;

// The 19 opcodes in ascending order.
extern const Opcode kAllOpcodes[kOpcodeCount];

// "SEM", "SUPERSEDES", "SYMBOL_ALLOC", ...; "UNKNOWN" for a value not listed.
std::string_view OpcodeName(Opcode op);

// The opcode with this byte value; nullopt for an unknown byte.
std::optional<Opcode> OpcodeFromByte(uint8_t byte);

// ---- Records ----
// Fields are in wire order. `invalid_at` is the only optional clock. Every clock
// field (and every Timestamp value) must differ from kClockSentinel, names and
// labels and string values must be valid UTF-8: records that break this encode
// but do not decode.

struct SemRecord {
  SymbolId memory_id = 0;
  SymbolId s = 0;
  SymbolId p = 0;
  Value o;
  SymbolId source = 0;
  Confidence confidence;
  ClockTime valid_at = 0;
  ClockTime observed_at = 0;
  ClockTime committed_at = 0;
  std::optional<ClockTime> invalid_at;
  bool projected = false;

  friend bool operator==(const SemRecord&, const SemRecord&) = default;
};

struct EpiRecord {
  SymbolId memory_id = 0;
  SymbolId event_id = 0;
  SymbolId kind = 0;  // the event type symbol
  std::vector<SymbolId> participants;
  SymbolId location = 0;
  ClockTime at_time = 0;
  ClockTime observed_at = 0;
  SymbolId source = 0;
  Confidence confidence;
  ClockTime committed_at = 0;
  std::optional<ClockTime> invalid_at;

  friend bool operator==(const EpiRecord&, const EpiRecord&) = default;
};

struct ProRecord {
  SymbolId memory_id = 0;
  SymbolId rule_id = 0;
  Value trigger;
  Value action;
  std::optional<Value> precondition;
  SymbolId scope = 0;
  SymbolId source = 0;
  Confidence confidence;
  ClockTime valid_at = 0;
  ClockTime observed_at = 0;
  ClockTime committed_at = 0;
  std::optional<ClockTime> invalid_at;

  friend bool operator==(const ProRecord&, const ProRecord&) = default;
};

struct InfRecord {
  SymbolId memory_id = 0;
  SymbolId s = 0;
  SymbolId p = 0;
  Value o;
  std::vector<SymbolId> derived_from;
  SymbolId method = 0;
  Confidence confidence;
  ClockTime valid_at = 0;
  ClockTime observed_at = 0;
  ClockTime committed_at = 0;
  std::optional<ClockTime> invalid_at;
  bool projected = false;
  bool stale = false;

  friend bool operator==(const InfRecord&, const InfRecord&) = default;
};

// SUPERSEDES, CORRECTS, STALE_PARENT (from = the inferential, to = its superseded
// parent), RECONFIRMS.
enum class EdgeKind : uint8_t { kSupersedes, kCorrects, kStaleParent, kReconfirms };

struct EdgeRecord {
  EdgeKind kind = EdgeKind::kSupersedes;
  SymbolId from = 0;
  SymbolId to = 0;
  ClockTime at = 0;

  friend bool operator==(const EdgeRecord&, const EdgeRecord&) = default;
};

// The commit marker that ends every batch.
struct CheckpointRecord {
  SymbolId episode_id = 0;
  ClockTime at = 0;
  uint64_t memory_count = 0;

  friend bool operator==(const CheckpointRecord&, const CheckpointRecord&) = default;
};

struct EpisodeMetaRecord {
  SymbolId episode_id = 0;
  ClockTime at = 0;
  std::string label;  // empty = no label (the wire cannot tell them apart)
  std::optional<SymbolId> parent;
  std::vector<SymbolId> retracted;

  friend bool operator==(const EpisodeMetaRecord&, const EpisodeMetaRecord&) = default;
};

// SYMBOL_ALLOC (name = canonical name), SYMBOL_RENAME (name = the new canonical
// name), SYMBOL_ALIAS (name = the alias), SYMBOL_RETIRE (name = the canonical name
// at retirement), SYMBOL_UNRETIRE.
enum class SymbolEventKind : uint8_t { kAlloc, kRename, kAlias, kRetire, kUnretire };

struct SymbolEventRecord {
  SymbolEventKind kind = SymbolEventKind::kAlloc;
  SymbolId symbol_id = 0;
  std::string name;
  SymbolKind symbol_kind = SymbolKind::kAgent;
  ClockTime at = 0;

  friend bool operator==(const SymbolEventRecord&, const SymbolEventRecord&) = default;
};

// PIN, UNPIN, AUTHORITATIVE_SET, AUTHORITATIVE_CLEAR.
enum class FlagKind : uint8_t { kPin, kUnpin, kAuthoritativeSet, kAuthoritativeClear };

struct FlagRecord {
  FlagKind kind = FlagKind::kPin;
  SymbolId memory_id = 0;
  ClockTime at = 0;
  SymbolId actor = 0;

  friend bool operator==(const FlagRecord&, const FlagRecord&) = default;
};

// One record of the canonical stream. The tagged alternatives (edges, symbol
// events, flags) carry their opcode in their `kind`.
using CanonicalRecord =
    std::variant<SemRecord, EpiRecord, ProRecord, InfRecord, EdgeRecord, CheckpointRecord,
                 EpisodeMetaRecord, SymbolEventRecord, FlagRecord>;

// The opcode `record` encodes with.
Opcode OpcodeOf(const CanonicalRecord& record);

// The record's commit clock: committed_at for SEM/EPI/PRO/INF, `at` for every
// other record. Replay restores the monotonic watermark from it.
ClockTime CommitClock(const CanonicalRecord& record);

// For logs and error messages, identifiers only (never payloads): "SEM #4",
// "SUPERSEDES #7->#3", "SYMBOL_ALLOC #0", "CHECKPOINT #5", "PIN #4".
std::string RecordName(const CanonicalRecord& record);

// ---- Encoding ----

// Appends the framed encoding of `record` to `*out`. Deterministic: equal records
// give equal bytes.
void EncodeRecord(const CanonicalRecord& record, std::string* out);

// ---- Decoding ----

enum class DecodeErrorKind : uint8_t {
  kOk = 0,                 // no error
  kTruncated,              // the input (or a body) ends inside a field or a count
                           // exceeds the bytes left
  kLengthMismatch,         // the declared body runs past the end of the input
  kUnknownOpcode,          // not one of the 19 opcodes
  kUnknownValueTag,        // a value tag other than 01..06
  kInvalidString,          // a name, label or string is not UTF-8; or an
                           // EPISODE_META parent tag other than 0/1
  kReservedClockSentinel,  // a clock (other than invalid_at) is u64 max
  kUnknownSymbolKind,      // a symbol kind ordinal above 11
  kBodyUnderflow,          // the body has bytes left after its last field
  kVarintOverflow,         // a varint longer than 10 bytes or above 2^64 - 1
  kNonCanonicalVarint,     // a varint longer than its shortest form
  kInvalidFlagBits,        // a reserved flag bit is set
  kInvalidDiscriminant,    // PRO has_pre other than 0/1
};

// "ok", "truncated", "length mismatch", ...
std::string_view DecodeErrorKindName(DecodeErrorKind kind);

struct [[nodiscard]] DecodeError {
  DecodeErrorKind kind = DecodeErrorKind::kOk;
  // Byte offset, from the start of the decoded input, of the field at which
  // decoding failed (0 when ok()).
  uint64_t offset = 0;

  bool ok() const { return kind == DecodeErrorKind::kOk; }
  // "ok" or "<kind name> at offset N".
  std::string ToString() const;
  // OK, or Corruption carrying ToString().
  Status ToStatus() const;
};

// Decodes one record from the front of `*in`.
// On success: stores it in `*out`, advances `*in` past it and returns ok().
// On error: returns the error; `*in` and `*out` are unchanged. Never reads past
// `*in`, and never allocates more than a small multiple of in->size().
DecodeError DecodeRecord(std::string_view* in, CanonicalRecord* out);

// Decodes a whole record stream. On success appends every record to `*out`. On
// error returns it with the offset measured from the start of `in`; `*out` then
// holds the records before the failing one.
DecodeError DecodeAll(std::string_view in, std::vector<CanonicalRecord>* out);

}  // namespace urd::mem

#endif  // URD_MEMORY_CANONICAL_H_
