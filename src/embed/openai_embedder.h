// Copyright urd authors. The "openai" embedder: an OpenAI-compatible HTTP server
// (OpenAI, Ollama, llama.cpp server, vLLM, ...), spoken with cpp-httplib.
//
// Protocol (docs/embedders.md §3): POST {base_url}/v1/embeddings with the JSON body
// {"model": m, "input": [texts...]} and "Authorization: Bearer <key>" when a key is
// set; the response {"data": [{"index": i, "embedding": [...]}, ...]} is ordered by
// index, checked, and every vector normalised to unit length.
//
// Thread-safety: Embed() may run on many threads at once; each call uses its own
// HTTP client. The only shared mutable state is the learned dimension (an atomic).

#ifndef URD_EMBED_OPENAI_EMBEDDER_H_
#define URD_EMBED_OPENAI_EMBEDDER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "urd/embedder.h"

namespace urd {

struct OpenAIEmbedderConfig {
  std::string base_url;  // as given; Create() parses and normalises it
  std::string model;     // non-empty
  size_t dimension = 0;  // 0 = auto
  std::string api_key;   // empty = no Authorization header
  std::chrono::milliseconds timeout{30000};
  int max_retries = 3;
  size_t batch_size = 64;
  // Delay before retry k (k = 0, 1, ...): min(backoff_base * 2^k, backoff_cap),
  // replaced by the server's Retry-After seconds (capped at retry_after_cap) when
  // present. Tests shorten these; MakeEmbedder uses the defaults.
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_cap{5000};
  std::chrono::milliseconds retry_after_cap{10000};
};

class OpenAIEmbedder final : public Embedder {
 public:
  // Validates and normalises config.base_url ("http[s]://host[:port][/path]", no
  // user info, query or fragment; trailing '/' dropped; scheme lowercased) and the
  // other fields (InvalidArgument naming the EmbedderOptions field). No I/O.
  static Result<std::unique_ptr<OpenAIEmbedder>> Create(OpenAIEmbedderConfig config);

  size_t dimension() const override;
  std::string name() const override { return "openai:" + config_.model; }
  std::string fingerprint() const override;
  Status Embed(std::span<const std::string> texts,
               std::vector<std::vector<float>>* out) const override;

  // The normalised base URL and the request path, e.g. "/v1/embeddings".
  const std::string& base_url() const { return config_.base_url; }
  const std::string& request_path() const { return path_; }

 private:
  struct Attempt;  // the outcome of one HTTP request

  OpenAIEmbedder(OpenAIEmbedderConfig config, std::string origin, std::string path);

  // One batch, with retries. Appends its vectors to *out only on success.
  Status EmbedBatch(std::span<const std::string> texts, size_t expected_dim,
                    std::vector<std::vector<float>>* out) const;
  Attempt PostOnce(const std::string& body) const;
  Status ParseResponse(const std::string& body, size_t n, size_t expected_dim,
                       std::vector<std::vector<float>>* out) const;
  Status Error(StatusCode code, const std::string& what) const;

  const OpenAIEmbedderConfig config_;
  const std::string origin_;  // "scheme://host:port", for httplib::Client
  const std::string path_;
  // With config_.dimension == 0: the dimension of the first successful Embed().
  mutable std::atomic<size_t> learned_dimension_{0};
};

}  // namespace urd

#endif  // URD_EMBED_OPENAI_EMBEDDER_H_
