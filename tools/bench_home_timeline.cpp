// minitwit-bench-timeline: how fast is "my timeline" for a heavy user? Seeds a fresh
// database through the real writer (group commit, fsync per batch) with USERS users,
// MESSAGES messages by random authors, and one reader who follows FOLLOWS of them;
// then times the home timeline (first page and a deep page), a user timeline and the
// public timeline, and prints latency percentiles and resident memory.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

#include "app/writer.hpp"
#include "projections/read_model.hpp"
#include "server/store.hpp"
#include "tools/flight_window.hpp"

using namespace minitwit;
using clock_type = std::chrono::steady_clock;

namespace {

long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

template <class F>
void measure(const char* name, int iterations, F&& query) {
  std::vector<double> us;
  us.reserve(iterations);
  std::size_t rows = 0;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = clock_type::now();
    rows = query();
    us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) {
    return us[std::min(us.size() - 1, static_cast<std::size_t>(p * us.size()))];
  };
  fmt::print("| {} | {} | {:.0f} | {:.0f} | {:.0f} | {:.0f} |\n", name, rows, pct(0.5), pct(0.9),
             pct(0.99), us.back());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t users = 2000, messages = 1'000'000, follows = 1000;
  int iterations = 2000;
  std::string dir;
  CLI::App app{"minitwit-bench-timeline: home-timeline latency for a heavy user"};
  app.add_option("--users", users, "Users to create")->capture_default_str();
  app.add_option("--messages", messages, "Messages to post")->capture_default_str();
  app.add_option("--follows", follows, "How many users the reader follows")->capture_default_str();
  app.add_option("--iterations", iterations, "Queries per measurement")->capture_default_str();
  app.add_option("--dir", dir,
                 "Database directory (default: a fresh temporary one, removed afterwards)");
  CLI11_PARSE(app, argc, argv);
  if (follows >= users) return fmt::print(stderr, "--follows must be below --users\n"), 2;

  bool temporary = dir.empty();
  if (temporary)
    dir = (std::filesystem::temp_directory_path() / fmt::format("minitwit-bench-{}", ::getpid()))
              .string();
  auto store = server::store::open(dir);
  if (!store) return fmt::print(stderr, "{}\n", store.error().message), 1;
  if (auto r = (*store)->start(); !r) return fmt::print(stderr, "{}\n", r.error().message), 1;
  auto* writer = &(*store)->writer();

  auto seed_start = clock_type::now();
  tools::flight_window window(8000);
  auto name = [](std::size_t i) { return fmt::format("user{}", i); };
  for (std::size_t i = 0; i < users; ++i)
    window.submit(*writer, core::register_user{name(i), name(i) + "@x.dk", "h"});
  window.drain();
  std::mt19937_64 rng(42);
  std::vector<std::size_t> others(users - 1);
  std::iota(others.begin(), others.end(), 1);
  std::shuffle(others.begin(), others.end(), rng);
  for (std::size_t i = 0; i < follows; ++i)
    window.submit(*writer, core::follow_user{name(0), name(others[i])});
  std::uniform_int_distribution<std::size_t> author(0, users - 1);
  for (std::size_t i = 0; i < messages; ++i)
    window.submit(*writer, core::post_message{name(author(rng)),
                                              fmt::format("message {} with some text to read", i)});
  window.drain();
  double seed_s = std::chrono::duration<double>(clock_type::now() - seed_start).count();
  fmt::print(
      "seeded {} users, {} follows, {} messages in {:.1f} s ({:.0f} writes/s through the "
      "writer)\n\n",
      users, follows, messages, seed_s, (users + follows + messages) / seed_s);

  projections::read_model reads((*store)->database());  // RocksDB only: no in-memory head
  auto reader = (*reads.user_by_name(name(0)))->id;
  auto deep = reads.home_timeline(reader, 30);
  for (int i = 0; i < 100 && deep && deep->older; ++i)
    deep = reads.home_timeline(reader, 30, deep->older);
  auto deep_cursor = deep->messages.empty() ? std::optional<core::message_id>{}
                                            : std::optional(deep->messages.front().id + 1);

  fmt::print("| query | rows | p50 µs | p90 µs | p99 µs | max µs |\n|---|---|---|---|---|---|\n");
  measure("home timeline, first page (30), follows 1000", iterations,
          [&] { return reads.home_timeline(reader, 30)->messages.size(); });
  measure("home timeline, page 101 (cursor)", iterations,
          [&] { return reads.home_timeline(reader, 30, deep_cursor)->messages.size(); });
  measure("user timeline (30)", iterations,
          [&] { return reads.user_timeline(reader + 1, 30)->messages.size(); });
  measure("public timeline (30)", iterations,
          [&] { return reads.public_timeline(30)->messages.size(); });
  fmt::print("\nresident memory: {} MiB\n", resident_kib() / 1024);

  (void)(*store)->close();
  if (temporary) std::filesystem::remove_all(dir);
  return 0;
}
