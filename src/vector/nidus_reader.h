// Copyright urd authors. Reads a nidus 0.3.0 store directory (the `data` and `log`
// files of reference/nidus.md §2.1–§2.5) so that `urd import nidus DIR` can copy it.
//
// Thread-safety: ReadNidusStore keeps no state between calls; concurrent calls are
// safe as far as the Env is (every Env is).
//
// The reader is strictly read-only: it opens `data` and `log` for reading through
// the Env it is given, never writes, truncates or renames anything, and never
// touches the `lock` file, so it may run beside a live nidus writer. It takes the
// snapshot a nidus 0.3.0 ReadOnly open takes (§2.10): the row count comes from the
// size of `data` when it is opened, then `log` is read and replayed, ignoring
// Upserts that reference rows beyond that count. Incomplete tails (a partial last
// row, a torn last frame) are ignored and counted, never repaired.
//
// Format summary (little-endian throughout):
//   data: 64-byte header "NIDUS\0", u16 version 1, u32 dimension, 52 zero bytes
//         (byte 12 is the distance metric in later nidus versions; 0 = cosine);
//         then rows of `dimension` f32, row i at 64 + i*dimension*4.
//   log:  frames [u32 len][payload: len bytes][u32 CRC-32 (IEEE) of payload];
//         payload = bincode-1 ("legacy", fixed-width) encoding of one Op.

#ifndef URD_VECTOR_NIDUS_READER_H_
#define URD_VECTOR_NIDUS_READER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "urd/env.h"
#include "urd/result.h"
#include "urd/status.h"
#include "urd/value.h"

namespace urd::vec {

// File names inside a store directory.
inline constexpr char kNidusDataFile[] = "data";
inline constexpr char kNidusLogFile[] = "log";

// `data` header layout.
inline constexpr size_t kNidusHeaderSize = 64;
inline constexpr char kNidusMagic[] = "NIDUS";  // 6 bytes on disk, with the NUL
inline constexpr size_t kNidusMagicSize = 6;
inline constexpr uint16_t kNidusDataVersion = 1;
inline constexpr size_t kNidusMetricOffset = 12;

// `log` frame layout: length, payload, checksum.
inline constexpr size_t kNidusFrameOverhead = 8;

// A torn tail longer than this is reported as corruption (see ReadNidusStore).
inline constexpr uint64_t kNidusMaxTornTailBytes = uint64_t{1} << 20;

// The op variants of the log, by their bincode variant index.
enum class NidusOpType : uint32_t {
  kCreateCollection = 0,
  kDropCollection = 1,
  kSetMeta = 2,
  kUpsert = 3,
  kDelete = 4,
};

// One decoded log op. Fields an op type does not have stay empty.
struct NidusOp {
  NidusOpType type = NidusOpType::kCreateCollection;
  std::string collection;
  std::string id;                           // kUpsert, kDelete
  uint64_t row = 0;                         // kUpsert
  std::map<std::string, std::string> meta;  // kSetMeta
  Attrs attrs;                              // kUpsert
};

// Decodes one log payload. nidus values map to urd values: Null -> Null,
// Str -> String, Int -> Int, Bool -> Bool, List -> List.
// Returns Corruption naming the reason when the payload is not exactly one
// well-formed Op: an unknown op or value variant, a bool byte other than 0/1,
// a string that is not valid UTF-8, a length or count larger than the bytes left
// in the payload (so a hostile length never causes a large allocation), a payload
// that ends early, or bytes left over after the Op. Maps are accepted in any key
// order; a repeated key keeps its last value (what serde does when nidus decodes).
Status DecodeNidusOp(std::string_view payload, NidusOp* op);

struct NidusDoc {
  std::string id;
  std::vector<float> vector;  // `dimension` floats, as stored (unit-normalised by nidus)
  Attrs attrs;
};

struct NidusCollection {
  std::map<std::string, std::string> meta;
  std::vector<NidusDoc> docs;  // sorted by id (byte order), ids unique
};

// The logical state of a store, as nidus 0.3.0 would rebuild it on open.
struct NidusStore {
  uint32_t dimension = 0;  // 0 only for a store with neither rows nor log
  std::map<std::string, NidusCollection> collections;
  uint64_t rows = 0;       // whole rows in `data` (live, dead and orphan)
  uint64_t dead_rows = 0;  // nidus's counter after replay: overwrites, deletes, drops
  uint64_t ops = 0;        // log frames accepted and replayed (skipped Upserts included)
  uint64_t ignored_partial_row_bytes = 0;  // trailing bytes of `data` that are not a whole row
  uint64_t ignored_torn_log_bytes = 0;     // torn tail of `log` (nidus would truncate it)
  uint64_t skipped_upserts = 0;            // Upserts whose row >= rows (nidus's reader rule)
};

// Reads the nidus 0.3.0 store in directory `dir` through `env`.
// REQUIRES: env != nullptr.
//
// On success returns the replayed state (§2.5): collections by name, each with its
// meta map and its live docs sorted by id, each doc carrying a copy of its row.
//
// A store with both `data` and `log` missing or empty reads as an empty store with
// dimension 0. Errors:
//   NotFound      `dir` does not exist.
//   Corruption    `data` shorter than its 64-byte header ("truncated"), bad magic,
//                 version 0, dimension 0; `data` missing or empty while `log` has
//                 bytes; a bad frame (CRC mismatch or undecodable payload) followed
//                 by more bytes: "<path>: log corruption at offset N: <reason>",
//                 N being the offset of the bad frame; a torn tail longer than
//                 kNidusMaxTornTailBytes (same message shape); a file that shrinks
//                 while it is being read.
//   NotSupported  `data` version > 1, a non-zero metric byte (a later nidus, the
//                 message names the metric), other non-zero header padding.
//   IOError       the Env failed to read a file.
Result<NidusStore> ReadNidusStore(Env* env, const std::string& dir);

}  // namespace urd::vec

#endif  // URD_VECTOR_NIDUS_READER_H_
