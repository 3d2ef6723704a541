// Copyright urd authors. The "openai" embedder against a local HTTP(S) server
// (cpp-httplib, 127.0.0.1, ephemeral port) that speaks the same protocol.

#include "embed/openai_embedder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "embed/hash_embedder.h"

namespace urd {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr size_t kDim = 16;

// A server on 127.0.0.1:<ephemeral> answering every POST with `handler`. The
// destructor releases hanging handlers, stops the server and joins its thread.
class FakeServer {
 public:
  // call: 1-based number of this request.
  using Handler = std::function<void(int call, const httplib::Request&, httplib::Response&)>;

  explicit FakeServer(Handler handler, std::unique_ptr<httplib::Server> server = nullptr)
      : server_(server ? std::move(server) : std::make_unique<httplib::Server>()),
        handler_(std::move(handler)) {
    server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      int call;
      {
        std::lock_guard<std::mutex> lock(mu_);
        call = ++calls_;
        bodies_.push_back(req.body);
        paths_.push_back(req.path);
        auth_.push_back(req.has_header("Authorization") ? req.get_header_value("Authorization")
                                                        : "<none>");
      }
      handler_(call, req, res);
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }

  ~FakeServer() {
    Release();
    // stop() only works once listen_after_bind() has started.
    for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    server_->stop();
    thread_.join();
  }

  bool ok() const { return port_ > 0; }
  std::string url(const char* scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<std::string> bodies() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::vector<std::string> paths() const {
    std::lock_guard<std::mutex> lock(mu_);
    return paths_;
  }
  std::vector<std::string> auth() const {
    std::lock_guard<std::mutex> lock(mu_);
    return auth_;
  }
  // For handlers: blocks until the server is torn down or `limit` passes.
  void Hang(milliseconds limit) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, limit, [this] { return released_; });
  }

 private:
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

  std::unique_ptr<httplib::Server> server_;
  Handler handler_;
  int port_ = -1;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  int calls_ = 0;
  std::vector<std::string> bodies_;
  std::vector<std::string> paths_;
  std::vector<std::string> auth_;
};

// The vector the echo server returns for `text`: the hash embedding scaled by 3 (so
// the client's normalisation is exercised). The client must return HashVec(text).
std::vector<float> HashVec(const std::string& text, size_t dim = kDim) {
  return HashEmbedder(dim).EmbedOne(text);
}

// An OpenAI-style response for the request's inputs, in reverse order.
std::string EchoResponse(const httplib::Request& req, size_t dim = kDim) {
  const Json body = Json::parse(req.body);
  const Json& input = body["input"];
  Json data = Json::array();
  for (size_t i = input.size(); i-- > 0;) {
    Json vec = Json::array();
    for (float x : HashVec(input[i].get<std::string>(), dim)) vec.push_back(3.0 * x);
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", vec}});
  }
  return Json{{"object", "list"}, {"model", body["model"]}, {"data", data}}.dump();
}

void Echo(int, const httplib::Request& req, httplib::Response& res) {
  res.set_content(EchoResponse(req), "application/json");
}

OpenAIEmbedderConfig Config(const FakeServer& server) {
  OpenAIEmbedderConfig c;
  c.base_url = server.url();
  c.model = "test-model";
  c.dimension = kDim;
  c.timeout = milliseconds(2000);
  c.backoff_base = milliseconds(5);
  return c;
}

std::unique_ptr<OpenAIEmbedder> Make(OpenAIEmbedderConfig config) {
  Result<std::unique_ptr<OpenAIEmbedder>> e = OpenAIEmbedder::Create(std::move(config));
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(e).value() : nullptr;
}

std::vector<std::string> Texts(size_t n) {
  std::vector<std::string> t;
  for (size_t i = 0; i < n; ++i) t.push_back("text number " + std::to_string(i) + " about cats");
  return t;
}

bool Has(const Status& s, std::string_view needle) {
  return s.message().find(needle) != std::string_view::npos;
}

void ExpectVectors(const std::vector<std::string>& texts,
                   const std::vector<std::vector<float>>& got) {
  ASSERT_EQ(got.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<float> want = HashVec(texts[i]);
    ASSERT_EQ(got[i].size(), want.size());
    for (size_t k = 0; k < want.size(); ++k) ASSERT_NEAR(got[i][k], want[k], 1e-6) << i;
  }
}

Status EmbedWith(FakeServer::Handler handler, OpenAIEmbedderConfig* tweak_base = nullptr,
                 int* calls = nullptr) {
  FakeServer server(std::move(handler));
  OpenAIEmbedderConfig c = Config(server);
  if (tweak_base != nullptr) {
    tweak_base->base_url = c.base_url;
    c = *tweak_base;
  }
  std::unique_ptr<OpenAIEmbedder> e = Make(c);
  if (!e) return Status::FailedPrecondition("no embedder");
  std::vector<std::vector<float>> out;
  Status s = e->Embed(Texts(3), &out);
  if (calls != nullptr) *calls = server.calls();
  return s;
}

TEST(OpenAIEmbedderTest, BatchesAndOrdersByIndex) {
  FakeServer server(Echo);
  ASSERT_TRUE(server.ok());
  OpenAIEmbedderConfig c = Config(server);
  c.batch_size = 4;
  std::unique_ptr<OpenAIEmbedder> e = Make(c);
  ASSERT_TRUE(e);
  const std::vector<std::string> texts = Texts(10);
  std::vector<std::vector<float>> out;
  const Status s = e->Embed(texts, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectVectors(texts, out);
  EXPECT_EQ(server.calls(), 3);  // ceil(10 / 4)
  const std::vector<std::string> bodies = server.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  const size_t sizes[] = {4, 4, 2};
  for (size_t i = 0; i < 3; ++i) {
    const Json j = Json::parse(bodies[i]);
    EXPECT_EQ(j["model"], "test-model");
    ASSERT_EQ(j["input"].size(), sizes[i]);
    EXPECT_EQ(j["input"][0], texts[4 * i]);
  }
  for (const std::string& p : server.paths()) EXPECT_EQ(p, "/v1/embeddings");
  for (const std::string& a : server.auth()) EXPECT_EQ(a, "<none>");
  EXPECT_EQ(e->dimension(), kDim);
  EXPECT_EQ(e->name(), "openai:test-model");
  EXPECT_EQ(e->fingerprint(), "openai-v1:" + server.url() + ":test-model:dim=16");

  std::vector<std::vector<float>> none = {{1.0f}};
  ASSERT_TRUE(e->Embed({}, &none).ok());
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(server.calls(), 3);  // no request for no texts
}

TEST(OpenAIEmbedderTest, SendsBearerKey) {
  FakeServer server(Echo);
  OpenAIEmbedderConfig c = Config(server);
  c.api_key = "sk-test-123";
  std::unique_ptr<OpenAIEmbedder> e = Make(c);
  ASSERT_TRUE(e);
  std::vector<std::vector<float>> out;
  ASSERT_TRUE(e->Embed(Texts(2), &out).ok());
  ASSERT_EQ(server.auth().size(), 1u);
  EXPECT_EQ(server.auth()[0], "Bearer sk-test-123");
  EXPECT_EQ(e->fingerprint().find("sk-test"), std::string::npos);
}

TEST(OpenAIEmbedderTest, ApiKeyFromEnvironment) {
  // MakeEmbedder reads URD_EMBED_API_KEY, then OPENAI_API_KEY. No threads run yet.
  ASSERT_EQ(setenv("URD_EMBED_API_KEY", "sk-urd", 1), 0);
  ASSERT_EQ(setenv("OPENAI_API_KEY", "sk-openai", 1), 0);
  EmbedderOptions opts;
  opts.kind = "openai";
  opts.model = "m";
  opts.dimension = kDim;
  std::vector<std::unique_ptr<Embedder>> made;
  const char* order[] = {"URD_EMBED_API_KEY", "OPENAI_API_KEY"};
  for (const char* unset : order) {
    made.push_back(nullptr);
    FakeServer server(Echo);
    opts.base_url = server.url();
    Result<std::unique_ptr<Embedder>> e = MakeEmbedder(opts);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    std::vector<std::vector<float>> out;
    ASSERT_TRUE((*e)->Embed(Texts(1), &out).ok());
    ASSERT_EQ(server.auth().size(), 1u);
    EXPECT_EQ(server.auth()[0],
              std::string(unset) == "URD_EMBED_API_KEY" ? "Bearer sk-urd" : "Bearer sk-openai");
    unsetenv(unset);
  }
}

TEST(OpenAIEmbedderTest, RetriesAfterServerError) {
  int calls = 0;
  const Status s = EmbedWith(
      [](int call, const httplib::Request& req, httplib::Response& res) {
        if (call == 1) {
          res.status = 500;
          res.set_content("{\"error\":{\"message\":\"overloaded\"}}", "application/json");
          return;
        }
        res.set_content(EchoResponse(req), "application/json");
      },
      nullptr, &calls);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(calls, 2);
}

TEST(OpenAIEmbedderTest, HonoursRetryAfterOn429) {
  FakeServer server([](int call, const httplib::Request& req, httplib::Response& res) {
    if (call == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      res.set_content("{\"error\":{\"message\":\"rate limited\"}}", "application/json");
      return;
    }
    res.set_content(EchoResponse(req), "application/json");
  });
  std::unique_ptr<OpenAIEmbedder> e = Make(Config(server));  // backoff 5 ms: Retry-After wins
  ASSERT_TRUE(e);
  std::vector<std::vector<float>> out;
  const auto start = Clock::now();
  const Status s = e->Embed(Texts(3), &out);
  const auto elapsed = Clock::now() - start;
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectVectors(Texts(3), out);
  EXPECT_EQ(server.calls(), 2);
  EXPECT_GE(elapsed, milliseconds(950));
  EXPECT_LT(elapsed, milliseconds(2500));
}

TEST(OpenAIEmbedderTest, PermanentServerErrorAfterAllRetries) {
  FakeServer server([](int, const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("{\"error\":{\"message\":\"model is loading\"}}", "application/json");
  });
  OpenAIEmbedderConfig c = Config(server);
  c.backoff_base = milliseconds(200);  // the documented schedule: 200, 400, 800 ms
  c.max_retries = 3;
  std::unique_ptr<OpenAIEmbedder> e = Make(c);
  ASSERT_TRUE(e);
  std::vector<std::vector<float>> out = {{42.0f}};
  const auto start = Clock::now();
  const Status s = e->Embed(Texts(2), &out);
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(Has(s, "HTTP 503: model is loading")) << s.ToString();
  EXPECT_TRUE(Has(s, "after 4 attempts")) << s.ToString();
  EXPECT_TRUE(Has(s, "embedding server " + server.url())) << s.ToString();
  EXPECT_EQ(server.calls(), 4);
  EXPECT_GE(elapsed, milliseconds(1400));
  EXPECT_EQ(out, std::vector<std::vector<float>>{{42.0f}});  // untouched on error
}

TEST(OpenAIEmbedderTest, ClientErrorIsNotRetriedAndCarriesTheMessage) {
  int calls = 0;
  Status s = EmbedWith(
      [](int, const httplib::Request&, httplib::Response& res) {
        res.status = 400;
        res.set_content(
            "{\"error\":{\"message\":\"This model's maximum context length is 8192\","
            "\"type\":\"invalid_request_error\"}}",
            "application/json");
      },
      nullptr, &calls);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Has(s, "HTTP 400: This model's maximum context length is 8192")) << s.ToString();
  EXPECT_EQ(calls, 1);

  // Ollama's shape: {"error": "..."}.
  s = EmbedWith(
      [](int, const httplib::Request&, httplib::Response& res) {
        res.status = 404;
        res.set_content("{\"error\":\"model \\\"nomic\\\" not found, try pulling it first\"}",
                        "application/json");
      },
      nullptr, &calls);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Has(s, "HTTP 404: model \"nomic\" not found")) << s.ToString();
  EXPECT_EQ(calls, 1);

  // A plain-text body, with control characters and invalid UTF-8, is made printable.
  s = EmbedWith(
      [](int, const httplib::Request&, httplib::Response& res) {
        res.status = 401;
        res.set_content("bad\nkey \xff", "text/plain");
      },
      nullptr, &calls);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Has(s, "HTTP 401: bad key ?")) << s.ToString();
}

Status EmbedWithBody(const std::string& body, size_t dim = kDim) {
  OpenAIEmbedderConfig c;
  c.model = "m";
  c.dimension = dim;
  c.backoff_base = milliseconds(5);
  return EmbedWith([body](int, const httplib::Request&,
                          httplib::Response& res) { res.set_content(body, "application/json"); },
                   &c);
}

// Three inputs; `vecs` as the data array, in index order.
std::string Data(const std::vector<std::string>& vecs) {
  std::string out = "{\"data\":[";
  for (size_t i = 0; i < vecs.size(); ++i) {
    out += (i ? "," : "") + std::string("{\"index\":") + std::to_string(i) +
           ",\"embedding\":" + vecs[i] + "}";
  }
  return out + "]}";
}

TEST(OpenAIEmbedderTest, MalformedResponsesAreCorruption) {
  const std::string ok2 = "[1,0]";
  struct Case {
    std::string body;
    const char* why;
  } cases[] = {
      {"not json {", "not JSON"},
      {"{\"object\":\"list\"}", "no \"data\" array"},
      {"{\"data\":{}}", "no \"data\" array"},
      {Data({ok2, ok2}), "2 embeddings for 3 inputs"},
      {Data({ok2, ok2, ok2, ok2}), "4 embeddings for 3 inputs"},
      {Data({ok2, "[0,1,0]", ok2}), "different lengths"},
      {Data({ok2, "[NaN,1]", ok2}), "not JSON"},    // NaN is not JSON
      {Data({ok2, "[1e999,1]", ok2}), "not JSON"},  // out of double range
      {Data({ok2, "[0,0]", ok2}), "data[1].embedding is all zeros"},
      {Data({ok2, "[1,null]", ok2}), "data[1].embedding[1] is not a number"},
      {Data({ok2, "[]", ok2}), "data[1].embedding is empty"},
      {Data({ok2, "\"AAAAAA==\"", ok2}), "data[1].embedding is not an array"},
      {"{\"data\":[{\"index\":0,\"embedding\":[1,0]},{\"index\":0,\"embedding\":[1,0]},"
       "{\"index\":2,\"embedding\":[1,0]}]}",
       "index 0 appears twice"},
      {"{\"data\":[{\"index\":0,\"embedding\":[1,0]},{\"index\":3,\"embedding\":[1,0]},"
       "{\"index\":2,\"embedding\":[1,0]}]}",
       "data[1].index is not in 0..2"},
      {"{\"data\":[{\"index\":0,\"embedding\":[1,0]},{\"index\":-1,\"embedding\":[1,0]},"
       "{\"index\":2,\"embedding\":[1,0]}]}",
       "data[1].index is not in 0..2"},
      {"{\"data\":[{\"index\":0,\"embedding\":[1,0]},{\"index\":1},"
       "{\"index\":2,\"embedding\":[1,0]}]}",
       "data[1] has no \"embedding\""},
  };
  for (const Case& c : cases) {
    const Status s = EmbedWithBody(c.body, 2);
    EXPECT_TRUE(s.IsCorruption()) << c.body << " -> " << s.ToString();
    EXPECT_TRUE(Has(s, "malformed response")) << s.ToString();
    EXPECT_TRUE(Has(s, c.why)) << c.why << " in " << s.ToString();
  }
  // Without "index", the input order is used; big values are normalised safely.
  EXPECT_TRUE(EmbedWithBody("{\"data\":[{\"embedding\":[1e300,1e300]},{\"embedding\":[0,2]},"
                            "{\"embedding\":[3,4]}]}",
                            2)
                  .ok());
}

TEST(OpenAIEmbedderTest, WrongDimensionNamesTheOption) {
  const Status s = EmbedWithBody(Data({"[1,0]", "[0,1]", "[1,1]"}), 3);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Has(s, "returned 2-dimensional vectors, but EmbedderOptions.dimension is 3"))
      << s.ToString();
}

TEST(OpenAIEmbedderTest, AutoDimensionIsLearnedAndThenEnforced) {
  std::atomic<size_t> dim{kDim};
  FakeServer server([&dim](int, const httplib::Request& req, httplib::Response& res) {
    res.set_content(EchoResponse(req, dim.load()), "application/json");
  });
  OpenAIEmbedderConfig c = Config(server);
  c.dimension = 0;
  c.batch_size = 2;
  std::unique_ptr<OpenAIEmbedder> e = Make(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dimension(), 0u);
  EXPECT_EQ(e->fingerprint(), "openai-v1:" + server.url() + ":test-model:dim=auto");
  std::vector<std::vector<float>> out;
  ASSERT_TRUE(e->Embed(Texts(3), &out).ok());
  ExpectVectors(Texts(3), out);
  EXPECT_EQ(e->dimension(), kDim);
  dim = 32;  // the server's model changed under the same name
  const Status s = e->Embed(Texts(1), &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(Has(s, "returned 32-dimensional vectors, but earlier responses had 16"))
      << s.ToString();
  EXPECT_EQ(out.size(), 3u);  // unchanged
}

TEST(OpenAIEmbedderTest, AllOrNothingAcrossBatches) {
  FakeServer server([](int call, const httplib::Request& req, httplib::Response& res) {
    if (call == 3) {
      res.status = 422;
      res.set_content("{\"error\":{\"message\":\"input 5 is empty\"}}", "application/json");
      return;
    }
    res.set_content(EchoResponse(req), "application/json");
  });
  OpenAIEmbedderConfig c = Config(server);
  c.batch_size = 2;
  std::unique_ptr<OpenAIEmbedder> e = Make(c);
  ASSERT_TRUE(e);
  std::vector<std::vector<float>> out = {{7.0f}};
  const Status s = e->Embed(Texts(6), &out);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Has(s, "input 5 is empty")) << s.ToString();
  EXPECT_EQ(server.calls(), 3);
  EXPECT_EQ(out, std::vector<std::vector<float>>{{7.0f}});
}

TEST(OpenAIEmbedderTest, InvalidUtf8IsRejectedBeforeAnyRequest) {
  FakeServer server(Echo);
  std::unique_ptr<OpenAIEmbedder> e = Make(Config(server));
  ASSERT_TRUE(e);
  std::vector<std::vector<float>> out;
  const std::vector<std::string> texts = {"fine", "bad \xc3\x28"};
  const Status s = e->Embed(texts, &out);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Has(s, "text 1 is not valid UTF-8")) << s.ToString();
  EXPECT_EQ(server.calls(), 0);
}

TEST(OpenAIEmbedderTest, ConnectionRefused) {
  // A socket bound to a port but not listening: connections to it are refused, and
  // nobody else can take the port while the test runs.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  OpenAIEmbedderConfig c;
  c.base_url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  c.model = "m";
  c.max_retries = 2;
  c.backoff_base = milliseconds(5);
  std::unique_ptr<OpenAIEmbedder> e = Make(c);
  ASSERT_TRUE(e);
  std::vector<std::vector<float>> out;
  const Status s = e->Embed(Texts(1), &out);
  close(fd);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(Has(s, "embedding server " + c.base_url + ": connection refused")) << s.ToString();
  EXPECT_TRUE(Has(s, "after 3 attempts")) << s.ToString();
}

TEST(OpenAIEmbedderTest, TimeoutIsRetriedThenReported) {
  FakeServer* self = nullptr;
  FakeServer server([&self](int, const httplib::Request&, httplib::Response& res) {
    self->Hang(milliseconds(5000));  // until the test tears the server down
    res.set_content("{}", "application/json");
  });
  self = &server;
  OpenAIEmbedderConfig c = Config(server);
  c.timeout = milliseconds(200);
  c.max_retries = 1;
  std::unique_ptr<OpenAIEmbedder> e = Make(c);
  ASSERT_TRUE(e);
  std::vector<std::vector<float>> out;
  const auto start = Clock::now();
  const Status s = e->Embed(Texts(1), &out);
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(Has(s, "timed out after 200 ms")) << s.ToString();
  EXPECT_TRUE(Has(s, "after 2 attempts")) << s.ToString();
  EXPECT_EQ(server.calls(), 2);
  EXPECT_GE(elapsed, milliseconds(400));
  EXPECT_LT(elapsed, milliseconds(2000));
}

TEST(OpenAIEmbedderTest, ConcurrentCallsShareOneEmbedder) {
  FakeServer server(Echo);
  std::unique_ptr<OpenAIEmbedder> e = Make(Config(server));
  ASSERT_TRUE(e);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&e, &failures, t] {
      for (int i = 0; i < 5; ++i) {
        const std::vector<std::string> texts = {"thread " + std::to_string(t),
                                                "call " + std::to_string(i)};
        std::vector<std::vector<float>> out;
        if (!e->Embed(texts, &out).ok() || out.size() != 2) {
          ++failures;
          continue;
        }
        for (size_t j = 0; j < 2; ++j) {
          const std::vector<float> want = HashVec(texts[j]);
          for (size_t k = 0; k < kDim; ++k) {
            if (std::fabs(out[j][k] - want[k]) > 1e-6f) ++failures;
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.calls(), 20);
}

TEST(OpenAIEmbedderTest, BaseUrlForms) {
  struct Case {
    const char* in;
    const char* normalized;
    const char* path;
  } cases[] = {
      {"http://localhost:11434", "http://localhost:11434", "/v1/embeddings"},
      {"HTTP://LocalHost:80/", "http://localhost", "/v1/embeddings"},
      {"https://api.openai.com", "https://api.openai.com", "/v1/embeddings"},
      {"https://api.openai.com:443/v1/", "https://api.openai.com/v1", "/v1/embeddings"},
      {"http://10.0.0.5:8000/proxy/openai", "http://10.0.0.5:8000/proxy/openai",
       "/proxy/openai/v1/embeddings"},
      {"http://[::1]:8080", "http://[::1]:8080", "/v1/embeddings"},
  };
  for (const Case& c : cases) {
    OpenAIEmbedderConfig config;
    config.base_url = c.in;
    config.model = "m";
    std::unique_ptr<OpenAIEmbedder> e = Make(config);
    ASSERT_TRUE(e) << c.in;
    EXPECT_EQ(e->base_url(), c.normalized) << c.in;
    EXPECT_EQ(e->request_path(), c.path) << c.in;
  }
  for (const char* bad : {"localhost:11434", "ftp://host", "http://", "http://:80", "http://host:0",
                          "http://host:99999", "http://host:12ab", "http://user:pw@host",
                          "http://host/?q=1", "http://host/#x", "http://ho st", "http://[::1"}) {
    OpenAIEmbedderConfig config;
    config.base_url = bad;
    config.model = "m";
    Result<std::unique_ptr<OpenAIEmbedder>> r = OpenAIEmbedder::Create(config);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_TRUE(Has(r.status(), "EmbedderOptions.base_url")) << r.status().ToString();
  }
}

TEST(OpenAIEmbedderTest, OptionErrorsNameTheField) {
  struct Case {
    std::function<void(EmbedderOptions*)> set;
    const char* field;
  } cases[] = {
      {[](EmbedderOptions* o) { o->base_url.clear(); }, "EmbedderOptions.base_url"},
      {[](EmbedderOptions* o) { o->model.clear(); }, "EmbedderOptions.model"},
      {[](EmbedderOptions* o) { o->dimension = 70000; }, "EmbedderOptions.dimension"},
      {[](EmbedderOptions* o) { o->timeout = milliseconds(0); }, "EmbedderOptions.timeout"},
      {[](EmbedderOptions* o) { o->max_retries = -1; }, "EmbedderOptions.max_retries"},
      {[](EmbedderOptions* o) { o->max_retries = 11; }, "EmbedderOptions.max_retries"},
      {[](EmbedderOptions* o) { o->model = "m\xff"; }, "EmbedderOptions.model"},
      {[](EmbedderOptions* o) { o->api_key = "sk\r\nX-Evil: 1"; }, "EmbedderOptions.api_key"},
      {[](EmbedderOptions* o) { o->base_url = "http://h:1/a b"; }, "EmbedderOptions.base_url"},
      {[](EmbedderOptions* o) { o->batch_size = 0; }, "EmbedderOptions.batch_size"},
      {[](EmbedderOptions* o) { o->batch_size = 4096; }, "EmbedderOptions.batch_size"},
  };
  for (const Case& c : cases) {
    EmbedderOptions o;
    o.kind = "openai";
    o.model = "m";
    o.base_url = "http://localhost:11434";
    o.dimension = 0;
    ASSERT_TRUE(MakeEmbedder(o).ok());
    c.set(&o);
    Result<std::unique_ptr<Embedder>> r = MakeEmbedder(o);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_TRUE(Has(r.status(), c.field)) << r.status().ToString();
  }
}

// ---- HTTPS -------------------------------------------------------------------------

// A self-signed certificate for IP 127.0.0.1 and its key, written as PEM to `dir`.
struct TestCert {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  std::string pem_path;
  ~TestCert() {
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!pem_path.empty()) std::remove(pem_path.c_str());
  }
};

bool MakeTestCert(TestCert* tc) {
  tc->key = EVP_EC_gen("P-256");
  tc->cert = X509_new();
  if (tc->key == nullptr || tc->cert == nullptr) return false;
  X509* x = tc->cert;
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, tc->key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return false;
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x, tc->key, EVP_sha256()) == 0) return false;
  char path[] = "/tmp/urd_embed_test_cert_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return false;
  tc->pem_path = path;
  FILE* f = fdopen(fd, "w");
  const bool ok = f != nullptr && PEM_write_X509(f, x) == 1;
  if (f != nullptr) std::fclose(f);
  return ok;
}

std::unique_ptr<httplib::Server> TlsServer(const TestCert& tc) {
  return std::make_unique<httplib::SSLServer>(tc.cert, tc.key);
}

TEST(OpenAIEmbedderTest, HttpsRejectsAnUntrustedCertificate) {
  TestCert tc;
  ASSERT_TRUE(MakeTestCert(&tc));
  FakeServer server(Echo, TlsServer(tc));
  ASSERT_TRUE(server.ok());
  OpenAIEmbedderConfig c = Config(server);
  c.base_url = server.url("https");
  std::unique_ptr<OpenAIEmbedder> e = Make(c);
  ASSERT_TRUE(e);
  std::vector<std::vector<float>> out;
  const Status s = e->Embed(Texts(1), &out);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(Has(s, "TLS server certificate verification failed: self-signed certificate"))
      << s.ToString();
  EXPECT_EQ(server.calls(), 0);
}

TEST(OpenAIEmbedderTest, HttpsWorksWithATrustedCertificate) {
  TestCert tc;
  ASSERT_TRUE(MakeTestCert(&tc));
  // OpenSSL's default trust store honours SSL_CERT_FILE. Set before any thread starts.
  ASSERT_EQ(setenv("SSL_CERT_FILE", tc.pem_path.c_str(), 1), 0);
  {
    FakeServer server(Echo, TlsServer(tc));
    ASSERT_TRUE(server.ok());
    OpenAIEmbedderConfig c = Config(server);
    c.base_url = server.url("https");
    c.api_key = "sk-tls";
    std::unique_ptr<OpenAIEmbedder> e = Make(c);
    ASSERT_TRUE(e);
    std::vector<std::vector<float>> out;
    const Status s = e->Embed(Texts(3), &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    ExpectVectors(Texts(3), out);
    EXPECT_EQ(server.auth(), std::vector<std::string>{"Bearer sk-tls"});
  }
  unsetenv("SSL_CERT_FILE");
}

TEST(OpenAIEmbedderTest, HttpsToAPlainHttpServerFailsTheHandshake) {
  FakeServer server(Echo);
  OpenAIEmbedderConfig c = Config(server);
  c.base_url = server.url("https");
  c.max_retries = 0;
  std::unique_ptr<OpenAIEmbedder> e = Make(c);
  ASSERT_TRUE(e);
  std::vector<std::vector<float>> out;
  const Status s = e->Embed(Texts(1), &out);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(Has(s, "TLS")) << s.ToString();
}

}  // namespace
}  // namespace urd
