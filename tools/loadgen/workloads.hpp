// Fixed workloads: what a closed- or open-loop run sends. Reads of the simulator API and
// the web UI, writes, and mixes of them; users are the seeded ones (seed_username).
#pragma once

#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "tools/loadgen/driver.hpp"

namespace minitwit::loadgen {

class workload {
 public:
  virtual ~workload() = default;
  virtual request_plan next(std::mt19937_64& rng) = 0;
};

struct workload_options {
  std::size_t users = 1000;  // seeded users to pick from (seed_username(0..users-1))
  std::size_t page = 20;     // `no` of list reads
  std::uint64_t stream = 0;  // distinguishes parallel generators (fresh register names)
};

// Names for --workload, with what each sends.
std::vector<std::pair<std::string, std::string>> workload_names();

result<std::unique_ptr<workload>> make_workload(const std::string& name, const workload_options& o);

// The name of seeded user i.
std::string seed_username(std::size_t i);

// A path segment, percent-encoded (spaces and non-ASCII included).
std::string path_segment(std::string_view s);

}  // namespace minitwit::loadgen
