// Copyright urd authors. The "hash" embedder (v1): offline, deterministic feature
// hashing of word unigrams and character 3/4-grams into a signed, L2-normalised
// vector. The algorithm is specified in docs/embedders.md §2; the golden file
// tests/testdata/hash_embedder_v1.golden (written by an independent Python
// implementation) pins it. Changing anything observable here needs a new version
// (and fingerprint "hash-v2:...").
//
// Thread-safety: immutable after construction; every method may be called from any
// thread.

#ifndef URD_EMBED_HASH_EMBEDDER_H_
#define URD_EMBED_HASH_EMBEDDER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "urd/embedder.h"

namespace urd {

inline constexpr size_t kHashEmbedderMinDimension = 8;
inline constexpr size_t kHashEmbedderMaxDimension = 16384;

// 64-bit FNV-1a.
inline constexpr uint64_t kFnv64Offset = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnv64Prime = 0x100000001b3ULL;
uint64_t Fnv1a64(std::string_view data);

// Step 1 of the algorithm: lowercases ASCII A-Z and the letters of Latin-1
// Supplement, Latin Extended-A, Greek and Cyrillic (U+0000..U+04FF, Unicode simple
// lowercase mapping except U+0130); every other byte is copied unchanged, including
// malformed UTF-8. The result has the same length as `text`.
std::string NormalizeForHash(std::string_view text);

// The lowercase of one code point under the rule above (identity outside it).
uint32_t HashLowerCodePoint(uint32_t cp);

// One feature: its bytes ("w:<word>" or "c:<gram>") and weight (1.0 or 0.5).
struct HashFeature {
  std::string text;
  float weight;
};

// Steps 1-3: the features of `text`, in order (per word: unigram, 3-grams, 4-grams).
std::vector<HashFeature> HashFeatures(std::string_view text);

class HashEmbedder final : public Embedder {
 public:
  // REQUIRES: kHashEmbedderMinDimension <= dimension <= kHashEmbedderMaxDimension
  // (MakeEmbedder checks it).
  explicit HashEmbedder(size_t dimension);

  size_t dimension() const override { return dimension_; }
  std::string name() const override { return "hash"; }
  std::string fingerprint() const override;
  // Never fails for any bytes; texts need not be valid UTF-8.
  Status Embed(std::span<const std::string> texts,
               std::vector<std::vector<float>>* out) const override;

  // The vector of one text.
  std::vector<float> EmbedOne(std::string_view text) const;

 private:
  const size_t dimension_;
};

}  // namespace urd

#endif  // URD_EMBED_HASH_EMBEDDER_H_
