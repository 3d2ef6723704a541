// Copyright urd authors. Fuzz target `canonical`: the canonical record decoder
// (src/memory/canonical.h) over arbitrary bytes, record after record.
//
// Asserts, beyond "does not crash":
//  * decode -> encode reproduces the bytes: every record that decodes re-encodes to
//    exactly the bytes it consumed (the one normalisation the format allows: a
//    boolean value byte above 1 reads as true and re-encodes as 01), and the
//    re-encoding decodes to a record with the same encoding (records are compared
//    by their bytes, as a float value may be NaN);
//  * a failed DecodeRecord leaves the input view and the output record untouched
//    and reports an offset inside the remaining input;
//  * DecodeAll agrees with the record-by-record walk: the same records, and the
//    same error kind at the same (absolute) offset.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "memory/canonical.h"

namespace {

using namespace urd::mem;  // NOLINT(build/namespaces): a test program

// Records compare by their encodings: a float value may be NaN, which == rejects.
std::string Encoded(const std::vector<CanonicalRecord>& records) {
  std::string out;
  for (const CanonicalRecord& r : records) EncodeRecord(r, &out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  std::string_view in = all;
  std::vector<CanonicalRecord> walked;
  DecodeError last;
  while (!in.empty()) {
    const std::string_view before = in;
    const CanonicalRecord sentinel = CheckpointRecord{7, 8, 9};
    CanonicalRecord record = sentinel;
    last = DecodeRecord(&in, &record);
    if (!last.ok()) {
      URD_FUZZ_CHECK(in.data() == before.data() && in.size() == before.size());
      URD_FUZZ_CHECK(record == sentinel);
      URD_FUZZ_CHECK(last.offset <= before.size());
      URD_FUZZ_CHECK(last.ToStatus().IsCorruption());
      last.offset += static_cast<uint64_t>(before.data() - all.data());
      break;
    }
    const size_t used = before.size() - in.size();
    URD_FUZZ_CHECK(used > 0);
    std::string bytes;
    EncodeRecord(record, &bytes);
    URD_FUZZ_CHECK(urd::fuzz::SameCanonicalBytes(before.substr(0, used), bytes));
    std::string_view again = bytes;
    CanonicalRecord back;
    URD_FUZZ_CHECK(DecodeRecord(&again, &back).ok());
    URD_FUZZ_CHECK(again.empty() && Encoded({back}) == bytes);
    (void)RecordName(record);
    (void)CommitClock(record);
    URD_FUZZ_CHECK(OpcodeFromByte(static_cast<uint8_t>(before[0])) == OpcodeOf(record));
    walked.push_back(std::move(record));
  }

  std::vector<CanonicalRecord> decoded;
  const DecodeError e = DecodeAll(all, &decoded);
  URD_FUZZ_CHECK(decoded.size() == walked.size() && Encoded(decoded) == Encoded(walked));
  URD_FUZZ_CHECK(e.kind == last.kind);
  if (!e.ok()) URD_FUZZ_CHECK(e.offset == last.offset);
  return 0;
}
