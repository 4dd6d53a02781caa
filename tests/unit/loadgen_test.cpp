// The load generator's parts that decide what is sent and what is reported: the
// scenario format, the synthetic generator, the replay's causal order, percentiles and
// the rendered benchmark tables.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "tests/support/temp_dir.hpp"
#include "tools/loadgen/commands.hpp"
#include "tools/loadgen/generate.hpp"
#include "tools/loadgen/report.hpp"
#include "tools/loadgen/scenario.hpp"
#include "tools/loadgen/sources.hpp"
#include "tools/loadgen/text.hpp"

using namespace minitwit::loadgen;

namespace {

std::vector<action> generated(std::size_t users, std::size_t actions, std::uint64_t seed = 1) {
  std::stringstream s;
  REQUIRE(generate_scenario({users, actions, seed}, s));
  auto parsed = read_scenario(s);
  REQUIRE(parsed);
  return *parsed;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("scenario lines in the simulator's format are read, and bad ones named by line") {
  std::istringstream in(
      "1\t0.5\t1700000000000\tregister\tRoger Histand\troger@x.dk\tpw\n"
      "# a comment\n\n"
      "2\t0.1\t1700000000100\ttweet\tRoger Histand\tHej på dig 😀\n"
      "3\t0\t1700000000200\tfollow\tRoger Histand\tZoë\n"
      "4\t0\t1700000000300\tunfollow\tRoger Histand\tZoë\r\n");
  auto a = read_scenario(in);
  REQUIRE(a);
  REQUIRE(a->size() == 4);
  CHECK((*a)[0].kind == action_kind::register_user);
  CHECK((*a)[0].arg2 == "pw");
  CHECK((*a)[1].arg1 == "Hej på dig 😀");
  CHECK((*a)[3].kind == action_kind::unfollow);
  CHECK((*a)[3].arg1 == "Zoë");
  CHECK(format_action((*a)[1]) == "2\t0.100\t1700000000100\ttweet\tRoger Histand\tHej på dig 😀");

  for (auto [line, why] : std::vector<std::pair<std::string, std::string>>{
           {"x\t0\t0\ttweet\tu\tt", "action id"},
           {"1\t0\t0\tpoke\tu\tt", "unknown action 'poke'"},
           {"1\t0\t0\ttweet", "at least 5"},
           {"1\t0\t0\ttweet\tu", "takes 2 fields"},
           {"1\t0\t0\tregister\tu\te", "takes 3 fields"},
           {"1\t0\t0\ttweet\t\tt", "empty username"}}) {
    std::istringstream bad("1\t0\t0\ttweet\tu\tok\n" + line + "\n");
    auto r = read_scenario(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.starts_with("line 2: "));
    CHECK(r.error().message.find(why) != std::string::npos);
  }
}

TEST_CASE("a generated scenario has the simulator's mix, and every user registers before acting") {
  auto actions = generated(200, 20000);
  REQUIRE(actions.size() == 20000);
  std::map<action_kind, double> share;
  std::set<std::string> registered, follows;
  std::size_t unfollows_not_following = 0, unfollows = 0, non_ascii = 0;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const auto& a = actions[i];
    CHECK(a.id == static_cast<std::int64_t>(i + 1));
    share[a.kind] += 1.0 / actions.size();
    if (a.kind == action_kind::register_user) {
      CHECK(registered.insert(a.user).second);
      CHECK(a.user.find(' ') != std::string::npos);
      continue;
    }
    CHECK(registered.contains(a.user));
    if (a.kind == action_kind::tweet) {
      CHECK(code_points(a.arg1) >= 1);
      CHECK(code_points(a.arg1) <= 140);
      non_ascii += code_points(a.arg1) != a.arg1.size();
      continue;
    }
    CHECK(registered.contains(a.arg1));
    CHECK(a.arg1 != a.user);
    auto pair = a.user + "\n" + a.arg1;
    if (a.kind == action_kind::follow) {
      follows.insert(pair);
    } else {
      ++unfollows;
      unfollows_not_following += follows.erase(pair) == 0;
    }
  }
  CHECK(registered.size() == 200);
  CHECK(share[action_kind::register_user] == doctest::Approx(0.01).epsilon(0.01));
  CHECK(share[action_kind::tweet] == doctest::Approx(0.45 * 0.99).epsilon(0.05));
  CHECK(share[action_kind::follow] == doctest::Approx(0.37 * 0.99).epsilon(0.05));
  CHECK(share[action_kind::unfollow] == doctest::Approx(0.17 * 0.99).epsilon(0.07));
  CHECK(static_cast<double>(unfollows_not_following) / unfollows ==
        doctest::Approx(0.25).epsilon(0.2));
  CHECK(non_ascii > share[action_kind::tweet] * 20000 / 2);
}

TEST_CASE("the same seed gives the same scenario, another seed another one") {
  std::stringstream a, b, c;
  REQUIRE(generate_scenario({20, 500, 7}, a));
  REQUIRE(generate_scenario({20, 500, 7}, b));
  REQUIRE(generate_scenario({20, 500, 8}, c));
  CHECK(a.str() == b.str());
  CHECK(a.str() != c.str());
  std::stringstream unused;
  CHECK_FALSE(generate_scenario({1, 10, 1}, unused));
  CHECK_FALSE(generate_scenario({10, 5, 1}, unused));
  CHECK(unused.str().empty());
}

TEST_CASE("a replay starts an action only after every earlier action that shares a user") {
  auto actions = generated(40, 3000, 3);
  replay_source source(actions);
  std::mt19937_64 rng(5);
  std::vector<job> in_flight;
  std::vector<bool> done(actions.size());
  std::size_t most_in_flight = 0, started = 0;
  auto shares_user = [&](const action& a, const action& b) {
    auto users = [](const action& x) {
      std::set<std::string> u{x.user};
      if (x.kind == action_kind::follow || x.kind == action_kind::unfollow) u.insert(x.arg1);
      return u;
    };
    for (const auto& u : users(a))
      if (users(b).contains(u)) return true;
    return false;
  };
  for (;;) {
    auto p = source.poll(clock_type::now());
    if (p.what == poll_result::state::done) break;
    if (p.what == poll_result::state::ready && in_flight.size() < 64) {
      auto i = p.next.index;
      for (std::size_t earlier = 0; earlier < i; ++earlier)
        if (!done[earlier] && shares_user(actions[earlier], actions[i]))
          FAIL("action ", i + 1, " started before ", earlier + 1);
      CHECK(p.next.request.target.find("?latest=" + std::to_string(actions[i].id)) !=
            std::string::npos);
      in_flight.push_back(p.next);
      ++started;
      most_in_flight = std::max(most_in_flight, in_flight.size());
      continue;
    }
    REQUIRE_FALSE(in_flight.empty());  // waiting with nothing in flight would hang
    if (p.what == poll_result::state::ready) in_flight.push_back(p.next), ++started;
    auto k = std::uniform_int_distribution<std::size_t>(0, in_flight.size() - 1)(rng);
    done[in_flight[k].index] = true;
    source.complete(in_flight[k], outcome::ok);
    in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(k));
  }
  CHECK(started == actions.size());
  CHECK(in_flight.empty());
  CHECK(most_in_flight > 10);  // unrelated actions do run in parallel
}

TEST_CASE("requests are planned the way the simulator sends them") {
  action reg{
      .id = 9, .kind = action_kind::register_user, .user = "Zoë H", .arg1 = "z@x.dk", .arg2 = "pw"};
  auto r = plan_for(reg);
  CHECK(r.post);
  CHECK(r.target == "/register?latest=9");
  CHECK(r.body == R"({"username":"Zoë H","email":"z@x.dk","pwd":"pw"})");
  CHECK(r.expect == 204);
  CHECK(r.also_ok == 400);  // the simulator accepts a 400 for a register
  auto f = plan_for({.id = 10, .kind = action_kind::unfollow, .user = "Zoë H", .arg1 = "Roger"});
  CHECK(f.target == "/fllws/Zo%C3%AB%20H?latest=10");
  CHECK(f.body == R"({"unfollow":"Roger"})");
  CHECK(f.also_ok == 0);
}

TEST_CASE("reports count latencies and errors by the simulator's categories") {
  recorder rec;
  for (int i = 1; i <= 1000; ++i) rec.record("tweet", i / 10.0, outcome::ok);
  rec.record("tweet", 400, outcome::slow);
  rec.record("register", 5, outcome::unexpected_status);
  rec.record("follow", 10000, outcome::connection_error);
  rec.note_error("follow /fllws/x: read: connection reset");
  auto r = rec.summarize(2.0);
  CHECK(r.total.requests == 1003);
  CHECK(r.total.throughput == doctest::Approx(501.5));
  CHECK(r.total.slow == 1);
  CHECK(r.total.unexpected_status == 1);
  CHECK(r.total.connection_errors == 1);
  CHECK(r.total.latency.max == 10000);
  REQUIRE(r.by_label.size() == 3);
  const auto& tweets = r.by_label[2];
  CHECK(tweets.label == "tweet");
  CHECK(tweets.latency.p50 == doctest::Approx(50.1));
  CHECK(tweets.latency.p99 == doctest::Approx(99.1));
  auto json = boost::json::serialize(to_json(r));
  CHECK(json.find(R"("slower_than_timeout":1)") != std::string::npos);
  CHECK(json.find("connection reset") != std::string::npos);
  CHECK(format_table(r).find("tweet") != std::string::npos);
}

TEST_CASE(
    "render writes the ratio table between the markers, keeps the rest, and draws the chart") {
  minitwit::test::temp_dir dir;
  auto results = (dir.path() / "r.ndjson").string(), md = (dir.path() / "B.md").string(),
       svg = (dir.path() / "c.svg").string();
  auto report = [](const char* w, const char* server, double rps, double p99) {
    return fmt::format(
        R"({{"workload":"{}","server":"{}","mode":"closed","connections":64,"total":)"
        R"({{"throughput_rps":{},"requests":10,"latency_ms":{{"p99":{}}},"errors":{{}}}}}})",
        w, server, rps, p99);
  };
  std::ofstream(results)
      << report("post", "minitwit", 600, 2) << "\n"
      << report("post", "ceiling", 1000, 1) << "\n"
      << report("latest", "minitwit", 800, 1) << "\n"
      << report("latest", "ceiling", 1000, 1) << "\n"
      << R"({"figure":"start-up","value":120,"unit":"ms","target":"< 1000 ms","met":true})"
      << "\n";
  std::ofstream(md) << "# Benchmarks\n\nHand-written part.\n";
  render_command c{results, md, svg, "docs/c.svg", ""};
  REQUIRE(run_render(c) == done);
  REQUIRE(run_render(c) == done);  // a second run replaces the generated part
  auto text = read_all(md);
  CHECK(text.starts_with("# Benchmarks\n\nHand-written part.\n"));
  CHECK(text.find("| post | 64 | 600 | 1000 | 0.60 | ≥ 0.60 met |") != std::string::npos);
  CHECK(text.find("| latest | 64 | 800 | 1000 | 0.80 | ≥ 0.85 **missed** |") != std::string::npos);
  CHECK(text.find("| start-up | 120 ms | < 1000 ms | met |") != std::string::npos);
  CHECK(text.find("![throughput and p99 per workload](docs/c.svg)") != std::string::npos);
  auto first = text.find("<!-- BEGIN generated");
  CHECK(text.find("<!-- BEGIN generated", first + 1) == std::string::npos);
  auto chart = read_all(svg);
  CHECK(chart.starts_with("<svg"));
  CHECK(chart.find(">post</text>") != std::string::npos);
}
