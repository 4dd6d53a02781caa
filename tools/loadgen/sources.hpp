// Where requests come from: a fixed workload in a closed loop (every connection sends
// its next request as soon as the previous one is answered) or an open loop (requests
// due at a fixed rate, whether or not the server keeps up), and a scenario replay that
// keeps the causal order of actions sharing a user.
#pragma once

#include <deque>
#include <queue>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "tools/loadgen/driver.hpp"
#include "tools/loadgen/scenario.hpp"
#include "tools/loadgen/workloads.hpp"

namespace minitwit::loadgen {

struct timing {
  std::chrono::duration<double> warmup{1.0};
  std::chrono::duration<double> measure{10.0};
};

class closed_loop_source final : public request_source {
 public:
  closed_loop_source(workload& w, timing t, std::uint64_t seed);
  poll_result poll(clock_type::time_point now) override;
  void complete(const job&, outcome) override {}

 private:
  workload& w_;
  std::mt19937_64 rng_;
  clock_type::time_point measure_from_, end_;
};

// Request i is due at start + i / rate; its latency counts from then.
class open_loop_source final : public request_source {
 public:
  open_loop_source(workload& w, timing t, double rate, std::uint64_t seed);
  poll_result poll(clock_type::time_point now) override;
  void complete(const job&, outcome) override {}

 private:
  workload& w_;
  std::mt19937_64 rng_;
  double rate_;
  std::uint64_t next_ = 0;
  clock_type::time_point start_, measure_from_, end_;
};

// An action waits for every earlier action that shares one of its users (a follow waits
// for both users' registrations); unrelated actions run in parallel.
// With a rate, action i is not sent before start + i / rate (the simulator's pacing,
// sped up), and never more than the connections allow in flight.
class replay_source final : public request_source {
 public:
  explicit replay_source(const std::vector<action>& actions, double rate = 0);
  poll_result poll(clock_type::time_point now) override;
  void complete(const job& j, outcome o) override;

 private:
  std::vector<const std::string*> users_of(std::size_t i) const;
  bool is_ready(std::size_t i) const;

  const std::vector<action>& actions_;
  std::unordered_map<std::string, std::deque<std::size_t>> pending_by_user_;
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready_;
  std::size_t completed_ = 0;
  double rate_;
  clock_type::time_point start_ = clock_type::now();
};

request_plan plan_for(const action& a);

}  // namespace minitwit::loadgen
