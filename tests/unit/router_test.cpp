#include "http/router.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace minitwit::http;
using outcome = route_match::outcome;

namespace {

// The routes of the simulator API and of the web UI, as those handlers declare them.
route_table api_table() {
  route_table t({.empty_params = false});
  t.add("GET", "/latest");
  t.add("POST", "/register");
  t.add("GET", "/msgs", true);
  t.add("GET", "/msgs/:user", true);
  t.add("POST", "/msgs/:user", true);
  t.add("GET", "/fllws/:user", true);
  t.add("POST", "/fllws/:user", true);
  return t;
}

route_table web_table() {
  route_table t;
  t.add("GET HEAD", "/");
  t.add("POST", "/add_message");
  t.add("GET HEAD", "/static/:file", false, "/static");
  t.add("GET HEAD", "/:user");
  t.add("GET HEAD", "/:user/follow", true);
  return t;
}

route_match match(const route_table& t, std::string method, std::string target) {
  request req;
  req.method = std::move(method);
  req.target = std::move(target);
  t.match(req);
  return req.match;
}

}  // namespace

TEST_CASE("a match names the route, its number and its decoded parameters") {
  auto t = api_table();
  auto m = match(t, "GET", "/msgs/Roger%20Histand?no=3");
  CHECK(m.result == outcome::found);
  CHECK(m.index == 3);
  CHECK(m.route == "/msgs/:user");
  CHECK(m.restricted);
  CHECK(m.params[0] == "Roger Histand");
  CHECK(match(t, "POST", "/msgs/Roger%20Histand").index == 4);
  CHECK(match(t, "GET", "/msgs/a+b").params[0] == "a+b");  // '+' is a space only in queries
  CHECK(match(t, "GET", "/msgs/%C3%A6%2f").params[0] == "\xc3\xa6/");
  CHECK(match(t, "GET", "/msgs/..%2F..%2Fetc").params[0] == "../../etc");
  CHECK(match(t, "GET", "/msgs/ali%00ce").params[0] == std::string("ali\0ce", 6));
  CHECK(match(t, "GET", "/m%73gs").route == "/msgs");  // fixed segments match decoded
  CHECK_FALSE(match(t, "GET", "/latest").restricted);
}

TEST_CASE(
    "unknown paths are not found as \"other\"; a known path with a wrong method lists its "
    "methods") {
  auto t = api_table();
  for (const char* path : {"/nope", "/msgs/a/b", "/", "//msgs", "/msgs/../latest", "/msgs%2Falice",
                           "/%2e%2e/latest", "/./msgs", "/latest/", "/a/b/c/d/e/f/g/h/i"}) {
    CAPTURE(path);
    auto m = match(t, "GET", path);
    CHECK(m.result == outcome::not_found);
    CHECK(m.route == "other");
  }
  auto m = match(t, "DELETE", "/msgs");
  CHECK(m.result == outcome::wrong_method);
  CHECK(m.route == "/msgs");
  CHECK(m.allow == "GET");
  CHECK(match(t, "PUT", "/fllws/a").allow == "GET, POST");
  CHECK(match(t, "GET", "/register").allow == "POST");
  CHECK(match(t, "get", "/latest").result == outcome::wrong_method);  // methods are case-sensitive
}

TEST_CASE("an empty segment fills a parameter only where the table allows it") {
  auto api_routes = api_table();
  auto web_routes = web_table();
  auto api = match(api_routes, "DELETE", "/msgs/");
  CHECK(api.result == outcome::not_found);  // not a 405: there is no such resource
  CHECK(api.route == "/msgs/:user");        // but metrics still count it there
  auto web = match(web_routes, "GET", "//follow");
  CHECK(web.result == outcome::found);
  CHECK(web.route == "/:user/follow");
  CHECK(web.params[0] == "");
  CHECK(match(web_routes, "GET", "/").route == "/");  // the root is its own route
  route_table any_user;
  any_user.add("GET", "/msgs/:user");
  auto trailing = match(any_user, "GET", "/msgs/");
  CHECK(trailing.result == outcome::found);  // "/msgs/" is "msgs" and an empty segment
  CHECK(trailing.params[0] == "");
}

TEST_CASE("the first template that fits the path decides, even with a wrong method") {
  auto t = web_table();
  CHECK(match(t, "GET", "/add_message").result == outcome::wrong_method);  // never "/:user"
  auto s = match(t, "GET", "/static/style.css");
  CHECK(s.route == "/static");  // a label of its own
  CHECK(s.params[0] == "style.css");
  CHECK(match(t, "GET", "/static/follow").route == "/static");
  CHECK(match(t, "GET", "/public/follow").params[0] == "public");
  CHECK(match(t, "HEAD", "/bob").result == outcome::found);
}

TEST_CASE("fixed segments as sent, when the table says so") {
  route_table t({.decode_fixed = false});
  t.add("GET", "/health/live");
  CHECK(match(t, "GET", "/health/live?x=%zz").result ==
        outcome::found);  // the query is not the table's business
  CHECK(match(t, "GET", "/health/%6Cive").result == outcome::not_found);
  CHECK(match(t, "GET", "/health/live#x").result == outcome::not_found);
}

TEST_CASE("malformed targets: not found, and the view says which part is bad") {
  auto t = api_table();
  auto bad_path = match(t, "GET", "/msgs/%zz");
  CHECK(bad_path.result == outcome::not_found);
  CHECK(bad_path.route == "other");
  CHECK_FALSE(bad_path.target.path_ok);
  auto bad_query = match(t, "GET", "/msgs?no=%zz");
  CHECK(bad_query.route == "/msgs");  // the path still names its route
  CHECK_FALSE(bad_query.target.ok());
  for (const char* target : {"*", "http://evil.example/latest", "no-slash"})
    CHECK_FALSE(match(t, "GET", target).target.path_ok);
}

TEST_CASE("a request is matched once: a second match by the same table changes nothing") {
  auto t = api_table();
  request req;
  req.method = "GET";
  req.target = "/latest";
  t.match(req);
  req.target = "/msgs";
  t.match(req);
  CHECK(req.match.route == "/latest");
  CHECK(req.match.table == &t);
  auto other = api_table();
  other.match(req);  // another table matches afresh
  CHECK(req.match.route == "/msgs");
}

TEST_CASE("bad templates are programmer errors") {
  route_table t;
  CHECK_THROWS_AS(t.add("GET", "latest"), std::logic_error);
  CHECK_THROWS_AS(t.add("GET", "/:a/:b/:c"), std::logic_error);
  CHECK_THROWS_AS(t.add("GET", "/a/b/c/d/e"), std::logic_error);
  CHECK(t.size() == 0);
}

namespace {

struct counter {
  struct call {
    request req;
  };
  void first(call& c) { seen.emplace_back("first " + c.req.match.params[0]); }
  void second(call&) { seen.emplace_back("second"); }
  std::vector<std::string> seen;
};

}  // namespace

TEST_CASE("a router calls the member function its route was declared with") {
  router<counter, counter::call> r(
      {{"GET", "/a/:x", &counter::first}, {"POST", "/a/:x", &counter::second, true}});
  counter h;
  counter::call c;
  c.req.method = "GET";
  c.req.target = "/a/one";
  r.match(c.req);
  r.serve(h, c, c.req.match);
  c.req.method = "POST";
  c.req.match = {};
  r.match(c.req);
  CHECK(c.req.match.restricted);
  r.serve(h, c, c.req.match);
  CHECK(h.seen == std::vector<std::string>{"first one", "second"});
  CHECK(r.table().size() == 2);
}
