// The simulator API in process, on a real store: requests are structs, answers are
// captured from the responder; no socket.
#include "http/simulator_api.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "app/passwords.hpp"
#include "http/observed_handler.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/store_fixture.hpp"

using namespace minitwit;
using namespace minitwit::http;
namespace json = boost::json;

namespace {

const std::string credentials = "Basic c2ltdWxhdG9yOnN1cGVyX3NhZmUh";  // simulator:super_safe!

response call(handler& h, std::string method, std::string target, std::string body = {},
              bool authenticate = true) {
  request req;
  req.method = std::move(method);
  req.target = std::move(target);
  req.body = std::move(body);
  req.client = "127.0.0.1";
  if (authenticate) req.headers.emplace_back("authorization", credentials);
  return test::call_handler(h, std::move(req));
}

std::string header(const response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

// An API on a fresh store, with the server's defaults.
struct api_fixture {
  explicit api_fixture(simulator_api_options o = {})
      : api(*store.reads, *store.writer, hashers, std::move(o)) {
    REQUIRE(app::init_crypto());
  }
  test::store_fixture store;
  app::worker_pool hashers{2, 64};
  simulator_api api;

  response send(std::string method, std::string target, std::string body = {},
                bool authenticate = true) {
    return call(api, std::move(method), std::move(target), std::move(body), authenticate);
  }
  std::int64_t latest() { return json::parse(send("GET", "/latest").body).at("latest").as_int64(); }
  void reg(const std::string& name) {
    auto r = send(
        "POST", "/register",
        json::serialize(json::object{{"username", name}, {"email", name + "@x"}, {"pwd", "p"}}));
    REQUIRE(r.status == 204);
  }
};

void check_error(const response& r, unsigned status, std::string_view text) {
  CHECK(r.status == status);
  CHECK(r.content_type == "application/json");
  auto body = json::parse(r.body);
  CHECK(body.at("status") == status);
  CHECK(body.at("error_msg").as_string() == text);
}

}  // namespace

TEST_CASE("latest: -1 on a fresh store, then the value of the last request that carried one") {
  api_fixture f;
  auto r = f.send("GET", "/latest");
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/json");
  CHECK(r.body == R"({"latest":-1})");
  f.reg("alice");
  CHECK(f.latest() == -1);
  CHECK(f.send("GET", "/msgs?latest=7").status == 200);
  CHECK(f.latest() == 7);
  CHECK(f.send("GET", "/latest?latest=99").status == 200);  // /latest reports, it does not store
  CHECK(f.latest() == 7);
  CHECK(f.send("GET", "/msgs?latest=ten").status == 200);
  CHECK(f.latest() == 7);
}

TEST_CASE("register: 204 with no body, then the name is taken (400)") {
  api_fixture f;
  auto ok =
      f.send("POST", "/register?latest=1", R"({"username":"a","email":"a@x","pwd":"p"})", false);
  CHECK(ok.status == 204);
  CHECK(ok.body.empty());
  check_error(f.send("POST", "/register", R"({"username":"a","email":"b@x","pwd":"p"})"), 400,
              core::describe(core::domain_error::username_taken));
  check_error(f.send("POST", "/register", "{"), 400, "The request body must be a JSON object");
  check_error(f.send("POST", "/register", R"({"username":5})"), 400,
              "The field 'username' must be a string");
  CHECK(f.latest() == 1);
}

TEST_CASE("messages: a post, then the user's and the public timeline, newest first, capped by no") {
  api_fixture f;
  f.reg("alice");
  CHECK(f.send("POST", "/msgs/alice", R"({"content":"first"})").status == 204);
  CHECK(f.send("POST", "/msgs/alice?latest=3", R"({"content":"second \"quoted\""})").status == 204);
  CHECK(f.latest() == 3);
  auto mine = f.send("GET", "/msgs/alice");
  CHECK(mine.status == 200);
  auto list = json::parse(mine.body).as_array();
  REQUIRE(list.size() == 2);
  CHECK(list[0].at("content") == "second \"quoted\"");
  CHECK(list[0].at("user") == "alice");
  CHECK(list[0].at("pub_date").is_int64());
  CHECK(list[1].at("content") == "first");
  CHECK(json::parse(f.send("GET", "/msgs?no=1").body).as_array().size() == 1);
  CHECK(json::parse(f.send("GET", "/msgs?no=1&no=5").body).as_array().size() ==
        1);  // the first wins
  CHECK(json::parse(f.send("GET", "/msgs/alice?no=-3").body).as_array().empty());
  check_error(f.send("GET", "/msgs/bob"), 404, core::describe(core::domain_error::unknown_user));
  check_error(f.send("POST", "/msgs/bob", "{"), 404,
              core::describe(core::domain_error::unknown_user));
  check_error(f.send("POST", "/msgs/alice", R"({"content":1})"), 400,
              "The field 'content' must be a string");
}

TEST_CASE("usernames travel percent-encoded in the path") {
  api_fixture f;
  f.reg("Roger Histand");
  CHECK(f.send("POST", "/msgs/Roger%20Histand", R"({"content":"hi"})").status == 204);
  auto list = json::parse(f.send("GET", "/msgs/Roger%20Histand").body).as_array();
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("user") == "Roger Histand");
  check_error(f.send("GET", "/msgs/Roger+Histand"), 404,
              core::describe(core::domain_error::unknown_user));
}

TEST_CASE("follows: follow, list, unfollow, unknown users") {
  api_fixture f;
  f.reg("alice");
  f.reg("bob");
  CHECK(f.send("POST", "/fllws/alice", R"({"follow":"bob"})").status == 204);
  CHECK(json::parse(f.send("GET", "/fllws/alice").body) == json::parse(R"({"follows":["bob"]})"));
  CHECK(f.send("POST", "/fllws/alice", R"({"unfollow":"bob"})").status == 204);
  CHECK(json::parse(f.send("GET", "/fllws/alice").body) == json::parse(R"({"follows":[]})"));
  check_error(f.send("POST", "/fllws/alice", R"({"follow":"nobody"})"), 404,
              core::describe(core::domain_error::unknown_followee));
  check_error(f.send("GET", "/fllws/nobody"), 404,
              core::describe(core::domain_error::unknown_user));
  check_error(f.send("POST", "/fllws/alice", "{}"), 400,
              "The body needs a string field 'follow' or 'unfollow'");
}

TEST_CASE("403 without credentials, before anything is read or stored") {
  api_fixture f;
  f.reg("alice");
  const std::pair<const char*, const char*> protected_routes[] = {
      {"GET", "/msgs?latest=5"},
      {"GET", "/msgs/alice?latest=5"},
      {"POST", "/msgs/alice?latest=5"},
      {"GET", "/fllws/alice?latest=5"},
      {"POST", "/fllws/alice?latest=5"}};
  for (const auto& route : protected_routes) {
    CAPTURE(route.second);
    check_error(f.send(route.first, route.second, R"({"content":"x"})", false), 403,
                "You are not authorized to use this resource!");
  }
  CHECK(f.latest() == -1);
  CHECK(json::parse(f.send("GET", "/msgs").body).as_array().empty());
}

TEST_CASE("routes: 404 and 405 (with Allow) need no credentials, malformed targets are 400") {
  api_fixture f;
  for (const char* target :
       {"/nope", "/msgs/a/b", "/", "/msgs/", "/fllws/", "//msgs", "/./msgs", "/metrics"})
    check_error(f.send("GET", target, {}, false), 404, "Not found: no such resource");
  check_error(f.send("DELETE", "/msgs/", {}, false), 404, "Not found: no such resource");
  auto r = f.send("DELETE", "/msgs", {}, false);
  check_error(r, 405, "Method not allowed; this resource allows GET");
  CHECK(header(r, "Allow") == "GET");
  check_error(f.send("GET", "/register", {}, false), 405,
              "Method not allowed; this resource allows POST");
  auto put = f.send("PUT", "/fllws/a", {}, false);
  check_error(put, 405, "Method not allowed; this resource allows GET, POST");
  CHECK(header(put, "Allow") == "GET, POST");
  for (const char* target :
       {"/msgs/%zz", "/msgs/%4", "/msgs?no=%G1", "/nope?x=%", "*", "http://evil.example/latest"})
    check_error(f.send("GET", target), 400, "The request target is not valid percent-encoding");
}

TEST_CASE("GET /metrics is a route of the API only when asked for") {
  observability::server_metrics metrics;
  simulator_api_options o;
  o.metrics = &metrics;
  api_fixture f(o);
  auto r = f.send("GET", "/metrics", {}, false);
  CHECK(r.status == 200);
  CHECK(r.content_type.starts_with("text/plain; version=0.0.4"));
  CHECK(r.body.find("process_open_fds") != std::string::npos);
  CHECK(f.send("POST", "/metrics").status == 405);
}

TEST_CASE(
    "behind its listener's observed_handler: matched once, labelled by template, answered with an "
    "id") {
  api_fixture f;
  f.reg("alice");
  observability::server_metrics metrics;
  observed_handler observed("api", f.api, f.api.routes(), metrics);
  auto r = call(observed, "GET", "/msgs/alice?no=1");
  CHECK(r.status == 200);
  CHECK(header(r, "X-Request-Id").size() == 16);
  request traced;
  traced.method = "GET";
  traced.target = "/latest";
  traced.headers.emplace_back("x-request-id", "trace-me");
  CHECK(header(test::call_handler(observed, std::move(traced)), "X-Request-Id") == "trace-me");
  call(observed, "GET", "/msgs/");
  auto scraped = metrics.scrape();
  CHECK(scraped.find(R"(listener="api",method="GET",route="/msgs/:user",status="200")") !=
        std::string::npos);
  CHECK(scraped.find(R"(route="/msgs/:user",status="404")") != std::string::npos);
  CHECK(scraped.find(R"(route="/latest")") != std::string::npos);
  CHECK(scraped.find("alice") == std::string::npos);  // usernames never become labels
}
