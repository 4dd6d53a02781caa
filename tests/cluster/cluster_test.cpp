// Cluster mode against a real nats-server with JetStream on a free loopback port:
// nodes sharing one stream answer as one service, a username is taken once whichever
// node is asked, and a node without NATS refuses to start or answers writes with 503
// while reads keep working.
#include <doctest/doctest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "tests/support/child_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/run_tool.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace minitwit::test;
using namespace std::chrono_literals;

namespace {

// One nats-server with JetStream, its store in a temporary directory.
struct nats_process {
  temp_dir dir;
  std::unique_ptr<child_process> child;
  std::string url;
  nats_process() {
    child = std::make_unique<child_process>(std::vector<std::string>{
        "nats-server", "-a", "127.0.0.1", "-p", "-1", "-js", "-sd", dir.path().string()});
    auto port =
        child->wait_for(std::regex(R"(Listening for client connections on [^\n]*:(\d+))"), 20s);
    REQUIRE_MESSAGE(port, child->output());
    REQUIRE(child->wait_for(std::regex("Server is ready"), 20s));
    url = "nats://127.0.0.1:" + (*port)[1];
  }
};

std::vector<std::string> node_args(const std::string& url, const std::string& name) {
  return {"--event-log",       url,    "--nats-replicas",  "1", "--node-name", name,
          "--nats-timeout-ms", "1000", "--drain-grace-ms", "0"};
}

bool ready(const server_process& n) {
  return request(n.admin(), "GET", "/health/ready").status == 200;
}

std::string reg(const std::string& name) {
  return R"({"username":")" + name + R"(","email":")" + name + R"(@example.org","pwd":"pw"})";
}

}  // namespace

TEST_CASE("cluster: three nodes on one stream answer as one service") {
  nats_process nats;
  server_process a(node_args(nats.url, "a")), b(node_args(nats.url, "b")),
      c(node_args(nats.url, "c"));

  CHECK(sim(a.api(), "POST", "/register?latest=1", reg("alice")).status == 204);
  auto taken = sim(b.api(), "POST", "/register?latest=2", reg("alice"));
  CHECK(taken.status == 400);
  CHECK(taken.body.find("already taken") != std::string::npos);
  CHECK(sim(c.api(), "POST", "/register?latest=3", reg("bob")).status == 204);
  CHECK(sim(b.api(), "POST", "/msgs/alice?latest=4", R"({"content":"from b"})").status == 204);
  CHECK(sim(c.api(), "POST", "/fllws/bob?latest=5", R"({"follow":"alice"})").status == 204);
  CHECK(sim(a.api(), "POST", "/msgs/nobody?latest=6", R"({"content":"x"})").status == 404);
  CHECK(sim(b.api(), "POST", "/fllws/bob", R"({"follow":"nobody"})").status == 404);

  // Every node gives the same answers, and the latest value any node stored.
  auto msgs = sim(a.api(), "GET", "/msgs?no=10").body;
  CHECK(msgs.find("from b") != std::string::npos);
  for (auto* n : {&b, &c}) {
    CHECK(sim(n->api(), "GET", "/msgs?no=10").body == msgs);
    CHECK(sim(n->api(), "GET", "/fllws/bob").body == R"({"follows":["alice"]})");
  }
  CHECK(sim(b.api(), "GET", "/latest").body == R"({"latest":6})");
  CHECK(sim(c.api(), "GET", "/latest").body == R"({"latest":6})");
  auto ready = boost::json::parse(request(c.admin(), "GET", "/health/ready").body).as_object();
  CHECK(ready.at("ready").as_bool());
  CHECK(ready.at("event_log").as_string() == "nats");
}

TEST_CASE("cluster: two nodes racing to register one username: exactly one 204") {
  nats_process nats;
  server_process a(node_args(nats.url, "a")), b(node_args(nats.url, "b"));
  for (int round = 0; round < 10; ++round) {
    auto name = "racer" + std::to_string(round);
    unsigned sa = 0, sb = 0;
    std::thread ta([&] { sa = sim(a.api(), "POST", "/register", reg(name)).status; });
    std::thread tb([&] { sb = sim(b.api(), "POST", "/register", reg(name)).status; });
    ta.join();
    tb.join();
    CAPTURE(sa);
    CAPTURE(sb);
    CHECK(((sa == 204 && sb == 400) || (sa == 400 && sb == 204)));
  }
}

TEST_CASE("cluster: an empty node joining a stream with history catches up") {
  nats_process nats;
  server_process a(node_args(nats.url, "a"));
  CHECK(sim(a.api(), "POST", "/register", reg("carol")).status == 204);
  for (int i = 0; i < 50; ++i)
    REQUIRE(sim(a.api(), "POST", "/msgs/carol", R"({"content":"m)" + std::to_string(i) + R"("})")
                .status == 204);
  server_process b(node_args(nats.url, "b"));
  REQUIRE(eventually([&] { return ready(b); }, 20s));
  CHECK(sim(b.api(), "GET", "/msgs/carol?no=100").body ==
        sim(a.api(), "GET", "/msgs/carol?no=100").body);
}

TEST_CASE("cluster: concurrent writes travel as batched records, and a restarted node resumes") {
  nats_process nats;
  temp_dir b_dir;
  server_process a(node_args(nats.url, "a"));
  auto b = std::make_unique<server_process>(node_args(nats.url, "b"), b_dir.path().string());
  REQUIRE(sim(a.api(), "POST", "/register", reg("dora")).status == 204);
  auto post_concurrently = [&](const std::string& api, const std::string& tag) {
    std::vector<std::thread> threads;
    std::atomic<int> failed{0};
    for (int t = 0; t < 16; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          auto text = tag + "-" + std::to_string(t) + "-" + std::to_string(i);
          if (sim(api, "POST", "/msgs/dora", R"({"content":")" + text + R"("})").status != 204)
            ++failed;
        }
      });
    for (auto& t : threads) t.join();
    return failed.load();
  };
  CHECK(post_concurrently(a.api(), "first") == 0);
  auto health = [](const server_process& n) {
    return boost::json::parse(request(n.admin(), "GET", "/health/ready").body).as_object();
  };
  // 401 events (1 registration, 400 posts); batched, they take fewer records.
  REQUIRE(eventually([&] { return health(*b).at("last_event").as_int64() == 401; }, 20s));
  auto records = health(*b).at("applied_seq").as_int64();
  CHECK(records < 401);
  CHECK(health(a).at("applied_seq").as_int64() == records);

  CHECK(b->stop() == 0);
  CHECK(post_concurrently(a.api(), "second") == 0);
  b = std::make_unique<server_process>(node_args(nats.url, "b"), b_dir.path().string());
  REQUIRE(eventually([&] { return ready(*b); }, 20s));
  CHECK(post_concurrently(b->api(), "third") == 0);
  REQUIRE(eventually([&] { return health(a).at("last_event").as_int64() == 1201; }, 20s));
  REQUIRE(eventually([&] { return health(*b).at("last_event").as_int64() == 1201; }, 20s));
  auto all = sim(a.api(), "GET", "/msgs/dora?no=2000").body;
  CHECK(all == sim(b->api(), "GET", "/msgs/dora?no=2000").body);
  for (const char* text : {"first-15-24", "second-0-0", "third-7-3"})
    CHECK(all.find(text) != std::string::npos);
}

TEST_CASE("cluster: an empty node copies a long shared log in bulk, then applies what follows") {
  nats_process nats;
  server_process a(node_args(nats.url, "a"));
  for (const char* name : {"erin", "fred"})
    REQUIRE(sim(a.api(), "POST", "/register", reg(name)).status == 204);
  REQUIRE(sim(a.api(), "POST", "/fllws/erin", R"({"follow":"fred"})").status == 204);
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i)
        sim(a.api(), "POST",
            "/msgs/" + std::string(t % 2 ? "erin" : "fred") + "?latest=" + std::to_string(1000 + t),
            R"({"content":"bulk )" + std::to_string(t) + "-" + std::to_string(i) + R"("})");
    });
  for (auto& w : writers) w.join();
  REQUIRE(sim(a.api(), "POST", "/fllws/erin", R"({"unfollow":"fred"})").status == 204);
  REQUIRE(sim(a.api(), "POST", "/fllws/erin?latest=77", R"({"follow":"fred"})").status == 204);

  auto health = [](const server_process& n) {
    return boost::json::parse(request(n.admin(), "GET", "/health/ready").body).as_object();
  };
  temp_dir b_dir;
  auto args = node_args(nats.url, "b");
  args.insert(args.end(), {"--bulk-copy-records", "1"});
  auto b = std::make_unique<server_process>(args, b_dir.path().string());
  REQUIRE(eventually([&] { return ready(*b); }, 20s));
  auto copied = b->wait_for_output(R"(shared_log_copied[^\n]*"events":(\d+))", 1s);
  REQUIRE_MESSAGE(copied, b->output());
  CHECK(b->wait_for_output(R"(read_models_ready[^\n]*"full_rebuild":true,"bulk":true)", 1s));
  CHECK(std::stoi((*copied)[1]) == health(a).at("last_event").as_int64());
  CHECK(health(*b).at("last_event").as_int64() == health(a).at("last_event").as_int64());
  CHECK(health(*b).at("applied_seq").as_int64() == health(a).at("applied_seq").as_int64());
  for (const char* path : {"/msgs?no=500", "/msgs/erin?no=500", "/fllws/erin", "/latest"})
    CHECK(sim(b->api(), "GET", path).body == sim(a.api(), "GET", path).body);

  // What comes after the copy is applied the ordinary way, and survives a restart.
  REQUIRE(sim(a.api(), "POST", "/msgs/erin", R"({"content":"after the copy"})").status == 204);
  REQUIRE(sim(b->api(), "POST", "/msgs/fred", R"({"content":"on the copy"})").status == 204);
  CHECK(b->stop() == 0);
  auto verify = run_tool("minitwit-replay", {"--data-dir", b_dir.path().string(), "--verify"});
  CAPTURE(verify.output);
  CHECK(verify.exit_code == 0);
  b = std::make_unique<server_process>(args, b_dir.path().string());
  REQUIRE(eventually([&] { return ready(*b); }, 20s));
  REQUIRE(eventually(
      [&] {
        return health(*b).at("last_event").as_int64() == health(a).at("last_event").as_int64();
      },
      20s));
  auto page = sim(b->api(), "GET", "/msgs?no=500").body;
  CHECK(page == sim(a.api(), "GET", "/msgs?no=500").body);
  CHECK(page.find("after the copy") != std::string::npos);
  CHECK(page.find("on the copy") != std::string::npos);
}

TEST_CASE("cluster: without NATS a node refuses to start, once started, writes 503 and reads 200") {
  temp_dir data;
  child_process refused({server_process::binary("minitwit-server"), "--data-dir",
                         data.path().string(), "--api-listen", "127.0.0.1:0", "--web-listen",
                         "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--event-log",
                         "nats://127.0.0.1:1", "--nats-timeout-ms", "500"});
  CHECK(refused.wait_exit(20s) != 0);
  CHECK(refused.output().find("cannot reach NATS") != std::string::npos);

  auto nats = std::make_unique<nats_process>();
  server_process a(node_args(nats->url, "a"));
  CHECK(sim(a.api(), "POST", "/register", reg("dave")).status == 204);
  nats->child->signal_and_wait(SIGKILL);
  auto started = std::chrono::steady_clock::now();
  auto write = sim(a.api(), "POST", "/msgs/dave", R"({"content":"lost?"})");
  CHECK(write.status == 503);
  CHECK(!write.header("retry-after").empty());
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  CHECK(sim(a.api(), "GET", "/msgs/dave").status == 200);
}

TEST_CASE("cluster: a single-node data directory moves into an empty stream with cluster-import") {
  temp_dir single;
  auto data = (single.path() / "data").string();
  std::string msgs;
  {
    server_process s({}, data);
    REQUIRE(sim(s.api(), "POST", "/register", reg("erin")).status == 204);
    REQUIRE(sim(s.api(), "POST", "/register", reg("frank")).status == 204);
    for (int i = 0; i < 30; ++i)
      REQUIRE(sim(s.api(), "POST", "/msgs/erin", R"({"content":"e)" + std::to_string(i) + R"("})")
                  .status == 204);
    REQUIRE(sim(s.api(), "POST", "/fllws/frank?latest=77", R"({"follow":"erin"})").status == 204);
    msgs = sim(s.api(), "GET", "/msgs?no=100").body;
    REQUIRE(s.stop() == 0);
  }
  nats_process nats;
  auto import = [&](const std::string& dir) {
    return run_tool("minitwit-admin", {"cluster-import", "--data-dir", dir, "--event-log", nats.url,
                                       "--nats-replicas", "1"});
  };
  auto first = import(data);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(first.output.find("published 33 events") != std::string::npos);
  auto again = import(data);  // idempotent: checks the prefix, publishes nothing
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("published 0 events") != std::string::npos);

  // A node on an empty directory and a node on the original one answer alike, with the
  // ids and `latest` of the single node; usernames stay taken; new writes continue.
  server_process fresh(node_args(nats.url, "fresh"));
  REQUIRE(eventually([&] { return ready(fresh); }, 20s));
  CHECK(sim(fresh.api(), "GET", "/msgs?no=100").body == msgs);
  CHECK(sim(fresh.api(), "GET", "/fllws/frank").body == R"({"follows":["erin"]})");
  CHECK(sim(fresh.api(), "GET", "/latest").body == R"({"latest":77})");
  // Two registrations alone (each on its name's subject), the 31 events after them as
  // one batched record.
  auto state = boost::json::parse(request(fresh.admin(), "GET", "/health/ready").body);
  CHECK(state.at("applied_seq").as_int64() == 3);
  CHECK(state.at("last_event").as_int64() == 33);
  CHECK(sim(fresh.api(), "POST", "/register", reg("erin")).status == 400);
  server_process original(node_args(nats.url, "original"), data);
  REQUIRE(eventually([&] { return ready(original); }, 20s));
  CHECK(sim(original.api(), "POST", "/msgs/frank", R"({"content":"after"})").status == 204);
  CHECK(eventually(
      [&] {
        return sim(fresh.api(), "GET", "/msgs?no=100").body ==
               sim(original.api(), "GET", "/msgs?no=100").body;
      },
      10s));

  // Another history is refused, never appended to the stream.
  temp_dir other;
  {
    server_process s({}, (other.path() / "data").string());
    REQUIRE(sim(s.api(), "POST", "/register", reg("gina")).status == 204);
    REQUIRE(s.stop() == 0);
  }
  auto refused = import((other.path() / "data").string());
  CHECK(refused.exit_code == 4);
  CHECK(refused.output.find("another history") != std::string::npos);
}
