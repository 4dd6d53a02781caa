#include "http/host_port.hpp"

#include <doctest/doctest.h>

using namespace minitwit;
using namespace minitwit::http;

TEST_CASE("HOST:PORT: IPv4, names, bracketed IPv6, port 0") {
  auto a = parse_host_port("0.0.0.0:5001");
  REQUIRE(a);
  CHECK(a->host == "0.0.0.0");
  CHECK(a->port == 5001);
  CHECK(a->port_text() == "5001");
  CHECK(a->to_string() == "0.0.0.0:5001");
  auto v6 = parse_host_port("[::1]:0");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 0);
  CHECK(v6->to_string() == "[::1]:0");
  CHECK(parse_host_port("localhost:65535")->port == 65535);
  CHECK(parse_host_port("::1:5001")->host == "::1");  // the last colon splits
}

TEST_CASE("HOST:PORT: malformed ones are invalid arguments that quote the input") {
  for (const char* bad : {"", "5001", ":5001", "host:", "host:port", "host:65536", "host:-1",
                          "host:+1", "host:1 ", "[::1:5001", "::1]:5001", "[]:5001"}) {
    CAPTURE(bad);
    auto r = parse_host_port(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
    CHECK(r.error().message == "'" + std::string(bad) + "' is not HOST:PORT");
  }
}

TEST_CASE("loopback hosts") {
  for (const char* yes : {"127.0.0.1:1", "127.1.2.3:1", "localhost:1", "[::1]:1"})
    CHECK(parse_host_port(yes)->is_loopback());
  for (const char* no : {"0.0.0.0:1", "10.0.0.1:1", "[::]:1", "example.org:1", "128.0.0.1:1"})
    CHECK_FALSE(parse_host_port(no)->is_loopback());
}
