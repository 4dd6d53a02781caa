// A full disk: the server runs on a small tmpfs that the test fills. Writes must answer
// 503 with a JSON error, reads keep working, nothing crashes, and once space is freed
// writes resume without a restart, with nothing acknowledged lost.
#include <doctest/doctest.h>
#include <sys/mount.h>

#include <atomic>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

using namespace minitwit::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// A size-limited tmpfs for the duration of a test.
struct tmpfs_mount {
  temp_dir dir;
  bool mounted = false;
  std::string error;
  explicit tmpfs_mount(const std::string& size) {
    if (::mount("tmpfs", dir.str().c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0)
      mounted = true;
    else
      error = std::strerror(errno);
  }
  ~tmpfs_mount() {
    if (mounted) ::umount2(dir.str().c_str(), MNT_DETACH);
  }
};

void ballast(const fs::path& p, std::size_t mib) {
  std::ofstream out(p, std::ios::binary);
  std::string block(1 << 20, 'b');
  for (std::size_t i = 0; i < mib; ++i) out.write(block.data(), block.size());
}

}  // namespace

TEST_CASE(
    "a full disk: 503 for writes, reads keep working, writes resume when space is back, nothing "
    "lost") {
  tmpfs_mount disk("160m");
  REQUIRE_MESSAGE(disk.mounted, "mounting a tmpfs failed ("
                                    << disk.error
                                    << "); this test needs root with permission to mount");
  MESSAGE("the server runs on a real 160 MiB tmpfs; the disk is filled by the server's own writes");
  ballast(disk.dir.path() / "ballast", 100);
  server_process s({"--min-free-disk-mb", "24"}, (disk.dir.path() / "data").string());
  REQUIRE(
      request(s.api(), "POST", "/register", R"({"username":"a","email":"a@x","pwd":"p"})").status ==
      204);

  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<bool> full{false};
  std::string refusal;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 20000 && !full; ++i) {
        std::string text =
            std::to_string(t) + "-" + std::to_string(i) + "-" + std::string(4000, 'x');
        auto r = sim(s.api(), "POST", "/msgs/a", json::serialize(json::object{{"content", text}}));
        std::lock_guard lock(mu);
        if (r.status == 204)
          acked.insert(text.substr(0, text.find('-', text.find('-') + 1)));
        else if (r.status == 503)
          full = true, refusal = r.body;
      }
    });
  for (auto& w : writers) w.join();
  REQUIRE(full);
  CHECK(json::parse(refusal).at("status") == 503);
  CHECK(acked.size() > 100);

  // Still full: reads work, writes are refused, the server is alive.
  CHECK(sim(s.api(), "GET", "/msgs?no=5").status == 200);
  CHECK(request(s.web(), "GET", "/public").status == 200);
  CHECK(sim(s.api(), "POST", "/msgs/a", R"({"content":"while full"})").status == 503);
  CHECK(request(s.admin(), "GET", "/health/live").status == 200);

  fs::remove(disk.dir.path() / "ballast");
  CHECK(sim(s.api(), "POST", "/msgs/a", R"({"content":"after freeing space"})").status == 204);

  auto check_all = [&](const server_process& srv) {
    auto all = json::parse(sim(srv.api(), "GET", "/msgs/a?no=1000000").body).as_array();
    std::set<std::string> present;
    for (auto& m : all) {
      auto text = json::value_to<std::string>(m.at("content"));
      present.insert(text.substr(0, text.find('-', text.find('-') + 1)));
    }
    for (auto& k : acked) CHECK_MESSAGE(present.count(k) == 1, "acknowledged message " << k);
    CHECK(present.count("after freeing space") == 1);
    CHECK(present.count("while full") == 0);
  };
  check_all(s);
  CHECK(s.stop() == 0);
  server_process again({}, (disk.dir.path() / "data").string());
  check_all(again);
}
