// The simulator API's allow-list and rate limit.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/run_tool.hpp"
#include "tests/support/server_process.hpp"

using namespace minitwit::test;
namespace json = boost::json;

TEST_CASE(
    "by default everyone may use the API; an allow-list refuses others with a message that says "
    "why") {
  server_process open_to_all;
  CHECK(request(open_to_all.api(), "GET", "/latest").status == 200);

  server_process only_lan({"--api-allow", "10.0.0.0/8,192.0.2.7"});
  auto r = request(only_lan.api(), "GET", "/latest");
  CHECK(r.status == 403);
  auto msg = json::value_to<std::string>(json::parse(r.body).at("error_msg"));
  CHECK(msg.find("your address 127.0.0.1 is not in this server's --api-allow list (10.0.0.0/8, "
                 "192.0.2.7)") != std::string::npos);
  CHECK(only_lan.output().find("api_allow_list") != std::string::npos);
  // The web UI and the admin listener are not affected.
  CHECK(request(only_lan.web(), "GET", "/public").status == 200);
  CHECK(request(only_lan.admin(), "GET", "/health/ready").status == 200);

  server_process loopback({"--api-allow", "127.0.0.0/8,::1/128"});
  CHECK(request(loopback.api(), "GET", "/latest").status == 200);
  temp_dir dir;
  auto bad = run_tool("minitwit-server", {"--data-dir", dir.str(), "--api-listen", "127.0.0.1:0",
                                          "--web-listen", "127.0.0.1:0", "--admin-listen",
                                          "127.0.0.1:0", "--api-allow", "10.0.0.0/99"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.output.find("'10.0.0.0/99' has an invalid prefix length") != std::string::npos);
}

TEST_CASE("a per-client rate limit answers 429 with Retry-After beyond the burst") {
  server_process s({"--api-rate-limit", "2", "--api-rate-burst", "5"});
  int ok = 0, limited = 0;
  std::string retry_after, text;
  for (int i = 0; i < 8; ++i) {
    auto r = request(s.api(), "GET", "/latest");
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++limited;
      retry_after = r.header("retry-after");
      text = r.body;
    }
  }
  // The burst of 5 passes at once (a request or two more may refill in the meantime).
  CHECK(ok >= 5);
  CHECK(ok <= 7);
  CHECK(limited >= 1);
  CHECK(retry_after == "1");
  CHECK(text.find("Too many requests from 127.0.0.1") != std::string::npos);
  CHECK(request(s.web(), "GET", "/public").status == 200);  // only the API is limited
}
