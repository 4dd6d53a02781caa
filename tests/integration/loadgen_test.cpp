// minitwit-loadgen against the real server: a generated scenario replayed as the
// simulator would send it lands completely and in causal order; fixed workloads run
// against a dataset seeded through the writer; the errors a report counts are real.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/support/http_client.hpp"
#include "tests/support/run_tool.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace minitwit::test;
namespace json = boost::json;

namespace {

json::object last_report(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  REQUIRE_FALSE(last.empty());
  return json::parse(last).as_object();
}

std::int64_t total(const json::object& report, std::string_view field) {
  return report.at("total").at(field).as_int64();
}
std::int64_t errors(const json::object& report, std::string_view kind) {
  return report.at("total").at("errors").at(kind).as_int64();
}

}  // namespace

TEST_CASE("a generated scenario replayed at concurrency 32 lands completely, with no error") {
  temp_dir dir;
  auto scenario = (dir.path() / "s.tsv").string(), report = (dir.path() / "r.ndjson").string();
  auto gen = run_tool("minitwit-loadgen", {"generate", "--users", "30", "--actions", "1500",
                                           "--seed", "4", "--out", scenario});
  REQUIRE_MESSAGE(gen.exit_code == 0, gen.output);

  server_process server;
  // Correctness, not speed: a loaded CI machine may well be slower than the simulator's 0.3 s.
  auto r = run_tool("minitwit-loadgen",
                    {"replay", scenario, "--target", server.api(), "--concurrency", "32",
                     "--slow-ms", "60000", "--json", report, "--fail-on-errors"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto rep = last_report(report);
  CHECK(total(rep, "requests") == 1500);
  CHECK(errors(rep, "unexpected_status") == 0);
  CHECK(errors(rep, "connection") == 0);

  // Every tweet of the scenario is there: a follow or tweet sent before its user's
  // registration was answered would have been a 404 and counted above.
  std::ifstream in(scenario);
  std::size_t tweets = 0;
  for (std::string line; std::getline(in, line);)
    tweets += line.find("\ttweet\t") != std::string::npos;
  auto msgs = json::parse(sim(server.api(), "GET", "/msgs?no=10000").body).as_array();
  CHECK(msgs.size() == tweets);
  auto latest = json::parse(request(server.api(), "GET", "/latest").body).at("latest").as_int64();
  CHECK(latest > 1500 - 32);
  CHECK(latest <= 1500);
}

TEST_CASE("fixed workloads run against a seeded dataset, a report counts what went wrong") {
  temp_dir dir;
  auto data = (dir.path() / "data").string(), report = (dir.path() / "r.ndjson").string();
  auto seed = run_tool("minitwit-loadgen", {"seed", "--data-dir", data, "--users", "20",
                                            "--messages", "200", "--follows", "100"});
  REQUIRE_MESSAGE(seed.exit_code == 0, seed.output);
  auto again = run_tool("minitwit-loadgen", {"seed", "--data-dir", data, "--users", "20"});
  CHECK(again.exit_code == 1);
  CHECK(again.output.find("already holds") != std::string::npos);

  server_process server({}, data);
  auto msgs = json::parse(sim(server.api(), "GET", "/msgs?no=1000").body).as_array();
  CHECK(msgs.size() == 200);
  auto follows = json::parse(sim(server.api(), "GET", "/fllws/seed%20user%205?no=1000").body);
  CHECK(follows.at("follows").is_array());

  for (const char* w : {"post", "read-mix", "write-mix"}) {
    auto r =
        run_tool("minitwit-loadgen", {"run", "--workload", w, "--target", server.api(), "--users",
                                      "20", "--connections", "4", "--duration", "0.5", "--warmup",
                                      "0", "--json", report, "--fail-on-errors"});
    INFO(w, r.output);
    CHECK(r.exit_code == 0);
    CHECK(total(last_report(report), "requests") > 0);
  }
  auto after = json::parse(sim(server.api(), "GET", "/msgs?no=100000").body).as_array();
  CHECK(after.size() > 200);

  // Users that do not exist: every post is an unexpected status (404), reported as such.
  auto r = run_tool("minitwit-loadgen",
                    {"run", "--workload", "post", "--target", server.api(), "--users", "1000",
                     "--connections", "2", "--duration", "0.3", "--warmup", "0", "--rate", "200",
                     "--json", report, "--fail-on-errors"});
  CHECK(r.exit_code == 3);
  auto rep = last_report(report);
  CHECK(errors(rep, "unexpected_status") > 0);
  CHECK(rep.at("mode").as_string() == "open");

  // Wrong credentials: 403s, every one counted.
  r = run_tool("minitwit-loadgen",
               {"run", "--workload", "msgs", "--target", server.api(), "--auth", "x:y",
                "--connections", "2", "--duration", "0.3", "--warmup", "0", "--json", report});
  CHECK(r.exit_code == 0);
  rep = last_report(report);
  CHECK(errors(rep, "unexpected_status") == total(rep, "requests"));
}

TEST_CASE(
    "a kept-alive connection the server closed while idle is reopened, not counted as an error") {
  temp_dir dir;
  auto report = (dir.path() / "r.ndjson").string();
  // The server closes a connection idle for 100 ms; one connection asked for a request
  // every 400 ms finds it closed before each request but the first.
  server_process server({"--read-timeout-ms", "100"});
  auto r = run_tool("minitwit-loadgen", {"run", "--workload", "latest", "--target", server.api(),
                                         "--connections", "1", "--rate", "2.5", "--duration", "1.5",
                                         "--warmup", "0", "--json", report, "--fail-on-errors"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  auto rep = last_report(report);
  CHECK(total(rep, "requests") >= 3);
  CHECK(errors(rep, "connection") == 0);
}

TEST_CASE("a server that is not there is a connection error, not a hang or a success") {
  temp_dir dir;
  auto report = (dir.path() / "r.ndjson").string();
  // A port nobody listens on: bind-and-release would race, so use the server's own
  // port after it has stopped.
  std::string gone;
  {
    server_process server;
    gone = server.api();
    server.stop();
  }
  auto r = run_tool("minitwit-loadgen",
                    {"run", "--workload", "latest", "--target", gone, "--connections", "2",
                     "--duration", "0.3", "--warmup", "0", "--json", report, "--fail-on-errors"});
  CHECK(r.exit_code == 3);
  CHECK(errors(last_report(report), "connection") > 0);
  auto bad = run_tool("minitwit-loadgen", {"run", "--workload", "nope", "--target", gone});
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("unknown workload 'nope'") != std::string::npos);
}
