// Copyright urd authors.

#include "embed/hash_embedder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "urd/embedder.h"

namespace urd {
namespace {

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

std::string Unhex(const std::string& hex) {
  if (hex == "-") return "";
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::unique_ptr<Embedder> MakeHash(size_t dim) {
  EmbedderOptions opts;
  opts.dimension = dim;
  Result<std::unique_ptr<Embedder>> e = MakeEmbedder(opts);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return std::move(e).value();
}

TEST(HashEmbedderTest, Fnv1aKnownAnswers) {
  // The published FNV-1a 64-bit test vectors.
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

// docs/embedders.md §2.6, row by row: "Hello, world" at dimension 8.
TEST(HashEmbedderTest, WorkedExampleFromTheSpec) {
  struct Row {
    const char* feature;
    float weight;
    uint64_t hash;
    size_t bucket;
  };
  const Row rows[] = {
      {"w:hello", 1.0f, 0xb4f3fb0f6425b9f4ULL, 4}, {"c: he", 0.5f, 0x5bf5b3f5c36be89fULL, 7},
      {"c:hel", 0.5f, 0xef0338f4647b39f9ULL, 1},   {"c:ell", 0.5f, 0x5ec169f4a3873747ULL, 7},
      {"c:llo", 0.5f, 0x0fbcf9f4767991cdULL, 5},   {"c:lo ", 0.5f, 0x0fc69cf47681484bULL, 3},
      {"c: hel", 0.5f, 0xae69bd9b105cd4e9ULL, 1},  {"c:hell", 0.5f, 0x9db35c46bd62d82fULL, 7},
      {"c:ello", 0.5f, 0x89de32b1dec2b8f8ULL, 0},  {"c:llo ", 0.5f, 0x37aea7655092f5b7ULL, 7},
      {"w:world", 1.0f, 0x36dc03f8cea7a9e0ULL, 0}, {"c: wo", 0.5f, 0x5c5ebdf5c3c4e2a6ULL, 6},
      {"c:wor", 0.5f, 0xe47017f45df2fd4cULL, 4},   {"c:orl", 0.5f, 0x28d853f48471a44bULL, 3},
      {"c:rld", 0.5f, 0xb91d58f445683896ULL, 6},   {"c:ld ", 0.5f, 0x0fd79af4768fb818ULL, 0},
      {"c: wor", 0.5f, 0xb9df9c9ba78d6e3cULL, 4},  {"c:worl", 0.5f, 0x1d75d43ba3e41d60ULL, 0},
      {"c:orld", 0.5f, 0xd93ad77d0d19fbddULL, 5},  {"c:rld ", 0.5f, 0xf516dd11f0185d42ULL, 2},
  };
  const std::vector<HashFeature> feats = HashFeatures("Hello, world");
  ASSERT_EQ(feats.size(), std::size(rows));
  for (size_t i = 0; i < feats.size(); ++i) {
    EXPECT_EQ(feats[i].text, rows[i].feature) << i;
    EXPECT_EQ(feats[i].weight, rows[i].weight) << i;
    EXPECT_EQ(Fnv1a64(feats[i].text), rows[i].hash) << i;
    EXPECT_EQ(Fnv1a64(feats[i].text) % 8, rows[i].bucket) << i;
  }
  const std::vector<float> v = HashEmbedder(8).EmbedOne("Hello, world");
  const float expected[8] = {0.486664f,  -0.324443f, -0.162221f, 0.324443f,
                             -0.648886f, 0.0f,       0.0f,       0.324443f};
  ASSERT_EQ(v.size(), 8u);
  for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(v[i], expected[i], 1e-6) << i;
}

// tests/testdata/hash_embedder_v1.golden, written by make_hash_embedder_golden.py (an
// independent implementation of docs/embedders.md §2).
TEST(HashEmbedderTest, MatchesGoldenFile) {
  std::ifstream in(URD_TESTDATA_DIR "/hash_embedder_v1.golden");
  ASSERT_TRUE(in.good()) << "missing " URD_TESTDATA_DIR "/hash_embedder_v1.golden";
  std::string line;
  int norms = 0;
  int vecs = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string tag;
    fields >> tag;
    if (tag == "norm") {
      std::string in_hex, out_hex;
      fields >> in_hex >> out_hex;
      EXPECT_EQ(NormalizeForHash(Unhex(in_hex)), Unhex(out_hex)) << in_hex;
      ++norms;
    } else if (tag == "vec") {
      size_t dim = 0;
      std::string hex;
      fields >> dim >> hex;
      std::vector<double> want;
      std::string num;
      while (fields >> num) want.push_back(std::strtod(num.c_str(), nullptr));
      ASSERT_EQ(want.size(), dim) << line.substr(0, 80);
      const std::vector<float> got = HashEmbedder(dim).EmbedOne(Unhex(hex));
      ASSERT_EQ(got.size(), dim);
      for (size_t i = 0; i < dim; ++i) {
        ASSERT_NEAR(got[i], want[i], 1e-6) << "text " << hex << " dim " << dim << " [" << i << "]";
      }
      ++vecs;
    } else {
      ADD_FAILURE() << "unknown golden line: " << line.substr(0, 80);
    }
  }
  EXPECT_GE(norms, 10);
  EXPECT_GE(vecs, 20);
}

TEST(HashEmbedderTest, LowercaseTable) {
  EXPECT_EQ(HashLowerCodePoint('A'), uint32_t{'a'});
  EXPECT_EQ(HashLowerCodePoint(0xC9), 0xE9u);      // É -> é
  EXPECT_EQ(HashLowerCodePoint(0xD7), 0xD7u);      // × is not a letter
  EXPECT_EQ(HashLowerCodePoint(0xDF), 0xDFu);      // ß has no single lowercase change
  EXPECT_EQ(HashLowerCodePoint(0x130), 0x130u);    // İ: lowercase is two code points
  EXPECT_EQ(HashLowerCodePoint(0x178), 0xFFu);     // Ÿ -> ÿ
  EXPECT_EQ(HashLowerCodePoint(0x391), 0x3B1u);    // Α -> α
  EXPECT_EQ(HashLowerCodePoint(0x3A3), 0x3C3u);    // Σ -> σ (never final ς)
  EXPECT_EQ(HashLowerCodePoint(0x401), 0x451u);    // Ё -> ё
  EXPECT_EQ(HashLowerCodePoint(0x41F), 0x43Fu);    // П -> п
  EXPECT_EQ(HashLowerCodePoint(0x1E9E), 0x1E9Eu);  // outside the table: unchanged
  for (uint32_t cp = 0x80; cp < 0x800; ++cp) {
    EXPECT_LT(HashLowerCodePoint(cp), 0x800u);  // two-byte in, two-byte out
    EXPECT_GE(HashLowerCodePoint(cp), 0x80u);
  }
}

TEST(HashEmbedderTest, NormalisationIgnoresCaseAndPunctuation) {
  HashEmbedder e(384);
  EXPECT_EQ(e.EmbedOne("Hello, World!"), e.EmbedOne("hello world"));
  EXPECT_EQ(e.EmbedOne("ÉCOLE ΣΟΦΙΑ МОСКВА"), e.EmbedOne("école σοφια москва"));
  EXPECT_NE(e.EmbedOne("hello world"), e.EmbedOne("world hello world"));
  // Malformed UTF-8 is accepted and copied unchanged.
  EXPECT_EQ(NormalizeForHash("\xff\xc3"), "\xff\xc3");
  EXPECT_EQ(NormalizeForHash("A\xc3\x89\xe2\x82\xac"), "a\xc3\xa9\xe2\x82\xac");
}

TEST(HashEmbedderTest, FeaturesOfShortAndNonAsciiWords) {
  const std::vector<HashFeature> a = HashFeatures("a");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].text, "w:a");
  EXPECT_EQ(a[1].text, "c: a ");  // the padded 3-gram; " a " has no 4-gram
  // Grams count characters, not bytes: "éa" -> " éa", "éa ", " éa ".
  const std::vector<HashFeature> e = HashFeatures(
      "\xc3\x89"
      "a");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].text,
            "w:\xc3\xa9"
            "a");
  EXPECT_EQ(e[1].text,
            "c: \xc3\xa9"
            "a");
  EXPECT_EQ(e[2].text,
            "c:\xc3\xa9"
            "a ");
  EXPECT_EQ(e[3].text,
            "c: \xc3\xa9"
            "a ");
  // Every byte >= 0x80 is part of a word; ASCII punctuation splits.
  EXPECT_EQ(HashFeatures("x-y").size(), 4u);  // "x" and "y": 2 features each
}

TEST(HashEmbedderTest, DeterministicAndUnitLength) {
  std::unique_ptr<Embedder> a = MakeHash(384);
  std::unique_ptr<Embedder> b = MakeHash(384);
  const std::vector<std::string> texts = {"Alice prefers Rust for systems work",
                                          "the quick brown fox", "日本語のテキスト", "x"};
  std::vector<std::vector<float>> va, vb, va2;
  ASSERT_TRUE(a->Embed(texts, &va).ok());
  ASSERT_TRUE(b->Embed(texts, &vb).ok());
  ASSERT_TRUE(a->Embed(texts, &va2).ok());
  EXPECT_EQ(va, vb);
  EXPECT_EQ(va, va2);
  ASSERT_EQ(va.size(), texts.size());
  for (size_t i = 0; i < va.size(); ++i) {
    ASSERT_EQ(va[i].size(), 384u);
    EXPECT_NEAR(Dot(va[i], va[i]), 1.0, 1e-5);
    EXPECT_EQ(va[i], HashEmbedder(384).EmbedOne(texts[i])) << "order kept";
  }
  std::vector<std::vector<float>> none = {{1.0f}};
  ASSERT_TRUE(a->Embed({}, &none).ok());
  EXPECT_TRUE(none.empty());
}

TEST(HashEmbedderTest, EmptyTextGivesFirstUnitVector) {
  HashEmbedder e(16);
  std::vector<float> e0(16, 0.0f);
  e0[0] = 1.0f;
  EXPECT_EQ(e.EmbedOne(""), e0);
  EXPECT_EQ(e.EmbedOne(" \t\n "), e0);
  EXPECT_EQ(e.EmbedOne("?!.,;"), e0);
  EXPECT_NE(e.EmbedOne("a"), e0);
}

TEST(HashEmbedderTest, SimilarTextsAreCloserThanUnrelatedOnes) {
  HashEmbedder e(384);
  const std::vector<float> q = e.EmbedOne("Alice prefers Rust for systems programming");
  const std::vector<float> near = e.EmbedOne("alice likes rust for system programs");
  const std::vector<float> far = e.EmbedOne("the weather in Paris was rainy yesterday");
  EXPECT_GT(Dot(q, near), Dot(q, far) + 0.2);
  // Morphological variants share character n-grams.
  EXPECT_GT(Dot(e.EmbedOne("embedding"), e.EmbedOne("embeddings")), 0.5);
  EXPECT_LT(std::fabs(Dot(e.EmbedOne("embedding"), e.EmbedOne("weather"))), 0.3);
}

TEST(HashEmbedderTest, NameFingerprintAndDimensionRange) {
  std::unique_ptr<Embedder> e = MakeHash(384);
  EXPECT_EQ(e->name(), "hash");
  EXPECT_EQ(e->fingerprint(), "hash-v1:dim=384");
  EXPECT_EQ(e->dimension(), 384u);
  EXPECT_EQ(MakeHash(8)->fingerprint(), "hash-v1:dim=8");
  EXPECT_EQ(MakeHash(16384)->dimension(), 16384u);
  for (size_t bad : {size_t{0}, size_t{7}, size_t{16385}}) {
    EmbedderOptions opts;
    opts.dimension = bad;
    Result<std::unique_ptr<Embedder>> r = MakeEmbedder(opts);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find("EmbedderOptions.dimension"), std::string::npos);
  }
}

TEST(HashEmbedderTest, UnknownKindIsInvalidArgument) {
  EmbedderOptions opts;
  opts.kind = "word2vec";
  Result<std::unique_ptr<Embedder>> r = MakeEmbedder(opts);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("EmbedderOptions.kind"), std::string::npos);
}

}  // namespace
}  // namespace urd
