// Crash safety: kill -9 at a random moment under concurrent writes, over and over, and
// check that the acknowledged writes survived exactly once, that nothing else is
// half-applied, that `latest` did not go back, and that the read models match a
// rebuild from the log. Also: killed in the middle of a snapshot or a backup, the copy
// is complete and verifiable or clearly absent.
#include <doctest/doctest.h>

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/run_tool.hpp"
#include "tests/support/server_process.hpp"

using namespace minitwit::test;
namespace json = boost::json;

namespace {

enum class outcome { acked, refused, unknown };  // unknown: in flight when the server died

struct op {
  std::string kind;  // "post", "register", "follow", "unfollow"
  std::string a, b;  // user / text / target
  outcome result = outcome::unknown;
};

std::string reg_body(const std::string& u) {
  return json::serialize(json::object{{"username", u}, {"email", u + "@x"}, {"pwd", "pw"}});
}

const std::vector<std::string> targets = {"t0", "t1", "t2"};

// Writers until the server dies; every operation and its outcome is recorded.
struct round_load {
  std::mutex mu;
  std::condition_variable acked_cv;
  int acked = 0;
  std::int64_t last_acked_latest = -1;
  std::vector<std::vector<op>> ops;
  std::vector<std::thread> threads;

  round_load(const server_process& s, int round, int writers) : ops(writers) {
    for (int t = 0; t < writers; ++t)
      threads.emplace_back([this, &s, round, t] {
        std::mt19937 rng(round * 100 + t);
        for (int i = 0; i < 5000; ++i) {
          op o;
          std::string target, body;
          int pick = static_cast<int>(rng() % 10);
          std::string follower = "f" + std::to_string(t);
          if (pick == 0) {
            o = {"register",
                 "r" + std::to_string(round) + "-" + std::to_string(t) + "-" + std::to_string(i),
                 ""};
            target = "/register";
            body = reg_body(o.a);
          } else if (pick < 6) {
            o = {"post", follower,
                 "c" + std::to_string(round) + "-" + std::to_string(t) + "-" + std::to_string(i)};
            target = "/msgs/" + follower;
            body = json::serialize(json::object{{"content", o.b}});
          } else {
            o = {pick < 8 ? "follow" : "unfollow", follower, targets[rng() % targets.size()]};
            target = "/fllws/" + follower;
            body = json::serialize(json::object{{o.kind, o.b}});
          }
          // Thread 0 numbers its requests with `latest`, as the simulator does.
          std::int64_t latest = round * 100000 + i;
          if (t == 0) target += "?latest=" + std::to_string(latest);
          {
            std::lock_guard lock(mu);
            ops[t].push_back(o);
          }
          try {
            auto r = sim(s.api(), "POST", target, body);
            std::lock_guard lock(mu);
            ops[t].back().result = r.status == 204 ? outcome::acked : outcome::refused;
            if (r.status == 204) {
              ++acked;
              if (t == 0) last_acked_latest = latest;
            }
            acked_cv.notify_all();
          } catch (const std::exception&) {
            return;  // the server is gone; this operation stays "unknown"
          }
        }
      });
  }
  void wait_acked(int n) {
    std::unique_lock lock(mu);
    acked_cv.wait_for(lock, std::chrono::seconds(60), [&] { return acked >= n; });
  }
  void join() {
    for (auto& t : threads) t.join();
  }
};

}  // namespace

TEST_CASE(
    "20 rounds of kill -9 under concurrent writes lose nothing acknowledged and half-apply "
    "nothing") {
  temp_dir dir;
  auto data = (dir.path() / "data").string();
  {
    server_process s({}, data);
    for (auto u : {"f0", "f1", "f2", "f3", "t0", "t1", "t2"})
      REQUIRE(request(s.api(), "POST", "/register", reg_body(u)).status == 204);
  }
  std::mt19937 rng(2026);
  std::set<std::string> acked_posts, maybe_posts, acked_users;
  std::map<std::pair<std::string, std::string>, std::set<bool>>
      allowed_follow_state;  // (follower, target) -> states
  std::int64_t min_latest = -1;
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    server_process s({}, data);
    round_load load(s, round, 4);
    load.wait_acked(20 + static_cast<int>(rng() % 150));  // a random moment
    s.kill();
    load.join();

    for (auto& thread_ops : load.ops) {
      // Follow state per pair: the last acknowledged operation decides, unless a later
      // one was in flight (then either state is right).
      std::map<std::pair<std::string, std::string>, std::set<bool>> state;
      for (auto& o : thread_ops) {
        if (o.kind == "post") (o.result == outcome::acked ? acked_posts : maybe_posts).insert(o.b);
        if (o.kind == "register" && o.result == outcome::acked) acked_users.insert(o.a);
        if ((o.kind == "follow" || o.kind == "unfollow") && o.result != outcome::refused) {
          // A pair starts the round in the state the last check found (never followed: false).
          auto [it, first] = state.try_emplace({o.a, o.b});
          if (first) {
            auto known = allowed_follow_state.find({o.a, o.b});
            it->second =
                known == allowed_follow_state.end() ? std::set<bool>{false} : known->second;
          }
          auto& s = it->second;
          bool v = o.kind == "follow";
          if (o.result == outcome::acked)
            s = {v};
          else
            s.insert(v);
        }
      }
      for (auto& [pair, states] : state) allowed_follow_state[pair] = states;
    }
    min_latest = std::max(min_latest, load.last_acked_latest);

    server_process again({}, data);
    auto all = json::parse(sim(again.api(), "GET", "/msgs?no=1000000").body).as_array();
    std::map<std::string, int> seen;
    for (auto& m : all) ++seen[json::value_to<std::string>(m.at("content"))];
    for (auto& text : acked_posts) CHECK_MESSAGE(seen[text] == 1, "acknowledged post " << text);
    for (const auto& entry : seen) {  // no structured bindings: doctest's macros capture
      const auto& text = entry.first;
      int n = entry.second;
      CHECK_MESSAGE(n == 1, "post " << text << " appears " << n << " times");
      CHECK_MESSAGE((acked_posts.count(text) + maybe_posts.count(text)) == 1,
                    "post " << text << " was never sent");
    }
    for (auto& u : acked_users)
      CHECK_MESSAGE(sim(again.api(), "GET", "/msgs/" + u).status == 200, "user " << u);
    for (auto& entry : allowed_follow_state) {
      const auto& pair = entry.first;
      const auto& states = entry.second;
      auto follows = json::value_to<std::vector<std::string>>(
          json::parse(sim(again.api(), "GET", "/fllws/" + pair.first).body).at("follows"));
      bool now = std::find(follows.begin(), follows.end(), pair.second) != follows.end();
      CHECK_MESSAGE(states.count(now) == 1, pair.first << " -> " << pair.second << " is " << now);
      allowed_follow_state[pair] = {now};  // what it is now is what the next round starts from
    }
    for (auto& text : maybe_posts)
      if (seen.count(text)) acked_posts.insert(text);
    maybe_posts.clear();
    auto latest = json::parse(request(again.api(), "GET", "/latest").body).at("latest").as_int64();
    CHECK(latest >= min_latest);
    min_latest = latest;
    CHECK(again.stop() == 0);
    auto verify = run_tool("minitwit-replay", {"--data-dir", data, "--verify"});
    CHECK_MESSAGE(verify.exit_code == 0, verify.output);
  }
  CHECK(acked_posts.size() > 100);
}

TEST_CASE(
    "killed in the middle of a snapshot or a backup, the copy is complete and verifiable or "
    "absent") {
  temp_dir dir;
  auto data = (dir.path() / "data").string();
  {
    server_process s({}, data);
    REQUIRE(request(s.api(), "POST", "/register", reg_body("w")).status == 204);
    round_load load(s, 0, 2);
    load.wait_acked(2000);
    s.stop();
    load.join();
  }
  for (int i = 0; i < 6; ++i) {
    CAPTURE(i);
    bool snapshot = i % 2 == 0;
    auto target = (dir.path() / (snapshot ? "snap" + std::to_string(i) : "backups")).string();
    {
      server_process s({}, data);
      connection c(s.admin());
      auto body = json::serialize(json::object{{"to", target}});
      c.raw_write("POST /admin/" + std::string(snapshot ? "snapshot" : "backup") +
                  " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body);
      // Kill at a different point each time: after reading 0, 1 or 2 bytes of the answer.
      for (int k = 0; k < i / 2; ++k) c.raw_read_some();
      s.kill();
    }
    if (snapshot) {
      if (std::filesystem::exists(target)) {
        auto v = run_tool("minitwit-replay", {"--data-dir", target, "--verify"});
        CHECK_MESSAGE(v.exit_code == 0, v.output);
      }
    } else if (std::filesystem::exists(std::filesystem::path(target) / "meta")) {
      auto list = run_tool("minitwit-admin", {"backup", "list", "--dir", target});
      if (list.output.find("(no backups)") == std::string::npos) {
        auto v = run_tool("minitwit-admin", {"backup", "verify", "--dir", target});
        CHECK_MESSAGE(v.exit_code == 0, v.output);
      }
    }
  }
  // And the next ones, on a live server, succeed in the same places.
  server_process s({}, data);
  CHECK(run_tool("minitwit-admin",
                 {"backup", "--server", s.admin(), "--to", (dir.path() / "backups").string()})
            .exit_code == 0);
  CHECK(run_tool("minitwit-admin", {"backup", "verify", "--dir", (dir.path() / "backups").string()})
            .exit_code == 0);
}
