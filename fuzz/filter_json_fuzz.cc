// Copyright urd authors. Fuzz target `filter_json`: Filter::FromJson
// (include/urd/filter.h, src/vector/filter_json.cc) over arbitrary bytes.
//
// Asserts, beyond "does not crash" (deep nesting included):
//  * whatever parses passes Validate();
//  * parse -> serialise -> parse gives an equal filter, and serialising that gives
//    the same text (ToJson is canonical);
//  * the filter and its round-tripped copy agree on Matches() over a few attribute
//    maps built from the input (strings, ints, floats, bools, lists, null).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "urd/filter.h"
#include "urd/value.h"

namespace {

// Attribute maps to evaluate filters on: values of every type under the keys
// that the input mentions most plausibly (short printable runs of it).
std::vector<urd::Attrs> SampleAttrs(std::string_view in) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : in) {
    if (c == '"') {
      if (!cur.empty() && cur.size() <= 32) words.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
    if (words.size() >= 8) break;
  }
  if (words.empty()) words.push_back("k");
  std::vector<urd::Attrs> out(4);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    out[0][w] = urd::Value::String(words[(i + 1) % words.size()]);
    out[1][w] = urd::Value::Int(static_cast<int64_t>(i) - 2);
    out[2][w] = urd::Value::Float(static_cast<double>(i) * 0.5 - 1);
    out[3][w] = i % 3 == 0   ? urd::Value::Bool(i % 2 == 0)
                : i % 3 == 1 ? urd::Value::List(words)
                             : urd::Value::Null();
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto filter = urd::Filter::FromJson(in);
  if (!filter.ok()) {
    URD_FUZZ_CHECK(filter.status().IsInvalidArgument());
    return 0;
  }
  URD_FUZZ_CHECK(filter->Validate().ok());
  const std::string json = filter->ToJson();
  auto again = urd::Filter::FromJson(json);
  if (!again.ok()) {
    std::fprintf(stderr, "ToJson: %s\nreparse: %s\n", json.c_str(),
                 again.status().ToString().c_str());
  }
  URD_FUZZ_CHECK(again.ok());
  URD_FUZZ_CHECK(*again == *filter);
  URD_FUZZ_CHECK(again->ToJson() == json);
  for (const urd::Attrs& attrs : SampleAttrs(in)) {
    URD_FUZZ_CHECK(filter->Matches(attrs) == again->Matches(attrs));
  }
  return 0;
}
