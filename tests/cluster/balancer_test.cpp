// The whole cluster as operators run it (scripts/cluster.sh: three NATS servers in one
// JetStream cluster, three nodes, HAProxy in front): the simulator's contract through
// the balancer with consecutive requests on different nodes; acknowledged writes
// surviving kill -9 of a node and of a NATS server under load; a rolling restart of
// every node under load without one failed request.
#include <doctest/doctest.h>

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/cluster/local_cluster.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/run_tool.hpp"

using namespace minitwit::test;
using namespace std::chrono_literals;

namespace {

std::string reg(const std::string& name) {
  return R"({"username":")" + name + R"(","email":")" + name + R"(@example.org","pwd":"pw"})";
}

std::string post(const std::string& text) { return R"({"content":")" + text + R"("})"; }

// How often each text occurs in a /msgs answer.
std::map<std::string, int> texts_of(const std::string& body) {
  std::map<std::string, int> count;
  auto messages = boost::json::parse(body);
  for (const auto& m : messages.as_array()) ++count[std::string(m.at("content").as_string())];
  return count;
}

// The answers that must be byte-identical on every node once they have applied the
// same prefix of the log.
std::string answers_of(const std::string& api, const std::vector<std::string>& users) {
  std::string all = sim(api, "GET", "/msgs?no=10000").body;
  for (const auto& u : users) all += sim(api, "GET", "/fllws/" + u + "?no=10000").body;
  return all;
}

bool same_on_every_node(const local_cluster& c, const std::vector<std::string>& users) {
  try {
    auto first = answers_of(c.node_api(1), users);
    return answers_of(c.node_api(2), users) == first && answers_of(c.node_api(3), users) == first;
  } catch (const std::exception&) {
    return false;  // a node still starting
  }
}

// Writers through the balancer: each thread registers its own user, then posts
// numbered texts on new connections until stopped, recording what was acknowledged.
struct writers {
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::set<std::string> acknowledged, attempted;
  std::map<unsigned, int> refused;  // status (0: connection error) → count
  std::vector<std::thread> threads;
  std::vector<std::string> users;

  writers(const std::string& lb, int n) {
    for (int t = 0; t < n; ++t) {
      users.push_back("writer" + std::to_string(t));
      REQUIRE(sim(lb, "POST", "/register", reg(users.back())).status == 204);
    }
    for (int t = 0; t < n; ++t)
      threads.emplace_back([this, lb, t] {
        for (int i = 0; !stop && i < 100000; ++i) {
          auto text = "w" + std::to_string(t) + "-" + std::to_string(i);
          unsigned status = 0;
          {
            std::lock_guard lock(mu);
            attempted.insert(text);
          }
          try {
            status = sim(lb, "POST", "/msgs/" + users[t], post(text)).status;
          } catch (const std::exception&) {
          }
          std::lock_guard lock(mu);
          if (status == 204)
            acknowledged.insert(text);
          else
            ++refused[status];
        }
      });
  }
  std::size_t acked() {
    std::lock_guard lock(mu);
    return acknowledged.size();
  }
  // Waits until `more` further writes have been acknowledged (bounded).
  bool progress(std::size_t more) {
    auto target = acked() + more;
    return eventually([&] { return acked() >= target; }, 60s, 20ms);
  }
  void finish() {
    stop = true;
    for (auto& t : threads)
      if (t.joinable()) t.join();
  }
  ~writers() { finish(); }  // also when a REQUIRE leaves the test early
};

}  // namespace

TEST_CASE("cluster behind HAProxy: the simulator's contract with every request on another node") {
  local_cluster c;
  auto lb = c.lb_api();
  std::set<std::string> nodes;
  std::string previous;
  int changes = 0;
  auto via = [&](const char* method, const std::string& target, const std::string& body = {}) {
    auto r = sim(lb, method, target, body);
    auto node = r.header("x-served-by");
    nodes.insert(node);
    if (!previous.empty() && node != previous) ++changes;
    previous = node;
    return r;
  };
  CHECK(via("POST", "/register?latest=1", reg("alice")).status == 204);
  CHECK(via("POST", "/register?latest=2", reg("bob")).status == 204);
  auto taken = via("POST", "/register?latest=3", reg("alice"));
  CHECK(taken.status == 400);
  CHECK(taken.body.find("already taken") != std::string::npos);
  CHECK(via("POST", "/msgs/alice?latest=4", post("hello from alice")).status == 204);
  CHECK(via("POST", "/fllws/bob?latest=5", R"({"follow":"alice"})").status == 204);
  CHECK(via("POST", "/msgs/nobody?latest=6", post("x")).status == 404);
  CHECK(via("POST", "/fllws/bob?latest=7", R"({"follow":"nobody"})").status == 404);
  CHECK(via("GET", "/msgs/nobody").status == 404);
  // Reads right after the writes, on whichever node: each write was answered only once
  // applied where it was made, and a read elsewhere sees it once that node applied it.
  CHECK(eventually(
      [&] { return via("GET", "/msgs/alice").body.find("hello from alice") != std::string::npos; },
      10s));
  CHECK(
      eventually([&] { return via("GET", "/fllws/bob").body == R"({"follows":["alice"]})"; }, 10s));
  CHECK(via("GET", "/latest").body == R"({"latest":7})");
  CHECK(via("POST", "/fllws/bob?latest=8", R"({"unfollow":"alice"})").status == 204);
  CHECK(eventually([&] { return via("GET", "/fllws/bob").body == R"({"follows":[]})"; }, 10s));
  CHECK(via("GET", "/latest").body == R"({"latest":8})");

  CHECK(nodes == std::set<std::string>{"node1", "node2", "node3"});
  CHECK(changes >= 10);  // round robin: nearly every request on another node
  CHECK(eventually([&] { return same_on_every_node(c, {"alice", "bob"}); }, 10s));
}

TEST_CASE(
    "cluster behind HAProxy: kill -9 of a node and of a NATS server under writes loses "
    "nothing acknowledged") {
  local_cluster c;
  writers w(c.lb_api(), 4);
  REQUIRE(w.progress(100));
  REQUIRE(c.run({"node-kill", "2"}).exit_code == 0);
  REQUIRE(w.progress(200));  // the two others keep serving
  REQUIRE(c.run({"nats-kill", "3"}).exit_code == 0);
  REQUIRE(w.progress(200));  // two NATS servers of three are a quorum
  auto nats = c.run({"nats-start", "3"});
  REQUIRE_MESSAGE(nats.exit_code == 0, nats.output);
  auto node = c.run({"node-start", "2"});
  REQUIRE_MESSAGE(node.exit_code == 0, node.output);
  REQUIRE(w.progress(100));
  w.finish();
  INFO("refused by status: ", w.refused.size());

  // Every acknowledged write exactly once, on every node; nothing that was not sent.
  for (int i = 1; i <= 3; ++i) {
    CAPTURE(i);
    std::map<std::string, int> seen;
    REQUIRE(eventually(
        [&] {
          seen.clear();
          for (const auto& u : w.users)
            for (auto& [text, n] :
                 texts_of(sim(c.node_api(i), "GET", "/msgs/" + u + "?no=100000").body))
              seen[text] += n;
          return std::all_of(w.acknowledged.begin(), w.acknowledged.end(),
                             [&](const auto& t) { return seen.contains(t); });
        },
        30s));
    for (const auto& entry : seen) {
      const std::string& text = entry.first;  // clang 14: no structured binding in CAPTURE
      CAPTURE(text);
      CHECK(entry.second == 1);
      CHECK(w.attempted.contains(text));
    }
  }
  CHECK(eventually([&] { return same_on_every_node(c, w.users); }, 30s));

  // Each node's read models are what its copy of the log says.
  REQUIRE(c.run({"down"}).exit_code == 0);
  for (int i = 1; i <= 3; ++i) {
    auto verify = run_tool("minitwit-replay", {"--data-dir", c.node_data(i), "--verify"});
    CAPTURE(verify.output);
    CHECK(verify.exit_code == 0);
  }
}

TEST_CASE("cluster behind HAProxy: a rolling restart of every node under load fails no request") {
  local_cluster c;
  auto lb = c.lb_api();
  REQUIRE(sim(lb, "POST", "/register", reg("roller")).status == 204);
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::mutex mu;
  std::vector<std::string> failures;
  std::vector<std::jthread> load;  // joined on every way out of the test (after `stop`)
  struct stopper {
    std::atomic<bool>& stop;
    ~stopper() { stop = true; }
  };
  for (int t = 0; t < 4; ++t)
    load.emplace_back([&, t] {
      for (int i = 0; !stop && i < 100000; ++i) {
        bool write = (i % 2) == 0;
        std::string what;
        try {
          auto r = write ? sim(lb, "POST", "/msgs/roller",
                               post("r" + std::to_string(t) + "-" + std::to_string(i)))
                         : sim(lb, "GET", "/msgs?no=20");
          if (r.status == (write ? 204u : 200u)) {
            ++ok;
            continue;
          }
          what = std::to_string(r.status) + " " + r.body;
        } catch (const std::exception& e) {
          what = e.what();
        }
        std::lock_guard lock(mu);
        failures.push_back((write ? "POST: " : "GET: ") + what);
      }
    });
  stopper stop_load{stop};  // destroyed before `load`: the threads see it, then are joined
  auto progress = [&](int more) {
    int target = ok + more;
    return eventually([&] { return ok >= target; }, 60s, 20ms);
  };
  REQUIRE(progress(50));
  for (const char* n : {"1", "2", "3"}) {
    CAPTURE(n);
    auto stopped = c.run({"node-stop", n});
    REQUIRE_MESSAGE(stopped.exit_code == 0, stopped.output);
    CHECK(progress(20));  // served by the other two meanwhile
    auto started = c.run({"node-start", n});
    REQUIRE_MESSAGE(started.exit_code == 0, started.output);
    CHECK(progress(20));
  }
  stop = true;
  for (auto& t : load) t.join();
  CAPTURE(failures.size());
  for (std::size_t i = 0; i < std::min<std::size_t>(failures.size(), 5); ++i) CAPTURE(failures[i]);
  CHECK(failures.empty());
  CHECK(ok > 200);
}
