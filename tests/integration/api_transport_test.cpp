// HTTP behaviour of the API listener: limits, keep-alive, pipelining, timeouts,
// concurrency and graceful shutdown.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

using namespace minitwit::test;
namespace json = boost::json;

namespace {
std::string reg(const std::string& u) {
  return json::serialize(json::object{{"username", u}, {"email", u + "@x.dk"}, {"pwd", "pw"}});
}
}  // namespace

TEST_CASE("bodies over the limit get 413, oversized headers 431, and nothing is written") {
  server_process s({"--max-body", "1024"});
  auto big = reg(std::string(2000, 'x'));
  auto r = request(s.api(), "POST", "/register", big);
  CHECK(r.status == 413);
  CHECK(json::parse(r.body).at("status").as_int64() == 413);
  auto h = request(s.api(), "GET", "/latest", "", {{"X-Big", std::string(10000, 'h')}});
  CHECK(h.status == 431);
  CHECK(request(s.api(), "POST", "/register", reg("ok")).status == 204);
  CHECK(request(s.api(), "GET", "/latest").body == R"({"latest":-1})");
}

TEST_CASE("keep-alive serves many requests on one connection and Connection: close closes it") {
  server_process s;
  connection c(s.api());
  for (int i = 0; i < 5; ++i) CHECK(c.send("GET", "/latest").status == 200);
  auto last = c.send("GET", "/latest", "", {{"Connection", "close"}});
  CHECK(last.status == 200);
  CHECK(last.header("connection") == "close");
  CHECK(c.closed_by_peer(std::chrono::seconds(5)));
}

TEST_CASE("pipelined requests are answered in order") {
  server_process s;
  connection c(s.api());
  std::string two =
      "GET /latest HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto out = c.raw(two);
  auto first = out.find("HTTP/1.1 200");
  auto second = out.find("HTTP/1.1 404");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
}

TEST_CASE("HTTP/1.0 is served and closed but HTTP/1.1 without Host is a 400") {
  server_process s;
  connection a(s.api());
  auto out = a.raw("GET /latest HTTP/1.0\r\n\r\n");
  CHECK(out.starts_with("HTTP/1.0 200"));
  CHECK(out.find(R"({"latest":-1})") != std::string::npos);
  connection b(s.api());
  auto bad = b.raw("GET /latest HTTP/1.1\r\n\r\n");
  CHECK(bad.starts_with("HTTP/1.1 400"));
  connection c(s.api());
  auto garbage = c.raw("NOT HTTP AT ALL\r\n\r\n");
  CHECK(garbage.starts_with("HTTP/1.1 400"));
}

TEST_CASE("a client that sends too slowly is disconnected by the read timeout") {
  server_process s({"--read-timeout-ms", "300"});
  connection c(s.api());
  auto started = std::chrono::steady_clock::now();
  // Half a request head, then nothing: the server must close within the timeout.
  (void)c.raw("GET /latest HTTP/1.1\r\nHo", std::chrono::seconds(5));
  auto waited = std::chrono::steady_clock::now() - started;
  CHECK(waited < std::chrono::seconds(4));
  CHECK(request(s.api(), "GET", "/latest").status == 200);
}

TEST_CASE("32 simultaneous registrations all succeed (and how long they take)") {
  server_process s;
  using clock = std::chrono::steady_clock;
  std::vector<std::future<std::pair<unsigned, double>>> answers;
  auto started = clock::now();
  for (int i = 0; i < 32; ++i)
    answers.push_back(std::async(std::launch::async, [&, i] {
      auto t0 = clock::now();
      auto status = request(s.api(), "POST", "/register?latest=" + std::to_string(i),
                            reg("user " + std::to_string(i)))
                        .status;
      return std::pair{status,
                       std::chrono::duration<double, std::milli>(clock::now() - t0).count()};
    }));
  double slowest = 0;
  for (auto& a : answers) {
    auto [status, ms] = a.get();
    CHECK(status == 204);
    slowest = std::max(slowest, ms);
  }
  auto total = std::chrono::duration<double, std::milli>(clock::now() - started).count();
  MESSAGE("32 simultaneous registrations: all done in " << total << " ms, slowest request "
                                                        << slowest << " ms");
  for (int i = 0; i < 32; ++i)
    CHECK(sim(s.api(), "GET", "/msgs/user%20" + std::to_string(i)).status == 200);
}

TEST_CASE("SIGTERM: in-flight requests finish, then the server exits 0") {
  server_process s;
  std::vector<std::future<unsigned>> answers;
  for (int i = 0; i < 8; ++i)
    answers.push_back(std::async(std::launch::async, [&, i] {
      return request(s.api(), "POST", "/register", reg("t" + std::to_string(i))).status;
    }));
  // Wait until at least one has been answered, so the rest are in flight or done.
  answers.front().wait();
  CHECK(s.stop() == 0);
  for (auto& a : answers) {
    try {
      auto status = a.get();
      CHECK(status == 204);  // whatever was accepted was answered
    } catch (const std::exception&) {
      // refused at connect after the listener closed: acceptable
    }
  }
  CHECK(s.output().find("stopped cleanly") != std::string::npos);
}

TEST_CASE("admin health endpoints answer") {
  server_process s;
  auto live = request(s.admin(), "GET", "/health/live");
  CHECK(live.status == 200);
  auto ready = request(s.admin(), "GET", "/health/ready");
  CHECK(ready.status == 200);
  auto v = json::parse(ready.body);
  CHECK(v.at("ready").as_bool());
  CHECK(json::value_to<std::string>(v.at("writer")) == "running");
}
