// What a load run measured: latencies per request label, and errors in the simulator's
// own categories (an unexpected status, an answer slower than its 0.3 s timeout, a
// connection error). Printed as a human table and as JSON.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace minitwit::loadgen {

enum class outcome { ok, unexpected_status, slow, connection_error };

struct percentiles {
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // milliseconds
};

struct label_summary {
  std::string label;
  std::uint64_t requests = 0;
  std::uint64_t unexpected_status = 0, slow = 0, connection_errors = 0;
  double throughput = 0;  // requests per second
  percentiles latency;
  std::uint64_t errors() const { return unexpected_status + slow + connection_errors; }
};

struct run_report {
  std::string workload;
  std::string target;
  std::string mode;  // "closed", "open" or "replay"
  std::size_t connections = 0;
  double offered_rate = 0;  // open loop only
  double seconds = 0;
  label_summary total;
  std::vector<label_summary> by_label;
  std::vector<std::string> first_errors;  // a few examples, for the operator
};

// Collects samples; one per thread, merged at the end.
class recorder {
 public:
  void record(const std::string& label, double latency_ms, outcome o);
  void note_error(std::string text);
  void merge(recorder&& other);
  // Summaries over `seconds` of measurement.
  run_report summarize(double seconds) const;
  std::uint64_t count() const;

 private:
  struct series {
    std::vector<float> latency_ms;
    std::uint64_t unexpected_status = 0, slow = 0, connection_errors = 0;
  };
  std::map<std::string, series> series_;
  std::vector<std::string> first_errors_;
};

boost::json::value to_json(const run_report& r);
std::string format_table(const run_report& r);

}  // namespace minitwit::loadgen
