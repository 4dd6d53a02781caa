// The load driver: N client connections on one thread, each taking the next request
// from a source, sending it, and recording its latency and outcome. Sources decide
// what is sent and when (closed loop, open loop, scenario replay); the driver only
// speaks HTTP (Beast) and keeps the clock. Nothing here includes Asio.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "http/host_port.hpp"
#include "tools/loadgen/report.hpp"

namespace minitwit::loadgen {

using clock_type = std::chrono::steady_clock;

struct request_plan {
  bool post = false;
  std::string target;  // path and query, already percent-encoded
  std::string body;    // JSON, for POST
  std::string label;
  unsigned expect = 200;
  unsigned also_ok = 0;  // another acceptable status (a register may answer 400)
};

struct job {
  request_plan request;
  // When the request should have been sent (open loop): latency is counted from here,
  // so that a slow server cannot hide its queue (coordinated omission). Unset: now.
  std::optional<clock_type::time_point> intended;
  bool measured = true;   // false during warm-up
  std::size_t index = 0;  // the source's own bookkeeping
};

struct poll_result {
  enum class state { ready, wait_until, wait_for_completion, done } what = state::done;
  job next;                      // when ready
  clock_type::time_point until;  // when wait_until
};

class request_source {
 public:
  virtual ~request_source() = default;
  virtual poll_result poll(clock_type::time_point now) = 0;
  virtual void complete(const job& j, outcome o) = 0;
};

struct driver_options {
  http::host_port server{"127.0.0.1", 0};
  std::size_t connections = 16;
  // false: a new connection per request, closed after the answer (like the simulator).
  bool keep_alive = true;
  std::string authorization;  // the Authorization header, empty: none
  double slow_ms = 300;       // the simulator's timeout: slower answers are errors
  double timeout_ms = 10000;  // give up on a request (a connection error)
};

// Runs until the source is done; returns the wall-clock seconds it took. Fails only when
// the target cannot be resolved.
result<double> drive(const driver_options& o, request_source& source, recorder& rec);

}  // namespace minitwit::loadgen
