// The subcommands of minitwit-loadgen; each returns the process exit code.
#pragma once

#include <string>

#include "tools/loadgen/driver.hpp"
#include "tools/loadgen/generate.hpp"
#include "tools/loadgen/seed.hpp"
#include "tools/loadgen/workloads.hpp"

namespace minitwit::loadgen {

enum exit_code { done = 0, failed = 1, usage = 2, had_errors = 3 };

struct generate_command {
  generate_options options;
  std::string out;
};

struct load_options {
  std::string target;
  std::string auth = "simulator:super_safe!";
  std::string json_out, name, server;
  bool fail_on_errors = false;
  driver_options driver;
};

struct replay_command {
  std::string scenario;
  std::size_t concurrency = 64;
  double rate = 0;  // actions per second at most (0: as fast as they are answered)
  bool keep_alive = false;
};

struct run_command {
  std::string workload;
  std::size_t connections = 16;
  double duration_s = 10, warmup_s = 1, rate = 0;
  std::size_t threads = 1;
  workload_options options;
  std::uint64_t seed = 1;
  bool new_connection = false;
};

struct render_command {
  std::string results, markdown, svg, svg_link, preamble;
};

int run_generate(const generate_command& c);
int run_replay(const replay_command& c, load_options load);
int run_workload(const run_command& c, load_options load);
int run_seed(const seed_options& o);
int run_render(const render_command& c);

}  // namespace minitwit::loadgen
