#include "tests/cluster/local_cluster.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "tests/support/child_process.hpp"

namespace minitwit::test {

namespace {

const std::string script = std::string(MINITWIT_SOURCE_DIR) + "/scripts/cluster.sh";

tool_result run_script(std::vector<std::string> args, int timeout_s) {
  args.insert(args.begin(), {"bash", script});
  child_process p(args);
  tool_result r;
  r.exit_code = p.wait_exit(std::chrono::seconds(timeout_s));
  r.output = p.output();
  return r;
}

}  // namespace

local_cluster::local_cluster() : path_((dir_.path() / "cluster").string()) {
  // Set before any test thread runs (setenv races with threads reading the
  // environment): the nodes are this build's, each wait of the script is bounded, and
  // HAProxy logs only state changes (a line per request would fill its log under load).
  ::setenv("MINITWIT_BIN_DIR", MINITWIT_BIN_DIR, 1);
  ::setenv("MINITWIT_CLUSTER_TIMEOUT", "60", 0);
  ::setenv("HAPROXY_LOG_LEVEL", "notice", 1);
  auto up = run_script({"up", "--dir", path_}, 300);
  if (up.exit_code != 0)
    throw std::runtime_error("scripts/cluster.sh up failed (" + std::to_string(up.exit_code) +
                             "):\n" + up.output);
  std::ifstream in(path_ + "/cluster.env");
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    env_[line.substr(0, eq)] = line.substr(eq + 1);
  }
  if (!env_.contains("LB_API")) throw std::runtime_error("no LB_API in " + path_ + "/cluster.env");
}

local_cluster::~local_cluster() { (void)run_script({"down", "--wipe", "--dir", path_}, 120); }

tool_result local_cluster::run(const std::vector<std::string>& args, int timeout_s) const {
  auto all = args;
  all.insert(all.end(), {"--dir", path_});
  return run_script(all, timeout_s);
}

const std::string& local_cluster::at(const std::string& key) const {
  auto it = env_.find(key);
  if (it == env_.end()) throw std::runtime_error("no " + key + " in cluster.env");
  return it->second;
}

}  // namespace minitwit::test
