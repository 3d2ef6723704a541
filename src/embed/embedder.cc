// Copyright urd authors. MakeEmbedder: options to an embedder.

#include "urd/embedder.h"

#include <cstdlib>

#include "embed/hash_embedder.h"
#include "embed/openai_embedder.h"

namespace urd {
namespace {

// The API key: the option, else $URD_EMBED_API_KEY, else $OPENAI_API_KEY, else none.
std::string ResolveApiKey(const std::string& option) {
  if (!option.empty()) return option;
  for (const char* var : {"URD_EMBED_API_KEY", "OPENAI_API_KEY"}) {
    const char* value = std::getenv(var);
    if (value != nullptr && *value != '\0') return value;
  }
  return "";
}

}  // namespace

Embedder::~Embedder() = default;

Result<std::unique_ptr<Embedder>> MakeEmbedder(const EmbedderOptions& options) {
  if (options.kind == "hash") {
    if (options.dimension < kHashEmbedderMinDimension ||
        options.dimension > kHashEmbedderMaxDimension) {
      return Status::InvalidArgument(
          "EmbedderOptions.dimension: " + std::to_string(options.dimension) +
          " is out of range for kind \"hash\" (8..16384)");
    }
    return std::unique_ptr<Embedder>(new HashEmbedder(options.dimension));
  }
  if (options.kind == "openai") {
    OpenAIEmbedderConfig config;
    config.base_url = options.base_url;
    config.model = options.model;
    config.dimension = options.dimension;
    config.api_key = ResolveApiKey(options.api_key);
    config.timeout = options.timeout;
    config.max_retries = options.max_retries;
    config.batch_size = options.batch_size;
    URD_ASSIGN_OR_RETURN(std::unique_ptr<OpenAIEmbedder> e,
                         OpenAIEmbedder::Create(std::move(config)));
    return std::unique_ptr<Embedder>(std::move(e));
  }
  return Status::InvalidArgument("EmbedderOptions.kind: unknown embedder \"" + options.kind +
                                 "\" (expected \"hash\" or \"openai\")");
}

}  // namespace urd
