// Copyright urd authors. Embedder: turns texts into unit-length vectors for recall.
//
// Two kinds (docs/embedders.md):
//   "hash"   — offline, deterministic feature hashing of words and character n-grams
//              (the default; the algorithm is specified so other programs can match).
//   "openai" — an OpenAI-compatible HTTP server: POST {base_url}/v1/embeddings
//              (OpenAI, Ollama, llama.cpp server, vLLM, ...).
//
// Thread-safety: every method of an Embedder may be called from any number of threads
// at once; an Embedder holds no per-call state (the HTTP embedder opens its own
// connection per call). MakeEmbedder() reads the environment (getenv) and must not
// race with setenv().
//
// Vectors: every vector returned by Embed() has dimension() finite float components
// and L2 norm 1 (within float rounding); never all zeros.

#ifndef URD_EMBEDDER_H_
#define URD_EMBEDDER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "urd/result.h"
#include "urd/status.h"

namespace urd {

class Embedder {
 public:
  Embedder() = default;
  Embedder(const Embedder&) = delete;
  Embedder& operator=(const Embedder&) = delete;
  virtual ~Embedder();

  // The length of every vector Embed() returns. For "openai" with dimension 0
  // ("auto"): 0 until the first successful Embed(), then the model's dimension,
  // which every later response must match.
  virtual size_t dimension() const = 0;

  // "hash" or "openai:<model>", for humans and stats.
  virtual std::string name() const = 0;

  // A stable string that changes whenever the vectors for the same texts would
  // change: algorithm version, dimension, model, base_url (never the API key).
  // "hash-v1:dim=<d>" or "openai-v1:<base_url>:<model>:dim=<d|auto>". A workspace
  // stores it and refuses to reopen with a different one.
  virtual std::string fingerprint() const = 0;

  // Embeds `texts` (UTF-8). On success sets *out to one unit-length vector per text,
  // in the order of `texts` (an empty span gives an empty *out and no I/O).
  // All-or-nothing: on error *out is left unchanged. Errors:
  //   InvalidArgument — a text is not valid UTF-8 ("openai" only; "hash" accepts any
  //                     bytes); the server rejected the request (HTTP 4xx other than
  //                     429, its error message included); the server's dimension
  //                     differs from the configured one.
  //   IOError         — connection refused, timed out, TLS failure, HTTP 429 or 5xx,
  //                     after all retries ("embedding server <url>: ...").
  //   Corruption      — the server's response is malformed (not JSON, wrong count,
  //                     vectors of different lengths, non-finite or all-zero values);
  //                     the message says what is wrong.
  // REQUIRES: out != nullptr.
  virtual Status Embed(std::span<const std::string> texts,
                       std::vector<std::vector<float>>* out) const = 0;
};

struct EmbedderOptions {
  // "hash" (default) or "openai".
  std::string kind = "hash";
  // hash: 8..16384. openai: 0 = whatever the model returns ("auto"), else 1..65536
  // and every response must have exactly this many components (a mismatch is an
  // InvalidArgument that names the model's dimension). The default, 384, is the
  // hash embedder's: for openai set the model's dimension or 0.
  size_t dimension = 384;
  // openai: the model name sent to the server (required), e.g.
  // "text-embedding-3-small" or "nomic-embed-text". Ignored by hash.
  std::string model;
  // openai: "http[s]://host[:port][/path]" (required), e.g. http://localhost:11434
  // (Ollama), https://api.openai.com. Requests go to {base_url}/v1/embeddings; a
  // base_url whose path already ends in "/v1" gets "/embeddings" only. A trailing
  // "/" is dropped. Ignored by hash.
  std::string base_url;
  // openai: sent as "Authorization: Bearer <api_key>" when not empty. Default (empty):
  // the environment variable URD_EMBED_API_KEY, then OPENAI_API_KEY; none is fine
  // for local servers. Never part of the fingerprint.
  std::string api_key;
  // openai: limit on each network phase of a request (connect, send, each wait for
  // response bytes). 1 ms .. 10 min. Default 30 s.
  std::chrono::milliseconds timeout{30000};
  // openai: retries of one request after a connection error, timeout, HTTP 429 or
  // 5xx (0..10; default 3), with exponential backoff 200 ms, 400 ms, 800 ms, ...
  // capped at 5 s, or the server's Retry-After seconds (capped at 10 s).
  int max_retries = 3;
  // openai: texts per request (1..2048; default 64).
  size_t batch_size = 64;
};

// Creates the embedder `options.kind` names. Errors: InvalidArgument naming the
// field ("EmbedderOptions.dimension: ...") for an unknown kind or a bad option.
// Does no I/O: an unreachable server is reported by the first Embed().
Result<std::unique_ptr<Embedder>> MakeEmbedder(const EmbedderOptions& options);

}  // namespace urd

#endif  // URD_EMBEDDER_H_
