#include "http/access_guard.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <optional>

using namespace minitwit;
using namespace minitwit::http;

namespace {

// Answers 204 to everything that gets through, counting it.
struct inner_handler final : handler {
  int passed = 0;
  void handle(request, responder done) override {
    ++passed;
    done(no_content());
  }
};

response send(handler& h, const std::string& client) {
  request req;
  req.method = "GET";
  req.target = "/latest";
  req.client = client;
  std::optional<response> answer;
  h.handle(std::move(req), [&](response r) { answer = std::move(r); });
  REQUIRE(answer);  // the guard answers at once
  return *answer;
}

std::string header(const response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

}  // namespace

TEST_CASE("by default everyone passes, without a limit") {
  inner_handler inner;
  auto guard = access_guard::create(inner, {});
  REQUIRE(guard);
  for (int i = 0; i < 100; ++i) CHECK(send(**guard, "203.0.113.9").status == 204);
  CHECK(inner.passed == 100);
}

TEST_CASE("an allow-list lets its networks through and tells others why not") {
  inner_handler inner;
  auto guard = access_guard::create(inner, {{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"}});
  REQUIRE(guard);
  CHECK(send(**guard, "10.1.2.3").status == 204);
  CHECK(send(**guard, "192.0.2.7").status == 204);
  CHECK(send(**guard, "::ffff:10.9.9.9").status == 204);  // v4-mapped counts as v4
  CHECK(send(**guard, "2001:db8::1").status == 204);
  auto refused = send(**guard, "192.0.2.8");
  CHECK(refused.status == 403);
  auto body = boost::json::parse(refused.body);
  CHECK(body.at("status") == 403);
  auto text = std::string(body.at("error_msg").as_string());
  CHECK(text.find("your address 192.0.2.8") != std::string::npos);
  CHECK(text.find("(10.0.0.0/8, 192.0.2.7, 2001:db8::/32)") != std::string::npos);
  CHECK(send(**guard, "not an address").status == 403);
  CHECK(inner.passed == 4);
}

TEST_CASE("malformed networks and rates are refused when the guard is made") {
  inner_handler inner;
  for (const char* bad :
       {"10.0.0.0/33", "10.0.0.0/x", "10.0.0/8", "example.org", "::1/129", "10.0.0.0/8/8"}) {
    CAPTURE(bad);
    auto g = access_guard::create(inner, {{bad}});
    REQUIRE_FALSE(g);
    CHECK(g.error().code == errc::invalid_argument);
    CHECK(g.error().message.find(bad) != std::string::npos);
  }
  auto negative = access_guard::create(inner, {{}, -1});
  REQUIRE_FALSE(negative);
  CHECK(negative.error().code == errc::invalid_argument);
}

TEST_CASE("a rate limit lets a burst through per client, then answers 429 with Retry-After") {
  inner_handler inner;
  auto guard = access_guard::create(inner, {{}, 0.5, 3});
  REQUIRE(guard);
  for (int i = 0; i < 3; ++i) CHECK(send(**guard, "10.0.0.1").status == 204);
  auto limited = send(**guard, "10.0.0.1");
  CHECK(limited.status == 429);
  CHECK(header(limited, "Retry-After") == "2");  // one token every two seconds
  CHECK(boost::json::parse(limited.body).at("status") == 429);
  CHECK(send(**guard, "10.0.0.2").status == 204);  // another client has its own bucket
  CHECK(inner.passed == 4);
}

TEST_CASE("without a burst the bucket holds max(1, rate) requests") {
  inner_handler inner;
  auto slow = access_guard::create(inner, {{}, 0.1});
  REQUIRE(slow);
  CHECK(send(**slow, "10.0.0.1").status == 204);
  CHECK(send(**slow, "10.0.0.1").status == 429);
  auto fast = access_guard::create(inner, {{}, 5});
  REQUIRE(fast);
  for (int i = 0; i < 5; ++i) CHECK(send(**fast, "10.0.0.1").status == 204);
  CHECK(send(**fast, "10.0.0.1").status == 429);
}
