// A catalogue of malformed and hostile requests, each with the answer it must get;
// after each one the server is still healthy and nothing was written (the event log's
// end and `latest` are unchanged).
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <chrono>
#include <regex>
#include <vector>

#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

using namespace minitwit::test;
namespace json = boost::json;

namespace {

struct hostile {
  const char* name;
  std::string raw;    // bytes sent on a fresh connection
  unsigned expected;  // status of the (first) answer
};

const std::string auth = "Authorization: Basic c2ltdWxhdG9yOnN1cGVyX3NhZmUh\r\n";

std::string post(const std::string& target, const std::string& body,
                 const std::string& extra = auth) {
  return "POST " + target + " HTTP/1.1\r\nHost: t\r\n" + extra +
         "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

std::string get(const std::string& target, const std::string& extra = auth) {
  return "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + extra + "Connection: close\r\n\r\n";
}

std::string chunked(const std::string& target, const std::string& chunks) {
  return "POST " + target + " HTTP/1.1\r\nHost: t\r\n" + auth +
         "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks;
}

std::vector<hostile> catalogue() {
  std::string nested(10000, '[');
  std::string many_headers;
  for (int i = 0; i < 500; ++i)
    many_headers += "X-H" + std::to_string(i) + ": " + std::string(40, 'v') + "\r\n";
  std::string big_chunks;
  for (int i = 0; i < 30; ++i) big_chunks += "1000\r\n" + std::string(4096, 'a') + "\r\n";
  big_chunks += "0\r\n\r\n";
  return {
      // Invalid JSON.
      {"register: truncated object", post("/register", "{"), 400},
      {"register: truncated member", post("/register", R"({"username":)"), 400},
      {"register: not JSON", post("/register", "not json"), 400},
      {"register: array", post("/register", "[]"), 400},
      {"register: string", post("/register", R"("string")"), 400},
      {"register: null", post("/register", "null"), 400},
      {"register: trailing comma",
       post("/register", R"({"username":"x","email":"x@y","pwd":"p",})"), 400},
      {"register: single quotes", post("/register", R"({'username':'x'})"), 400},
      {"register: nested 10000 deep", post("/register", nested), 400},
      {"register: two objects", post("/register", R"({"username":"x"}{"username":"y"})"), 400},
      {"msgs: truncated", post("/msgs/alice", R"({"content":})"), 400},
      {"fllws: truncated", post("/fllws/alice", R"({"follow")"), 400},
      {"register: empty body", post("/register", ""), 400},
      // Wrong JSON types.
      {"register: username number", post("/register", R"({"username":5,"email":"x@y","pwd":"p"})"),
       400},
      {"register: username huge number",
       post("/register", R"({"username":1e999999,"email":"x@y","pwd":"p"})"), 400},
      {"register: email array", post("/register", R"({"username":"x","email":["x@y"],"pwd":"p"})"),
       400},
      {"register: pwd object", post("/register", R"({"username":"x","email":"x@y","pwd":{}})"),
       400},
      {"register: username bool", post("/register", R"({"username":true,"email":"x@y","pwd":"p"})"),
       400},
      {"msgs: content number", post("/msgs/alice", R"({"content":1})"), 400},
      {"msgs: content null", post("/msgs/alice", R"({"content":null})"), 400},
      {"msgs: content object", post("/msgs/alice", R"({"content":{"a":1}})"), 400},
      {"fllws: follow number", post("/fllws/alice", R"({"follow":2})"), 400},
      {"fllws: unfollow array", post("/fllws/alice", R"({"unfollow":["bob"]})"), 400},
      {"fllws: follow null", post("/fllws/alice", R"({"follow":null})"), 400},
      // Missing fields.
      {"register: empty object", post("/register", "{}"), 400},
      {"register: only a username", post("/register", R"({"username":"x"})"), 400},
      {"register: no password", post("/register", R"({"username":"x","email":"x@y"})"), 400},
      {"msgs: no content", post("/msgs/alice", "{}"), 400},
      {"fllws: neither key", post("/fllws/alice", "{}"), 400},
      {"fllws: misspelt key", post("/fllws/alice", R"({"folow":"bob"})"), 400},
      // Huge bodies, headers and targets.
      {"body over the limit", post("/register", std::string(100000, ' ')), 413},
      {"Content-Length over the limit",
       "POST /register HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n{}", 413},
      {"chunked body over the limit", chunked("/msgs/alice", big_chunks), 413},
      {"one huge header", get("/latest", "X-Big: " + std::string(20000, 'h') + "\r\n"), 431},
      {"many headers", get("/latest", many_headers), 431},
      {"huge target", get("/msgs/" + std::string(10000, 'a')), 431},
      // Invalid UTF-8 and NUL bytes.
      {"register: raw invalid UTF-8 username",
       post("/register", "{\"username\":\"a\xff\xfe\",\"email\":\"x@y\",\"pwd\":\"p\"}"), 400},
      {"register: NUL in username",
       post("/register", R"({"username":"a\u0000b","email":"x@y","pwd":"p"})"), 400},
      {"register: lone surrogate",
       post("/register", R"({"username":"a\ud800b","email":"x@y","pwd":"p"})"), 400},
      {"register: control character",
       post("/register", R"({"username":"a\u001bb","email":"x@y","pwd":"p"})"), 400},
      {"register: username too long",
       post("/register",
            R"({"username":")" + std::string(129, 'u') + R"(","email":"x@y","pwd":"p"})"),
       400},
      {"msgs: NUL in content", post("/msgs/alice", R"({"content":"a\u0000b"})"), 400},
      {"msgs: raw invalid UTF-8 content", post("/msgs/alice", "{\"content\":\"\xc0\xaf\"}"), 400},
      {"msgs: content too long",
       post("/msgs/alice", R"({"content":")" + std::string(5000, 'c') + R"("})"), 400},
      {"path: invalid UTF-8 user", get("/msgs/%FF%FE"), 404},
      {"path: NUL in user", get("/msgs/ali%00ce"), 404},
      // Path tricks.
      {"path: encoded traversal", get("/msgs/..%2F..%2Fetc%2Fpasswd"), 404},
      {"path: dot segments", get("/msgs/../latest"), 404},
      {"path: double slash", get("//msgs"), 404},
      {"path: bad escape", get("/msgs/%zz"), 400},
      {"path: truncated escape", get("/msgs/%4"), 400},
      {"path: encoded slash", get("/msgs%2Falice"), 404},
      {"path: encoded dots", get("/%2e%2e/latest"), 404},
      {"path: absolute-form target", get("http://evil.example/latest"), 400},
      {"path: asterisk", get("*"), 400},
      {"post to an unknown user with a bad body", post("/msgs/nobody", "{"), 404},
      // Numbers.
      {"no: beyond 64 bits", get("/msgs?no=99999999999999999999999"), 200},
      {"no: very negative", get("/msgs?no=-99999999999999999999"), 200},
      {"no: exponent", get("/msgs?no=1e3"), 200},
      {"latest: beyond 64 bits is ignored", get("/msgs?latest=99999999999999999999999"), 200},
      {"latest: below 64 bits is ignored", get("/msgs?latest=-9223372036854775809"), 200},
      {"latest: not a number", get("/msgs?latest=ten"), 200},
      {"duplicate parameters", get("/msgs?no=1&no=100000&latest=a&latest=b"), 200},
      // HTTP itself.
      {"HTTP/1.0 without Host", "GET /latest HTTP/1.0\r\n\r\n", 200},
      {"HTTP/1.1 without Host", "GET /latest HTTP/1.1\r\nConnection: close\r\n\r\n", 400},
      {"unknown method", "BREW /latest HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 405},
      {"garbage request line (a TLS hello)", "\x16\x03\x01\x02\x01\x01\xfc\x03\x03\r\n\r\n", 400},
      {"header without a colon", "GET /latest HTTP/1.1\r\nHost: t\r\nBroken header\r\n\r\n", 400},
      {"non-numeric Content-Length",
       "POST /register HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n{}", 400},
      {"invalid chunk size", chunked("/msgs/alice", "zz\r\nabc\r\n0\r\n\r\n"), 400},
      {"space inside the target", "GET /msgs /x HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"NUL in a header value",
       std::string("GET /latest HTTP/1.1\r\nHost: t\r\nX-A: a") + '\0' + "b\r\n\r\n", 400},
      // Credentials.
      {"garbage credentials", get("/msgs", "Authorization: Basic !!!\r\n"), 403},
      {"credentials with a trailing NUL",
       get("/msgs", "Authorization: Basic c2ltdWxhdG9yOnN1cGVyX3NhZmUhAA==\r\n"), 403},
      {"no credentials on a write", post("/msgs/alice", R"({"content":"x"})", ""), 403},
  };
}

unsigned status_of(const std::string& answer) {
  static const std::regex line(R"(^HTTP/1\.[01] (\d{3}) )");
  std::smatch m;
  if (!std::regex_search(answer, m, line)) return 0;
  return static_cast<unsigned>(std::stoul(m[1]));
}

std::string state(const server_process& s) {
  auto stats = json::parse(request(s.admin(), "GET", "/admin/stats").body);
  return json::serialize(stats.at("last_seq")) + " " + request(s.api(), "GET", "/latest").body;
}

}  // namespace

TEST_CASE(
    "a catalogue of hostile requests: each gets its answer, the server stays healthy, nothing is "
    "written") {
  server_process s;
  for (auto u : {"alice", "bob"})
    REQUIRE(request(s.api(), "POST", "/register?latest=7",
                    json::serialize(json::object{{"username", u}, {"email", "a@b"}, {"pwd", "p"}}))
                .status == 204);
  auto before = state(s);
  auto cases = catalogue();
  CHECK(cases.size() >= 60);
  for (const auto& c : cases) {
    CAPTURE(c.name);
    connection conn(s.api());
    auto answer = conn.raw(c.raw, std::chrono::seconds(5));
    CHECK(status_of(answer) == c.expected);
    if (c.expected >= 400)
      CHECK(answer.find("\"status\":" + std::to_string(c.expected)) != std::string::npos);
    CHECK(request(s.admin(), "GET", "/health/ready").status == 200);
    CHECK(state(s) == before);
  }
}

TEST_CASE("a request sent one byte at a time is still understood, a stalled one is cut off") {
  server_process s({"--read-timeout-ms", "500"});
  connection c(s.api());
  std::string req = "GET /latest HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  std::string answer;
  for (std::size_t i = 0; i + 1 < req.size(); ++i) c.raw_write(req.substr(i, 1));
  answer = c.raw(req.substr(req.size() - 1));
  CHECK(status_of(answer) == 200);
  connection stalled(s.api());
  stalled.raw_write("GET /latest HTTP/1.1\r\nHo");
  CHECK(stalled.closed_by_peer(std::chrono::seconds(5)));
}

TEST_CASE("a connection flood beyond the limit is refused politely and the server stays up") {
  server_process s({"--max-connections", "20"});
  std::vector<std::unique_ptr<connection>> flood;
  for (int i = 0; i < 20; ++i) flood.push_back(std::make_unique<connection>(s.api()));
  // Every slot is taken (each connection is an open, idle session): the next is refused.
  std::string refused;
  for (int i = 0; i < 5; ++i) {
    connection extra(s.api());
    auto answer = extra.raw("GET /latest HTTP/1.1\r\nHost: t\r\n\r\n");
    if (status_of(answer) == 503) refused = answer;
  }
  CHECK(refused.find("Too many open connections") != std::string::npos);
  CHECK(refused.find("Retry-After: 1") != std::string::npos);
  flood.clear();
  // The server notices the closed connections as it reads their EOFs.
  CHECK(eventually([&] { return request(s.api(), "GET", "/latest").status == 200; },
                   std::chrono::seconds(10)));
}
