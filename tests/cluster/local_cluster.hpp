// A whole local cluster for tests, started by the very script operators use
// (scripts/cluster.sh: three nats-server processes forming a JetStream cluster, three
// minitwit-server nodes, HAProxy in front) in a temporary directory on free ports, and
// stopped and deleted on destruction.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/support/run_tool.hpp"
#include "tests/support/temp_dir.hpp"

namespace minitwit::test {

class local_cluster {
 public:
  // Runs `cluster.sh up`; throws with the script's output when it fails.
  local_cluster();
  ~local_cluster();  // cluster.sh down --wipe
  local_cluster(const local_cluster&) = delete;
  local_cluster& operator=(const local_cluster&) = delete;

  // Runs `cluster.sh ARGS... --dir DIR` (e.g. {"node-kill", "2"}).
  tool_result run(const std::vector<std::string>& args, int timeout_s = 120) const;

  // A value of cluster.env (e.g. "LB_API", "NODE2_ADMIN", "NODE1_DATA").
  const std::string& at(const std::string& key) const;
  std::string lb_api() const { return at("LB_API"); }
  std::string node_api(int i) const { return at("NODE" + std::to_string(i) + "_API"); }
  std::string node_data(int i) const { return at("NODE" + std::to_string(i) + "_DATA"); }

 private:
  temp_dir dir_;
  std::string path_;
  std::map<std::string, std::string> env_;
};

}  // namespace minitwit::test
