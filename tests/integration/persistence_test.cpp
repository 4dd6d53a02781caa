// What is acknowledged survives a restart and a crash.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

using namespace minitwit::test;
namespace json = boost::json;

namespace {

struct snapshot {
  std::string msgs, a_msgs, a_follows, latest;
  bool operator==(const snapshot&) const = default;
};

snapshot take(const server_process& s) {
  return {sim(s.api(), "GET", "/msgs").body, sim(s.api(), "GET", "/msgs/%C3%A5se").body,
          sim(s.api(), "GET", "/fllws/%C3%A5se").body, request(s.api(), "GET", "/latest").body};
}

void populate(const server_process& s) {
  auto reg = [&](const std::string& u) {
    auto body = json::serialize(json::object{{"username", u}, {"email", "x@y"}, {"pwd", "pw"}});
    REQUIRE(request(s.api(), "POST", "/register", body).status == 204);
  };
  reg("åse");
  reg("bo");
  reg("cy");
  REQUIRE(sim(s.api(), "POST", "/msgs/%C3%A5se", R"({"content":"hej ✓"})").status == 204);
  REQUIRE(sim(s.api(), "POST", "/msgs/bo", R"({"content":"second"})").status == 204);
  REQUIRE(sim(s.api(), "POST", "/fllws/%C3%A5se", R"({"follow":"bo"})").status == 204);
  REQUIRE(sim(s.api(), "POST", "/fllws/%C3%A5se", R"({"follow":"cy"})").status == 204);
  REQUIRE(sim(s.api(), "POST", "/fllws/%C3%A5se?latest=4242", R"({"unfollow":"cy"})").status ==
          204);
}

}  // namespace

TEST_CASE("what was acknowledged survives a restart: users, messages, follows and latest") {
  temp_dir dir;
  auto data = (dir.path() / "data").string();
  snapshot before;
  bool crash = false;
  SUBCASE("after SIGTERM") { crash = false; }
  SUBCASE("after kill -9 right after the acknowledgements") { crash = true; }
  {
    server_process s({}, data);
    populate(s);
    before = take(s);
    CHECK(before.latest == R"({"latest":4242})");
    if (crash)
      s.kill();
    else
      CHECK(s.stop() == 0);
  }
  server_process again({}, data);
  CHECK(take(again) == before);
  // The old names are still taken.
  auto dup = json::serialize(json::object{{"username", "bo"}, {"email", "x@y"}, {"pwd", "pw"}});
  CHECK(request(again.api(), "POST", "/register", dup).status == 400);
}
