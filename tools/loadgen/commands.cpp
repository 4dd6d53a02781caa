#include "tools/loadgen/commands.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "http/host_port.hpp"
#include "tools/loadgen/scenario.hpp"
#include "tools/loadgen/sources.hpp"

namespace minitwit::loadgen {
namespace {

int fail(int code, const std::string& message) {
  fmt::print(stderr, "minitwit-loadgen: {}\n", message);
  return code;
}

std::string basic_auth(const std::string& user_password) {
  if (user_password.empty()) return {};
  std::string encoded(
      sodium_base64_encoded_len(user_password.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(),
                    reinterpret_cast<const unsigned char*>(user_password.data()),
                    user_password.size(), sodium_base64_VARIANT_ORIGINAL);
  encoded.resize(std::strlen(encoded.c_str()));
  return "Basic " + encoded;
}

result<void> prepare(load_options& load) {
  auto server = http::parse_host_port(load.target);
  if (!server) return make_error(server.error());
  load.driver.server = std::move(*server);
  load.driver.authorization = basic_auth(load.auth);
  return {};
}

// Prints the table, appends the JSON line, and picks the exit code.
int finish(run_report report, const load_options& load) {
  report.target = load.target;
  std::cout << format_table(report) << std::flush;
  if (!load.json_out.empty()) {
    auto json = to_json(report);
    json.as_object()["server"] = load.server;
    std::ofstream out(load.json_out, std::ios::app);
    out << boost::json::serialize(json) << '\n';
    if (!out) return fail(failed, "cannot write " + load.json_out);
  }
  if (report.total.requests == 0) return fail(failed, "no request was sent");
  return load.fail_on_errors && report.total.errors() > 0 ? had_errors : done;
}

}  // namespace

int run_generate(const generate_command& c) {
  std::ofstream file;
  if (!c.out.empty()) {
    file.open(c.out);
    if (!file) return fail(failed, "cannot write " + c.out);
  }
  auto r = generate_scenario(c.options, c.out.empty() ? std::cout : file);
  return r ? done : fail(usage, r.error().message);
}

int run_replay(const replay_command& c, load_options load) {
  if (auto p = prepare(load); !p) return fail(usage, p.error().message);
  if (c.concurrency == 0) return fail(usage, "--concurrency must be at least 1");
  std::ifstream in(c.scenario);
  if (!in) return fail(failed, "cannot read " + c.scenario);
  auto actions = read_scenario(in);
  if (!actions) return fail(failed, c.scenario + ": " + actions.error().message);
  load.driver.connections = c.concurrency;
  load.driver.keep_alive = c.keep_alive;
  if (c.rate < 0) return fail(usage, "--rate must be positive");
  replay_source source(*actions, c.rate);
  recorder rec;
  auto seconds = drive(load.driver, source, rec);
  if (!seconds) return fail(failed, seconds.error().message);
  auto report = rec.summarize(*seconds);
  report.workload = load.name.empty() ? "replay" : load.name;
  report.mode = "replay";
  report.connections = c.concurrency;
  report.offered_rate = c.rate;
  return finish(std::move(report), load);
}

int run_workload(const run_command& c, load_options load) {
  if (auto p = prepare(load); !p) return fail(usage, p.error().message);
  if (c.threads == 0 || c.connections < c.threads)
    return fail(usage, "need at least one connection per thread");
  if (c.duration_s <= 0 || c.warmup_s < 0 || c.rate < 0)
    return fail(usage, "durations and rate must be positive");
  load.driver.keep_alive = !c.new_connection;
  timing t{std::chrono::duration<double>(c.warmup_s), std::chrono::duration<double>(c.duration_s)};

  std::vector<recorder> recorders(c.threads);
  std::vector<std::string> problems(c.threads);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < c.threads; ++i) {
    auto o = c.options;
    o.stream = c.seed * 1000 + i;
    auto w = make_workload(c.workload, o);
    if (!w) return fail(usage, w.error().message);
    threads.emplace_back([&, i, w = std::move(*w)] {
      auto d = load.driver;
      d.connections = c.connections / c.threads + (i < c.connections % c.threads);
      std::unique_ptr<request_source> source;
      if (c.rate > 0)
        source = std::make_unique<open_loop_source>(*w, t, c.rate / static_cast<double>(c.threads),
                                                    c.seed + i);
      else
        source = std::make_unique<closed_loop_source>(*w, t, c.seed + i);
      if (auto r = drive(d, *source, recorders[i]); !r) problems[i] = r.error().message;
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& p : problems)
    if (!p.empty()) return fail(failed, p);
  for (std::size_t i = 1; i < c.threads; ++i) recorders[0].merge(std::move(recorders[i]));
  auto report = recorders[0].summarize(c.duration_s);
  report.workload = load.name.empty() ? c.workload : load.name;
  report.mode = c.rate > 0 ? "open" : "closed";
  report.connections = c.connections;
  report.offered_rate = c.rate;
  return finish(std::move(report), load);
}

int run_seed(const seed_options& o) {
  auto r = seed_database(o);
  if (!r) return fail(failed, r.error().message);
  fmt::print("seeded {}: {} commands, {} events in {:.1f} s ({:.0f} events/s)\n", o.data_dir,
             r->commands, r->events, r->seconds, static_cast<double>(r->events) / r->seconds);
  return done;
}

}  // namespace minitwit::loadgen
