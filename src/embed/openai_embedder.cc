// Copyright urd authors.

#include "embed/openai_embedder.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <utility>

#include "base/utf8.h"

namespace urd {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxDimension = 65536;
constexpr size_t kMaxBatchSize = 2048;
constexpr int kMaxRetries = 10;
constexpr size_t kMaxServerMessageBytes = 300;

struct ParsedUrl {
  std::string normalized;  // scheme://authority[/path], no trailing '/', no default port
  std::string origin;      // scheme://host:port
  std::string path;        // "" or "/..."
};

Status BadUrl(std::string_view url, std::string_view why) {
  return Status::InvalidArgument("EmbedderOptions.base_url: \"" + std::string(url) + "\": " +
                                 std::string(why) + " (expected http[s]://host[:port][/path])");
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// Splits "host[:port]" or "[v6]:port"; checks the characters and the port.
Status ParseAuthority(std::string_view url, std::string_view auth, std::string* host, int* port) {
  std::string_view port_str;
  if (!auth.empty() && auth.front() == '[') {
    const size_t close = auth.find(']');
    if (close == std::string_view::npos) return BadUrl(url, "unterminated [IPv6] host");
    *host = std::string(auth.substr(0, close + 1));
    const std::string_view rest = auth.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return BadUrl(url, "junk after [IPv6] host");
    if (!rest.empty()) port_str = rest.substr(1);
    for (char c : host->substr(1, host->size() - 2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
        return BadUrl(url, "bad character in [IPv6] host");
      }
    }
  } else {
    const size_t colon = auth.find(':');
    *host = std::string(auth.substr(0, colon));
    if (colon != std::string_view::npos) port_str = auth.substr(colon + 1);
    if (!std::all_of(host->begin(), host->end(), IsHostChar)) {
      return BadUrl(url, "bad character in host (user info, spaces and '%' are not allowed)");
    }
  }
  if (host->empty() || *host == "[]") return BadUrl(url, "no host");
  std::transform(host->begin(), host->end(), host->begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (port_str.empty()) return Status::OK();
  int value = 0;
  for (char c : port_str) {
    if (c < '0' || c > '9' || value > 65535) return BadUrl(url, "bad port");
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > 65535) return BadUrl(url, "port out of range 1..65535");
  *port = value;
  return Status::OK();
}

Result<ParsedUrl> ParseBaseUrl(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return BadUrl(url, "no scheme");
  std::string scheme(url.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https") return BadUrl(url, "scheme must be http or https");
  for (char c : url) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7F || c == '?' || c == '#') {
      return BadUrl(url, "spaces, non-ASCII bytes, query strings and fragments are not allowed");
    }
  }
  const std::string_view rest = url.substr(sep + 3);
  const size_t slash = rest.find('/');
  const std::string_view auth = rest.substr(0, slash);
  std::string path(slash == std::string_view::npos ? std::string_view() : rest.substr(slash));
  while (!path.empty() && path.back() == '/') path.pop_back();

  const int default_port = scheme == "https" ? 443 : 80;
  std::string host;
  int port = default_port;
  URD_RETURN_IF_ERROR(ParseAuthority(url, auth, &host, &port));
  ParsedUrl out;
  const std::string port_suffix = ":" + std::to_string(port);
  out.origin = scheme + "://" + host + port_suffix;
  out.normalized = scheme + "://" + host + (port == default_port ? "" : port_suffix) + path;
  out.path = std::move(path);
  return out;
}

// At most `max` bytes of `s`, cut at a character boundary; control characters become
// spaces and, if the text is not valid UTF-8, bytes >= 0x80 become '?', so that the
// message is always printable and safe to put in JSON.
std::string CleanMessage(std::string s, size_t max) {
  if (s.size() > max) {
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
    s += "...";
  }
  const bool valid = IsValidUtf8(s);
  for (char& c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) c = ' ';
    if (b >= 0x80 && !valid) c = '?';
  }
  return s;
}

// The server's explanation of an error response: {"error":{"message":...}} (OpenAI,
// vLLM, llama.cpp), {"error":"..."} (Ollama), else the start of the body.
std::string ServerMessage(const std::string& body) {
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded() && j.is_object() && j.contains("error")) {
    const Json& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string()) {
      return CleanMessage(e["message"].get<std::string>(), kMaxServerMessageBytes);
    }
    if (e.is_string()) return CleanMessage(e.get<std::string>(), kMaxServerMessageBytes);
  }
  return CleanMessage(body, kMaxServerMessageBytes);
}

// Retry-After as delay-seconds (an HTTP-date is ignored: the backoff applies).
std::optional<milliseconds> ParseRetryAfter(const std::string& value) {
  if (value.empty() || value.size() > 9) return std::nullopt;
  if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return milliseconds(std::stoll(value) * 1000);
}

// What went wrong when a request got no HTTP response; sets *retryable for the
// transient failures (connect, timeout, connection dropped).
std::string DescribeTransportError(httplib::Error err, bool timed_out, milliseconds timeout,
                                   long verify_result, bool* retryable) {
  const std::string after = "timed out after " + std::to_string(timeout.count()) + " ms";
  *retryable = true;
  switch (err) {
    case httplib::Error::Connection:
      return "connection refused (or host unreachable)";
    case httplib::Error::ConnectionTimeout:
      return after + " connecting";
    case httplib::Error::Read:
    case httplib::Error::Write:
      return timed_out ? after : "connection closed before a complete response";
    default:
      break;
  }
  *retryable = false;
  switch (err) {
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLServerVerification:
      return "TLS server certificate verification failed: " +
             std::string(X509_verify_cert_error_string(verify_result));
    case httplib::Error::SSLLoadingCerts:
      return "could not load the TLS trust store";
    default:
      return "HTTP client error: " + httplib::to_string(err);
  }
}

Status WithCode(StatusCode code, const std::string& msg) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return Status::InvalidArgument(msg);
    case StatusCode::kCorruption:
      return Status::Corruption(msg);
    default:
      return Status::IOError(msg);
  }
}

Status Malformed(std::string_view what) {
  return Status::Corruption("malformed response: " + std::string(what));
}

// Reads one "embedding" array into *v as unit-length floats.
Status ReadVector(const Json& emb, size_t i, std::vector<float>* v) {
  const std::string where = "data[" + std::to_string(i) + "].embedding";
  if (!emb.is_array()) return Malformed(where + " is not an array of numbers");
  if (emb.empty()) return Malformed(where + " is empty");
  std::vector<double> x;
  x.reserve(emb.size());
  double max_abs = 0;
  for (size_t k = 0; k < emb.size(); ++k) {
    if (!emb[k].is_number()) {
      return Malformed(where + "[" + std::to_string(k) + "] is not a number");
    }
    const double d = emb[k].get<double>();
    if (!std::isfinite(d)) {
      return Malformed(where + "[" + std::to_string(k) + "] is not finite");
    }
    max_abs = std::max(max_abs, std::fabs(d));
    x.push_back(d);
  }
  if (max_abs == 0) return Malformed(where + " is all zeros");
  // Scale by the largest magnitude first so that the sum of squares cannot overflow.
  double sum_sq = 0;
  for (double& d : x) {
    d /= max_abs;
    sum_sq += d * d;
  }
  const double norm = std::sqrt(sum_sq);
  v->resize(x.size());
  for (size_t k = 0; k < x.size(); ++k) (*v)[k] = static_cast<float>(x[k] / norm);
  return Status::OK();
}

// Parses a 2xx body into n unit vectors ordered by "index", all of one length.
// Errors: Corruption "malformed response: <what>".
Status ReadResponse(const std::string& body, size_t n, std::vector<std::vector<float>>* vecs) {
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Malformed("not JSON");
  if (!j.is_object() || !j.contains("data") || !j["data"].is_array()) {
    return Malformed("no \"data\" array");
  }
  const Json& data = j["data"];
  if (data.size() != n) {
    return Malformed(std::to_string(data.size()) + " embeddings for " + std::to_string(n) +
                     " inputs");
  }
  vecs->assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    const Json& item = data[i];
    const std::string where = "data[" + std::to_string(i) + "]";
    if (!item.is_object() || !item.contains("embedding")) {
      return Malformed(where + " has no \"embedding\"");
    }
    size_t index = i;  // servers that omit "index" answer in input order
    if (item.contains("index")) {
      const Json& idx = item["index"];
      if (!idx.is_number_unsigned() || idx.get<uint64_t>() >= n) {
        return Malformed(where + ".index is not in 0.." + std::to_string(n - 1));
      }
      index = idx.get<size_t>();
    }
    if (!(*vecs)[index].empty()) {
      return Malformed("index " + std::to_string(index) + " appears twice");
    }
    URD_RETURN_IF_ERROR(ReadVector(item["embedding"], i, &(*vecs)[index]));
  }
  for (size_t i = 1; i < n; ++i) {
    if ((*vecs)[i].size() != (*vecs)[0].size()) {
      return Malformed("vectors of different lengths (" + std::to_string((*vecs)[0].size()) +
                       " and " + std::to_string((*vecs)[i].size()) + ")");
    }
  }
  return Status::OK();
}

}  // namespace

struct OpenAIEmbedder::Attempt {
  Status status;  // OK: `body` holds a 2xx response
  bool retryable = false;
  std::optional<milliseconds> retry_after;
  std::string body;
};

Result<std::unique_ptr<OpenAIEmbedder>> OpenAIEmbedder::Create(OpenAIEmbedderConfig config) {
  if (config.base_url.empty()) {
    return Status::InvalidArgument(
        "EmbedderOptions.base_url: required for kind \"openai\" (e.g. http://localhost:11434 "
        "for Ollama, https://api.openai.com)");
  }
  URD_ASSIGN_OR_RETURN(ParsedUrl url, ParseBaseUrl(config.base_url));
  if (config.model.empty()) {
    return Status::InvalidArgument("EmbedderOptions.model: required for kind \"openai\"");
  }
  if (!IsValidUtf8(config.model)) {
    return Status::InvalidArgument("EmbedderOptions.model: not valid UTF-8");
  }
  for (char c : config.api_key) {
    if (c <= 0x20 || c >= 0x7F) {  // never echo the key itself
      return Status::InvalidArgument(
          "EmbedderOptions.api_key: only printable ASCII without spaces is allowed");
    }
  }
  if (config.dimension > kMaxDimension) {
    return Status::InvalidArgument(
        "EmbedderOptions.dimension: " + std::to_string(config.dimension) +
        " is out of range (0 = auto, or 1..65536)");
  }
  if (config.timeout < milliseconds(1) || config.timeout > milliseconds(600000)) {
    return Status::InvalidArgument(
        "EmbedderOptions.timeout: " + std::to_string(config.timeout.count()) +
        " ms is out of range 1..600000 ms");
  }
  if (config.max_retries < 0 || config.max_retries > kMaxRetries) {
    return Status::InvalidArgument("EmbedderOptions.max_retries: " +
                                   std::to_string(config.max_retries) + " is out of range 0..10");
  }
  if (config.batch_size < 1 || config.batch_size > kMaxBatchSize) {
    return Status::InvalidArgument("EmbedderOptions.batch_size: " +
                                   std::to_string(config.batch_size) + " is out of range 1..2048");
  }
  std::string path = url.path;
  path += (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v1") == 0) ? "/embeddings"
                                                                             : "/v1/embeddings";
  config.base_url = url.normalized;
  return std::unique_ptr<OpenAIEmbedder>(
      new OpenAIEmbedder(std::move(config), std::move(url.origin), std::move(path)));
}

OpenAIEmbedder::OpenAIEmbedder(OpenAIEmbedderConfig config, std::string origin, std::string path)
    : config_(std::move(config)), origin_(std::move(origin)), path_(std::move(path)) {}

size_t OpenAIEmbedder::dimension() const {
  return config_.dimension > 0 ? config_.dimension : learned_dimension_.load();
}

std::string OpenAIEmbedder::fingerprint() const {
  return "openai-v1:" + config_.base_url + ":" + config_.model +
         ":dim=" + (config_.dimension > 0 ? std::to_string(config_.dimension) : "auto");
}

Status OpenAIEmbedder::Error(StatusCode code, const std::string& what) const {
  return WithCode(code, "embedding server " + config_.base_url + ": " + what);
}

Status OpenAIEmbedder::Embed(std::span<const std::string> texts,
                             std::vector<std::vector<float>>* out) const {
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!IsValidUtf8(texts[i])) {
      return Status::InvalidArgument("text " + std::to_string(i) + " is not valid UTF-8");
    }
  }
  const size_t learned = learned_dimension_.load();
  size_t expected = config_.dimension > 0 ? config_.dimension : learned;
  std::vector<std::vector<float>> result;
  result.reserve(texts.size());
  for (size_t start = 0; start < texts.size(); start += config_.batch_size) {
    const size_t n = std::min(config_.batch_size, texts.size() - start);
    URD_RETURN_IF_ERROR(EmbedBatch(texts.subspan(start, n), expected, &result));
    expected = result.front().size();  // later batches must agree with the first
  }
  if (config_.dimension == 0 && !result.empty() && learned == 0) {
    size_t seen = 0;
    if (!learned_dimension_.compare_exchange_strong(seen, expected) && seen != expected) {
      return Error(StatusCode::kCorruption, "returned " + std::to_string(expected) +
                                                "-dimensional vectors, but earlier responses had " +
                                                std::to_string(seen));
    }
  }
  *out = std::move(result);
  return Status::OK();
}

Status OpenAIEmbedder::EmbedBatch(std::span<const std::string> texts, size_t expected_dim,
                                  std::vector<std::vector<float>>* out) const {
  Json input = Json::array();
  for (const std::string& t : texts) input.push_back(t);
  const std::string body = Json{{"model", config_.model}, {"input", std::move(input)}}.dump();
  const int attempts = config_.max_retries + 1;
  for (int a = 0;; ++a) {
    Attempt at = PostOnce(body);
    if (at.status.ok()) return ParseResponse(at.body, texts.size(), expected_dim, out);
    if (!at.retryable || a + 1 >= attempts) {
      if (a == 0) return at.status;
      return WithCode(at.status.code(), std::string(at.status.message()) + " (after " +
                                            std::to_string(a + 1) + " attempts)");
    }
    milliseconds delay = std::min(config_.backoff_base * (int64_t{1} << a), config_.backoff_cap);
    if (at.retry_after) delay = std::min(*at.retry_after, config_.retry_after_cap);
    std::this_thread::sleep_for(delay);
  }
}

OpenAIEmbedder::Attempt OpenAIEmbedder::PostOnce(const std::string& body) const {
  httplib::Client cli(origin_);
  cli.set_connection_timeout(config_.timeout);
  cli.set_read_timeout(config_.timeout);
  cli.set_write_timeout(config_.timeout);
  cli.set_keep_alive(false);
  cli.set_follow_location(false);
  cli.enable_server_certificate_verification(true);
  httplib::Headers headers = {{"Accept", "application/json"}, {"User-Agent", "urd/" URD_VERSION}};
  if (!config_.api_key.empty()) headers.emplace("Authorization", "Bearer " + config_.api_key);

  const auto start = Clock::now();
  httplib::Result res = cli.Post(path_, headers, body, "application/json");
  Attempt at;
  if (!res) {
    const bool timed_out = Clock::now() - start >= config_.timeout * 9 / 10;
    at.status = Error(StatusCode::kIOError,
                      DescribeTransportError(res.error(), timed_out, config_.timeout,
                                             cli.get_openssl_verify_result(), &at.retryable));
    return at;
  }
  const int code = res->status;
  if (code >= 200 && code < 300) {
    at.body = std::move(res->body);
    return at;
  }
  const std::string msg = ServerMessage(res->body);
  const std::string what = "HTTP " + std::to_string(code) + (msg.empty() ? "" : ": " + msg);
  if (code == 429 || (code >= 500 && code < 600)) {
    at.retryable = true;
    at.retry_after = ParseRetryAfter(res->get_header_value("Retry-After"));
    at.status = Error(StatusCode::kIOError, what);
  } else if (code >= 400 && code < 500) {
    at.status = Error(StatusCode::kInvalidArgument, what);
  } else {
    at.status = Error(StatusCode::kIOError, "unexpected " + what);
  }
  return at;
}

Status OpenAIEmbedder::ParseResponse(const std::string& body, size_t n, size_t expected_dim,
                                     std::vector<std::vector<float>>* out) const {
  std::vector<std::vector<float>> vecs;
  Status s = ReadResponse(body, n, &vecs);
  if (!s.ok()) return Error(StatusCode::kCorruption, std::string(s.message()));
  const size_t dim = vecs[0].size();
  if (expected_dim != 0 && dim != expected_dim) {
    if (config_.dimension > 0) {
      return Error(StatusCode::kInvalidArgument,
                   "model \"" + config_.model + "\" returned " + std::to_string(dim) +
                       "-dimensional vectors, but EmbedderOptions.dimension is " +
                       std::to_string(expected_dim) + " (set it to " + std::to_string(dim) +
                       ", or 0 for auto)");
    }
    return Error(StatusCode::kCorruption, "returned " + std::to_string(dim) +
                                              "-dimensional vectors, but earlier responses had " +
                                              std::to_string(expected_dim));
  }
  for (auto& v : vecs) out->push_back(std::move(v));
  return Status::OK();
}

}  // namespace urd
