// Operations: metrics, health, logs, scheduled backups, and a real Prometheus.
#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "http/target.hpp"
#include "storage/database.hpp"
#include "storage/event_appender.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/run_tool.hpp"
#include "tests/support/server_process.hpp"

using namespace minitwit;
using namespace minitwit::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// The value of the first sample line that starts with `series` (name and labels).
double metric(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  return -1;
}

std::string scrape(const server_process& s) {
  auto r = request(s.admin(), "GET", "/metrics");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type").starts_with("text/plain; version=0.0.4"));
  return r.body;
}

std::string reg(const std::string& u) {
  return json::serialize(json::object{{"username", u}, {"email", u + "@x"}, {"pwd", "pw"}});
}

}  // namespace

TEST_CASE("metrics move when requests are served and writes are made") {
  server_process s;
  auto before = scrape(s);
  const std::string latest_ok =
      R"(minitwit_http_requests_total{listener="api",method="GET",route="/latest",status="200"})";
  CHECK(metric(before, latest_ok) == -1);
  for (int i = 0; i < 3; ++i) request(s.api(), "GET", "/latest");
  REQUIRE(request(s.api(), "POST", "/register", reg("m")).status == 204);
  REQUIRE(sim(s.api(), "POST", "/msgs/m", R"({"content":"x"})").status == 204);
  auto after = scrape(s);
  CHECK(metric(after, latest_ok) == 3);
  CHECK(metric(after,
               R"(minitwit_http_request_duration_seconds_count{listener="api",route="/latest"})") ==
        3);
  CHECK(metric(after, R"(minitwit_events_appended_total{type="user_registered"})") == 1);
  CHECK(metric(after, R"(minitwit_events_appended_total{type="message_posted"})") == 1);
  CHECK(metric(after, "minitwit_users") == 1);
  CHECK(metric(after, "minitwit_messages") == 1);
  CHECK(metric(after, "minitwit_writer_batch_commands_count") >= 2);
  CHECK(metric(after, "minitwit_writer_fsync_duration_seconds_count") >= 2);
  CHECK(metric(after, "minitwit_last_event_seq") == 2);
  CHECK(metric(after, "minitwit_projection_checkpoint") == 2);
  CHECK(metric(after, "minitwit_writer_queue_depth") == 0);
  CHECK(metric(after, "process_resident_memory_bytes") > 1e6);
  CHECK(metric(after, "process_open_fds") > 3);
  CHECK(metric(after, "minitwit_rocksdb_memtable_bytes") > 0);
  CHECK(metric(after, "minitwit_rocksdb_block_cache_capacity_bytes") > 0);
#ifdef MINITWIT_SERVER_ON_JEMALLOC
  // The server runs on jemalloc, whose own count of allocated bytes leaks cannot hide from.
  CHECK(metric(after, "minitwit_allocator_allocated_bytes") > 1e6);
  CHECK(metric(after, "minitwit_allocator_resident_bytes") >=
        metric(after, "minitwit_allocator_allocated_bytes"));
#else
  CHECK(metric(after, "minitwit_allocator_allocated_bytes") == -1);  // absent without jemalloc
#endif
  CHECK(metric(after, "minitwit_rocksdb_block_cache_capacity_bytes") >=
        metric(after, "minitwit_rocksdb_block_cache_bytes"));
  CHECK(metric(after, "minitwit_data_disk_free_bytes") > 0);
  // Usernames never become labels.
  CHECK(after.find("route=\"/msgs/:user\"") != std::string::npos);
  CHECK(after.find("/msgs/m\"") == std::string::npos);
  // Optionally on the API listener too.
  CHECK(request(s.api(), "GET", "/metrics").status == 404);
  server_process with({"--metrics-on-api"});
  CHECK(request(with.api(), "GET", "/metrics").body.find("minitwit_users") != std::string::npos);
}

TEST_CASE("readiness is false until the read models have caught up with the log") {
  temp_dir dir;
  auto data = (dir.path() / "data").string();
  {
    // A log without read models: the server must replay it all before it is ready.
    auto db = std::move(*storage::database::open(data));
    auto out = std::move(*storage::event_appender::open(*db));
    REQUIRE(out.append({0, 1, std::nullopt, core::user_registered{1, "writer", "w@x", "h"}}));
    for (std::uint64_t i = 1; i <= 300000; ++i)
      REQUIRE(out.append(
          {0, 1, std::nullopt, core::message_posted{i, 1, "m" + std::to_string(i), 1700000000}}));
    REQUIRE(out.finish());
  }
  server_process s({}, data, /*early=*/true);
  CHECK(request(s.admin(), "GET", "/health/live").status == 200);
  auto early = request(s.admin(), "GET", "/health/ready");
  CHECK(early.status == 503);
  CHECK(json::parse(early.body).at("projections") == "catching_up");
  CHECK(json::parse(early.body).at("ready") == false);
  // 2.5 s alone here; CI runs this beside the crash test's fsync storm, where it once
  // took over 30 s. This test is about readiness, not speed (BENCHMARKS.md measures that).
  s.wait_listening(std::chrono::seconds(180));
  auto ready = request(s.admin(), "GET", "/health/ready");
  CHECK(ready.status == 200);
  CHECK(json::parse(ready.body).at("projection_checkpoint") == 300001);
  CHECK(sim(s.api(), "GET", "/msgs?no=1").body.find("m300000") != std::string::npos);
}

TEST_CASE("logs are JSON lines: start-up, one line per request with its context, shutdown") {
  server_process s;
  request(s.api(), "GET", "/latest", "", {{"X-Request-Id", "trace-me-42"}});
  request(s.api(), "POST", "/register", reg("a"));
  request(s.web(), "GET", "/public");
  auto r = request(s.api(), "GET", "/nope");
  CHECK(r.header("x-request-id").size() == 16);
  CHECK(s.stop() == 0);
  std::istringstream lines(s.output());
  std::string line;
  int requests = 0;
  bool config = false, traced = false, stopped = false;
  while (std::getline(lines, line)) {
    INFO(line);
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(v.is_object());
    CHECK(v.as_object().contains("time"));
    CHECK(v.as_object().contains("level"));
    auto* event = v.as_object().if_contains("event");
    if (!event) continue;
    if (*event == "config") {
      config = true;
      CHECK(v.at("config").at("sim_password") == "<redacted>");
      CHECK(line.find("super_safe!") == std::string::npos);
    }
    if (*event == "stopped") stopped = true;
    if (*event == "request") {
      ++requests;
      for (auto f : {"request_id", "method", "route", "status", "duration_us", "bytes", "client",
                     "listener"})
        CHECK(v.as_object().contains(f));
      if (v.at("request_id") == "trace-me-42") traced = true;
    }
  }
  CHECK(config);
  CHECK(stopped);
  CHECK(traced);
  CHECK(requests == 4);
}

TEST_CASE("the rotating log file never exceeds its cap") {
  temp_dir dir;
  auto log = (dir.path() / "logs" / "minitwit.log").string();
  fs::create_directories(dir.path() / "logs");
  server_process s({"--log-file", log, "--log-max-bytes", "4096", "--log-files", "2"});
  for (int i = 0; i < 300; ++i) request(s.api(), "GET", "/latest");
  CHECK(s.stop() == 0);
  int files = 0;
  for (auto& f : fs::directory_iterator(dir.path() / "logs")) {
    ++files;
    CHECK(fs::file_size(f) <= 4096);
  }
  CHECK(files == 3);  // the current file and two rotated ones
  std::ifstream current(log);
  std::string first;
  REQUIRE(std::getline(current, first));
  CHECK(json::parse(first).is_object());
}

TEST_CASE("a scheduled backup is taken at start, verified, counted and logged") {
  temp_dir dir;
  auto backups = (dir.path() / "backups").string();
  server_process s({"--backup-dir", backups, "--backup-every", "1h", "--backup-keep", "2"});
  auto logged = s.wait_for_output(R"re("event":"backup","dir":"[^"]*","backup_id":1)re",
                                  std::chrono::seconds(30));
  INFO(s.output());
  REQUIRE(logged);
  auto m = scrape(s);
  CHECK(metric(m, "minitwit_backups_total") == 1);
  CHECK(metric(m, "minitwit_backup_failures_total") == 0);
  CHECK(metric(m, "minitwit_backup_interval_seconds") == 3600);
  CHECK(metric(m, "minitwit_backup_last_success_timestamp_seconds") > 1.7e9);
  auto v = run_tool("minitwit-admin", {"backup", "verify", "--dir", backups});
  INFO(v.output);
  CHECK(v.exit_code == 0);
  CHECK(
      run_tool("minitwit-server", {"--backup-dir", backups, "--backup-every", "soon"}).exit_code ==
      1);
}

namespace {

unsigned short free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

json::value prom_query(const std::string& prom, const std::string& q) {
  auto r = request(prom, "GET", "/api/v1/query?query=" + http::percent_encode(q));
  return json::parse(r.body);
}

double prom_scalar(const std::string& prom, const std::string& q) {
  auto v = prom_query(prom, q);
  const auto& result = v.at("data").at("result").as_array();
  if (result.empty()) return -1;
  return std::stod(std::string(result[0].at("value").as_array()[1].as_string()));
}

std::string alert_state(const std::string& prom, const std::string& name) {
  auto v = json::parse(request(prom, "GET", "/api/v1/alerts").body);
  for (auto& a : v.at("data").at("alerts").as_array())
    if (a.at("labels").at("alertname").as_string() == name)
      return std::string(a.at("state").as_string());
  return "";
}

}  // namespace

TEST_CASE("a real Prometheus scrapes the server, sees its requests, and raises the down alert") {
  temp_dir dir;
  server_process s;
  auto config = dir.path() / "prometheus.yml";
  std::ofstream(config) << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                        << "rule_files:\n  - " << MINITWIT_SOURCE_DIR
                        << "/deploy/prometheus/alerts.yml\n"
                        << "scrape_configs:\n  - job_name: minitwit\n    static_configs:\n"
                        << "      - targets: ['" << s.admin() << "']\n";
  auto prom = "127.0.0.1:" + std::to_string(free_port());
  child_process prometheus({"prometheus", "--config.file=" + config.string(),
                            "--storage.tsdb.path=" + (dir.path() / "tsdb").string(),
                            "--web.listen-address=" + prom});
  auto ready = prometheus.wait_for(std::regex("Server is ready to receive web requests"),
                                   std::chrono::seconds(60));
  INFO(prometheus.output());
  REQUIRE(ready);

  using namespace std::chrono_literals;
  CHECK(eventually([&] { return prom_scalar(prom, R"(up{job="minitwit"})") == 1; }, 30s));
  for (int i = 0; i < 5; ++i) request(s.api(), "GET", "/latest");
  CHECK(eventually(
      [&] {
        return prom_scalar(prom, R"(sum(minitwit_http_requests_total{listener="api"}))") >= 5;
      },
      30s));
  CHECK(prom_scalar(prom, "minitwit_writer_queue_capacity") == 10000);

  CHECK(s.stop() == 0);
  CHECK(eventually([&] { return alert_state(prom, "MiniTwitDown") == "pending"; }, 30s));
  CHECK(prometheus.signal_and_wait(SIGTERM) == 0);
}
