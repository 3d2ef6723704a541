// Copyright urd authors.

#include "embed/hash_embedder.h"

#include <cmath>

namespace urd {
namespace {

// Lowercase for pairs where the uppercase letter has an even (odd) code point and
// its lowercase follows it.
uint32_t EvenUpper(uint32_t cp) { return (cp % 2 == 0) ? cp + 1 : cp; }
uint32_t OddUpper(uint32_t cp) { return (cp % 2 == 1) ? cp + 1 : cp; }

bool InRange(uint32_t cp, uint32_t lo, uint32_t hi) { return cp >= lo && cp <= hi; }

uint32_t LowerLatin(uint32_t cp) {
  if (InRange(cp, 0x41, 0x5A)) return cp + 0x20;
  if (InRange(cp, 0xC0, 0xDE) && cp != 0xD7) return cp + 0x20;  // not U+00D7 '×'
  // U+0130 'İ' stays: its lowercase is two code points ("i" + U+0307).
  if (InRange(cp, 0x100, 0x12F) || InRange(cp, 0x132, 0x137) || InRange(cp, 0x14A, 0x177)) {
    return EvenUpper(cp);
  }
  if (InRange(cp, 0x139, 0x148) || InRange(cp, 0x179, 0x17E)) return OddUpper(cp);
  if (cp == 0x178) return 0xFF;  // 'Ÿ' -> 'ÿ'
  return cp;
}

uint32_t LowerGreek(uint32_t cp) {
  switch (cp) {
    case 0x370:
    case 0x372:
    case 0x376:
      return cp + 1;
    case 0x37F:
      return 0x3F3;
    case 0x386:
      return 0x3AC;
    case 0x38C:
      return 0x3CC;
    case 0x3CF:
      return 0x3D7;
    case 0x3F4:
      return 0x3B8;
    case 0x3F7:
      return 0x3F8;
    case 0x3F9:
      return 0x3F2;
    case 0x3FA:
      return 0x3FB;
    default:
      break;
  }
  if (InRange(cp, 0x388, 0x38A)) return cp + 0x25;
  if (InRange(cp, 0x38E, 0x38F)) return cp + 0x3F;
  if (InRange(cp, 0x391, 0x3AB) && cp != 0x3A2) return cp + 0x20;
  if (InRange(cp, 0x3D8, 0x3EF)) return EvenUpper(cp);
  if (InRange(cp, 0x3FD, 0x3FF)) return cp - 0x82;
  return cp;
}

uint32_t LowerCyrillic(uint32_t cp) {
  if (InRange(cp, 0x400, 0x40F)) return cp + 0x50;
  if (InRange(cp, 0x410, 0x42F)) return cp + 0x20;
  if (InRange(cp, 0x460, 0x481) || InRange(cp, 0x48A, 0x4BF) || InRange(cp, 0x4D0, 0x4FF)) {
    return EvenUpper(cp);
  }
  if (cp == 0x4C0) return 0x4CF;
  if (InRange(cp, 0x4C1, 0x4CE)) return OddUpper(cp);
  return cp;
}

bool IsWordByte(unsigned char b) {
  return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || b >= 0x80;
}

bool IsContinuationByte(unsigned char b) { return b >= 0x80 && b <= 0xBF; }

// Appends the features of one (normalised) word.
void AddWordFeatures(std::string_view word, std::vector<HashFeature>* out) {
  out->push_back({"w:" + std::string(word), 1.0f});
  // Units ("characters"): a unit starts at the word's first byte or at any byte that
  // is not a UTF-8 continuation byte. Padded with one space unit on each side.
  std::vector<std::string_view> units;
  units.push_back(" ");
  size_t start = 0;
  for (size_t i = 1; i <= word.size(); ++i) {
    if (i == word.size() || !IsContinuationByte(static_cast<unsigned char>(word[i]))) {
      units.push_back(word.substr(start, i - start));
      start = i;
    }
  }
  units.push_back(" ");
  for (size_t n = 3; n <= 4; ++n) {
    for (size_t i = 0; i + n <= units.size(); ++i) {
      std::string gram = "c:";
      for (size_t k = 0; k < n; ++k) gram += units[i + k];
      out->push_back({std::move(gram), 0.5f});
    }
  }
}

}  // namespace

uint64_t Fnv1a64(std::string_view data) {
  uint64_t h = kFnv64Offset;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnv64Prime;
  }
  return h;
}

uint32_t HashLowerCodePoint(uint32_t cp) {
  if (cp < 0x370) return LowerLatin(cp);
  if (cp < 0x400) return LowerGreek(cp);
  if (cp < 0x500) return LowerCyrillic(cp);
  return cp;
}

std::string NormalizeForHash(std::string_view text) {
  std::string out(text);
  const size_t n = out.size();
  for (size_t i = 0; i < n; ++i) {
    const auto b = static_cast<unsigned char>(out[i]);
    if (b >= 'A' && b <= 'Z') {
      out[i] = static_cast<char>(b + 0x20);
    } else if (b >= 0xC2 && b <= 0xDF && i + 1 < n &&
               IsContinuationByte(static_cast<unsigned char>(out[i + 1]))) {
      const uint32_t cp = ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(out[i + 1]) & 0x3Fu);
      // Every mapping in the table stays within U+0080..U+07FF: two bytes in, two out.
      const uint32_t low = HashLowerCodePoint(cp);
      out[i] = static_cast<char>(0xC0 | (low >> 6));
      out[i + 1] = static_cast<char>(0x80 | (low & 0x3F));
      ++i;
    }
  }
  return out;
}

std::vector<HashFeature> HashFeatures(std::string_view text) {
  const std::string norm = NormalizeForHash(text);
  std::vector<HashFeature> out;
  size_t i = 0;
  while (i < norm.size()) {
    if (!IsWordByte(static_cast<unsigned char>(norm[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < norm.size() && IsWordByte(static_cast<unsigned char>(norm[j]))) ++j;
    AddWordFeatures(std::string_view(norm).substr(i, j - i), &out);
    i = j;
  }
  return out;
}

HashEmbedder::HashEmbedder(size_t dimension) : dimension_(dimension) {}

std::string HashEmbedder::fingerprint() const {
  return "hash-v1:dim=" + std::to_string(dimension_);
}

std::vector<float> HashEmbedder::EmbedOne(std::string_view text) const {
  // Sums of +-1.0 and +-0.5 are exact in double; the norm is taken in double and
  // each component rounded to float once, as the specification says.
  std::vector<double> acc(dimension_, 0.0);
  for (const HashFeature& f : HashFeatures(text)) {
    const uint64_t h = Fnv1a64(f.text);
    const double w = (h >> 63) ? -static_cast<double>(f.weight) : f.weight;
    acc[h % dimension_] += w;
  }
  double sum_sq = 0;
  for (double a : acc) sum_sq += a * a;
  std::vector<float> v(dimension_, 0.0f);
  if (sum_sq == 0) {
    v[0] = 1.0f;  // no features, or all cancelled: a fixed unit vector, never zero
    return v;
  }
  const double norm = std::sqrt(sum_sq);
  for (size_t i = 0; i < dimension_; ++i) v[i] = static_cast<float>(acc[i] / norm);
  return v;
}

Status HashEmbedder::Embed(std::span<const std::string> texts,
                           std::vector<std::vector<float>>* out) const {
  std::vector<std::vector<float>> result;
  result.reserve(texts.size());
  for (const std::string& t : texts) result.push_back(EmbedOne(t));
  *out = std::move(result);
  return Status::OK();
}

}  // namespace urd
