// Every row of the simulator API contract (docs/openapi.yaml), against the real minitwit-server.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

using namespace minitwit::test;
namespace json = boost::json;

namespace {

std::string reg_body(const std::string& user, const std::string& email = "u@example.com",
                     const std::string& pwd = "pw") {
  json::object o{{"username", user}, {"email", email}, {"pwd", pwd}};
  return json::serialize(o);
}

void check_error(const http_result& r, unsigned status, const std::string& text) {
  CHECK(r.status == status);
  CHECK(r.header("content-type") == "application/json");
  auto v = json::parse(r.body);
  CHECK(v.at("status").as_int64() == status);
  CHECK(json::value_to<std::string>(v.at("error_msg")) == text);
}

std::int64_t latest(const server_process& s) {
  auto r = request(s.api(), "GET", "/latest");
  REQUIRE(r.status == 200);
  return json::parse(r.body).at("latest").as_int64();
}

json::array messages(const server_process& s, const std::string& target) {
  auto r = sim(s.api(), "GET", target);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "application/json");
  return json::parse(r.body).as_array();
}

std::vector<std::string> follows(const server_process& s, const std::string& target) {
  auto r = sim(s.api(), "GET", target);
  REQUIRE(r.status == 200);
  return json::value_to<std::vector<std::string>>(json::parse(r.body).at("follows"));
}

void must(const http_result& r, unsigned status = 204) {
  INFO(r.body);
  REQUIRE(r.status == status);
}

}  // namespace

TEST_CASE("GET /latest is -1 on a fresh server, then the last stored value") {
  server_process s;
  CHECK(latest(s) == -1);
  must(request(s.api(), "POST", "/register?latest=1337", reg_body("a")));
  CHECK(latest(s) == 1337);
  auto r = request(s.api(), "GET", "/latest");
  CHECK(r.header("content-type") == "application/json");
  CHECK(r.body == R"({"latest":1337})");
}

TEST_CASE("POST /register: success is 204 with an empty body, then the name is taken") {
  server_process s;
  auto r = request(s.api(), "POST", "/register", reg_body("Roger Histand"));
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  check_error(request(s.api(), "POST", "/register", reg_body("Roger Histand", "other@x")), 400,
              "The username is already taken");
  // Case-sensitive: another name.
  must(request(s.api(), "POST", "/register", reg_body("roger histand")));
}

TEST_CASE("POST /register: checks in the contract's order, first failure wins") {
  server_process s;
  auto post = [&](const std::string& body) { return request(s.api(), "POST", "/register", body); };
  check_error(post(R"({"email":"a@b","pwd":"x"})"), 400, "You have to enter a username");
  check_error(post(R"({"username":"","email":"a@b","pwd":"x"})"), 400,
              "You have to enter a username");
  check_error(post(R"({})"), 400, "You have to enter a username");
  check_error(post(R"({"username":"a","pwd":"x"})"), 400,
              "You have to enter a valid email address");
  check_error(post(R"({"username":"a","email":"","pwd":"x"})"), 400,
              "You have to enter a valid email address");
  check_error(post(R"({"username":"a","email":"no-at","pwd":""})"), 400,
              "You have to enter a valid email address");
  check_error(post(R"({"username":"a","email":"a@b"})"), 400, "You have to enter a password");
  check_error(post(R"({"username":"a","email":"a@b","pwd":""})"), 400,
              "You have to enter a password");
  must(post(reg_body("a")));
  // Taken is checked last: an invalid email on a taken name reports the email.
  check_error(post(R"({"username":"a","email":"bad","pwd":"x"})"), 400,
              "You have to enter a valid email address");
  check_error(post(reg_body("a")), 400, "The username is already taken");
}

TEST_CASE("POST /register: bodies that crashed the reference get 400 in the same shape") {
  server_process s;
  auto post = [&](const std::string& body) { return request(s.api(), "POST", "/register", body); };
  check_error(post("not json"), 400, "The request body must be a JSON object");
  check_error(post(""), 400, "The request body must be a JSON object");
  check_error(post("[1,2]"), 400, "The request body must be a JSON object");
  check_error(post(R"({"username":5,"email":"a@b","pwd":"x"})"), 400,
              "The field 'username' must be a string");
  check_error(post(R"({"username":"a","email":["a@b"],"pwd":"x"})"), 400,
              "The field 'email' must be a string");
  check_error(post(R"({"username":"a","email":"a@b","pwd":{}})"), 400,
              "The field 'pwd' must be a string");
  CHECK(latest(s) == -1);
}

TEST_CASE("a JSON body is accepted whatever the Content-Type says") {
  server_process s;
  must(request(s.api(), "POST", "/register", reg_body("plain"), {{"Content-Type", "text/plain"}}));
  must(request(s.api(), "POST", "/register", reg_body("none")));
  must(request(
      s.api(), "POST", "/msgs/plain", R"({"content":"x"})",
      {{"Authorization", sim_auth}, {"Content-Type", "application/x-www-form-urlencoded"}}));
}

TEST_CASE("messages: POST then GET, newest first, in the contract's shape") {
  server_process s;
  must(request(s.api(), "POST", "/register", reg_body("a")));
  must(request(s.api(), "POST", "/register", reg_body("b")));
  auto before = std::time(nullptr);
  must(sim(s.api(), "POST", "/msgs/a", R"({"content":"one"})"));
  must(sim(s.api(), "POST", "/msgs/b", R"({"content":"two"})"));
  must(sim(s.api(), "POST", "/msgs/a", R"({"content":"three"})"));
  auto after = std::time(nullptr);

  auto all = messages(s, "/msgs");
  REQUIRE(all.size() == 3);
  CHECK(json::value_to<std::string>(all[0].at("content")) == "three");
  CHECK(json::value_to<std::string>(all[1].at("content")) == "two");
  CHECK(json::value_to<std::string>(all[2].at("content")) == "one");
  CHECK(json::value_to<std::string>(all[1].at("user")) == "b");
  CHECK(all[0].as_object().size() == 3);
  REQUIRE(all[0].at("pub_date").is_int64());
  CHECK(all[0].at("pub_date").as_int64() >= before);
  CHECK(all[0].at("pub_date").as_int64() <= after);

  auto mine = messages(s, "/msgs/a");
  REQUIRE(mine.size() == 2);
  CHECK(json::value_to<std::string>(mine[0].at("content")) == "three");
  CHECK(json::value_to<std::string>(mine[1].at("user")) == "a");
  must(request(s.api(), "POST", "/register", reg_body("quiet")));
  CHECK(messages(s, "/msgs/quiet").empty());
}

TEST_CASE("messages: unknown users and bad bodies") {
  server_process s;
  must(request(s.api(), "POST", "/register", reg_body("a")));
  check_error(sim(s.api(), "GET", "/msgs/nobody"), 404, "User not found");
  check_error(sim(s.api(), "POST", "/msgs/nobody", R"({"content":"x"})"), 404, "User not found");
  check_error(sim(s.api(), "POST", "/msgs/a", R"({})"), 400,
              "The field 'content' must be a string");
  check_error(sim(s.api(), "POST", "/msgs/a", R"({"content":7})"), 400,
              "The field 'content' must be a string");
  check_error(sim(s.api(), "POST", "/msgs/a", "{"), 400, "The request body must be a JSON object");
  CHECK(messages(s, "/msgs").empty());
}

TEST_CASE("no: default 100, explicit, negative, unparseable and the server's cap") {
  server_process s({"--max-no", "120"});
  must(request(s.api(), "POST", "/register", reg_body("a")));
  for (int i = 0; i < 125; ++i)
    must(sim(s.api(), "POST", "/msgs/a",
             json::serialize(json::object{{"content", std::to_string(i)}})));
  CHECK(messages(s, "/msgs").size() == 100);
  CHECK(messages(s, "/msgs/a").size() == 100);
  CHECK(messages(s, "/msgs?no=20").size() == 20);
  CHECK(json::value_to<std::string>(messages(s, "/msgs?no=1")[0].at("content")) == "124");
  CHECK(messages(s, "/msgs?no=-1").empty());
  CHECK(messages(s, "/msgs?no=0").empty());
  CHECK(messages(s, "/msgs?no=abc").size() == 100);
  CHECK(messages(s, "/msgs?no=100000").size() == 120);
  CHECK(messages(s, "/msgs/a?no=99999999999999999999999").size() == 120);
}

TEST_CASE("follows: follow, list, idempotence, unfollow, unknown users, bad bodies") {
  server_process s;
  for (auto n : {"a", "b", "c"}) must(request(s.api(), "POST", "/register", reg_body(n)));
  must(sim(s.api(), "POST", "/fllws/a", R"({"follow":"b"})"));
  must(sim(s.api(), "POST", "/fllws/a", R"({"follow":"c"})"));
  CHECK(follows(s, "/fllws/a") == std::vector<std::string>{"b", "c"});
  CHECK(follows(s, "/fllws/a?no=1").size() == 1);
  CHECK(follows(s, "/fllws/b").empty());
  // Following again changes nothing.
  must(sim(s.api(), "POST", "/fllws/a", R"({"follow":"b"})"));
  CHECK(follows(s, "/fllws/a") == std::vector<std::string>{"b", "c"});
  // Unfollow; unfollowing a stranger is 204 and changes nothing.
  must(sim(s.api(), "POST", "/fllws/a", R"({"unfollow":"b"})"));
  must(sim(s.api(), "POST", "/fllws/a", R"({"unfollow":"b"})"));
  must(sim(s.api(), "POST", "/fllws/b", R"({"unfollow":"c"})"));
  CHECK(follows(s, "/fllws/a") == std::vector<std::string>{"c"});

  check_error(sim(s.api(), "GET", "/fllws/nobody"), 404, "User not found");
  check_error(sim(s.api(), "POST", "/fllws/nobody", R"({"follow":"a"})"), 404, "User not found");
  check_error(sim(s.api(), "POST", "/fllws/a", R"({"follow":"nobody"})"), 404,
              "The user to follow or unfollow was not found");
  check_error(sim(s.api(), "POST", "/fllws/a", R"({"unfollow":"nobody"})"), 404,
              "The user to follow or unfollow was not found");
  check_error(sim(s.api(), "POST", "/fllws/a", R"({})"), 400,
              "The body needs a string field 'follow' or 'unfollow'");
  check_error(sim(s.api(), "POST", "/fllws/a", R"({"follow":3})"), 400,
              "The body needs a string field 'follow' or 'unfollow'");
  check_error(sim(s.api(), "POST", "/fllws/a", "x"), 400, "The request body must be a JSON object");
  CHECK(follows(s, "/fllws/a") == std::vector<std::string>{"c"});
}

TEST_CASE("403 without or with wrong credentials, and nothing changes, not even latest") {
  server_process s;
  must(request(s.api(), "POST", "/register?latest=5", reg_body("a")));
  const std::string text = "You are not authorized to use this resource!";
  std::vector<std::vector<std::pair<std::string, std::string>>> bad = {
      {},
      {{"Authorization", "Basic c2ltdWxhdG9yOndyb25n"}},  // simulator:wrong
      {{"Authorization", "Bearer c2ltdWxhdG9yOnN1cGVyX3NhZmUh"}},
      {{"Authorization", "Basic !!!"}},
  };
  for (auto& h : bad) {
    check_error(request(s.api(), "GET", "/msgs?latest=9", "", h), 403, text);
    check_error(request(s.api(), "GET", "/msgs/a?latest=9", "", h), 403, text);
    check_error(request(s.api(), "POST", "/msgs/a?latest=9", R"({"content":"x"})", h), 403, text);
    check_error(request(s.api(), "GET", "/fllws/a?latest=9", "", h), 403, text);
    check_error(request(s.api(), "POST", "/fllws/a?latest=9", R"({"follow":"a"})", h), 403, text);
  }
  CHECK(latest(s) == 5);
  CHECK(messages(s, "/msgs").empty());
}

TEST_CASE("credentials are configuration") {
  server_process s({"--sim-username", "grader", "--sim-password", "hunter2"});
  check_error(sim(s.api(), "GET", "/msgs"), 403, "You are not authorized to use this resource!");
  auto r = request(s.api(), "GET", "/msgs", "", {{"Authorization", "Basic Z3JhZGVyOmh1bnRlcjI="}});
  CHECK(r.status == 200);
}

TEST_CASE("latest: stored by every kind of request, ignored when missing or not an integer") {
  server_process s;
  must(request(s.api(), "POST", "/register?latest=1", reg_body("a")));
  CHECK(latest(s) == 1);
  must(sim(s.api(), "POST", "/msgs/a?latest=2", R"({"content":"x"})"));
  CHECK(latest(s) == 2);
  must(sim(s.api(), "GET", "/msgs/a?no=20&latest=3"), 200);
  CHECK(latest(s) == 3);
  must(sim(s.api(), "GET", "/msgs?latest=4"), 200);
  CHECK(latest(s) == 4);
  must(sim(s.api(), "GET", "/fllws/a?latest=5"), 200);
  CHECK(latest(s) == 5);
  must(sim(s.api(), "POST", "/fllws/a", R"({"follow":"a"})"));
  CHECK(latest(s) == 5);  // missing: untouched
  must(sim(s.api(), "GET", "/msgs?latest=abc"), 200);
  must(sim(s.api(), "GET", "/msgs?latest="), 200);
  must(sim(s.api(), "GET", "/msgs?latest=1.5"), 200);
  must(sim(s.api(), "GET", "/msgs?latest=99999999999999999999"), 200);
  CHECK(latest(s) == 5);
  must(sim(s.api(), "GET", "/msgs?latest=-17"), 200);
  CHECK(latest(s) == -17);
  // A refused action still records that it was processed.
  check_error(request(s.api(), "POST", "/register?latest=8", reg_body("a")), 400,
              "The username is already taken");
  CHECK(latest(s) == 8);
  check_error(sim(s.api(), "POST", "/msgs/ghost?latest=9", R"({"content":"x"})"), 404,
              "User not found");
  CHECK(latest(s) == 9);
  // It may go down: it is the last one processed, not the largest.
  must(sim(s.api(), "POST", "/msgs/a?latest=3", R"({"content":"y"})"));
  CHECK(latest(s) == 3);
}

TEST_CASE("non-ASCII usernames and contents round-trip byte for byte") {
  server_process s;
  const std::string name = "Jürgen Ødegård 東京 😀";
  const std::string text = "Blåbærgrød — «ça va?» 你好 \"quoted\" \\ <b>&amp;</b>\nline 2";
  must(request(s.api(), "POST", "/register", reg_body(name)));
  must(request(s.api(), "POST", "/register", reg_body("Roger Histand")));
  // Usernames travel percent-encoded in the path.
  std::string encoded;
  for (unsigned char c : name) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%%%02X", c);
    encoded += buf;
  }
  must(sim(s.api(), "POST", "/msgs/" + encoded, json::serialize(json::object{{"content", text}})));
  must(sim(s.api(), "POST", "/fllws/Roger%20Histand",
           json::serialize(json::object{{"follow", name}})));
  auto mine = messages(s, "/msgs/" + encoded);
  REQUIRE(mine.size() == 1);
  CHECK(json::value_to<std::string>(mine[0].at("content")) == text);
  CHECK(json::value_to<std::string>(mine[0].at("user")) == name);
  CHECK(follows(s, "/fllws/Roger%20Histand") == std::vector<std::string>{name});
}

TEST_CASE("unknown routes are 404 and wrong methods 405, both JSON") {
  server_process s;
  check_error(request(s.api(), "GET", "/nope"), 404, "Not found: no such resource");
  check_error(request(s.api(), "GET", "/msgs/a/b"), 404, "Not found: no such resource");
  check_error(request(s.api(), "GET", "/"), 404, "Not found: no such resource");
  auto r = request(s.api(), "DELETE", "/msgs");
  check_error(r, 405, "Method not allowed; this resource allows GET");
  CHECK(r.header("allow") == "GET");
  check_error(request(s.api(), "GET", "/register"), 405,
              "Method not allowed; this resource allows POST");
  check_error(request(s.api(), "POST", "/latest"), 405,
              "Method not allowed; this resource allows GET");
  check_error(request(s.api(), "PUT", "/fllws/a"), 405,
              "Method not allowed; this resource allows GET, POST");
}
