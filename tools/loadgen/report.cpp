#include "tools/loadgen/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

namespace minitwit::loadgen {
namespace {

percentiles compute(std::vector<float> v) {
  percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    auto rank = static_cast<std::size_t>(q * static_cast<double>(v.size()));
    return static_cast<double>(v[std::min(rank, v.size() - 1)]);
  };
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  p.max = v.back();
  return p;
}

boost::json::object summary_json(const label_summary& s) {
  return {{"label", s.label},
          {"requests", s.requests},
          {"throughput_rps", s.throughput},
          {"errors",
           {{"unexpected_status", s.unexpected_status},
            {"slower_than_timeout", s.slow},
            {"connection", s.connection_errors}}},
          {"latency_ms",
           {{"p50", s.latency.p50},
            {"p90", s.latency.p90},
            {"p99", s.latency.p99},
            {"p99_9", s.latency.p999},
            {"max", s.latency.max}}}};
}

std::string table_row(const label_summary& s) {
  return fmt::format(
      "{:<16} {:>9} {:>10.0f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>7} {:>6} {:>6}\n",
      s.label, s.requests, s.throughput, s.latency.p50, s.latency.p90, s.latency.p99,
      s.latency.p999, s.latency.max, s.unexpected_status, s.slow, s.connection_errors);
}

}  // namespace

void recorder::record(const std::string& label, double latency_ms, outcome o) {
  auto& s = series_[label];
  s.latency_ms.push_back(static_cast<float>(latency_ms));
  s.unexpected_status += o == outcome::unexpected_status;
  s.slow += o == outcome::slow;
  s.connection_errors += o == outcome::connection_error;
}

void recorder::note_error(std::string text) {
  if (first_errors_.size() < 10) first_errors_.push_back(std::move(text));
}

void recorder::merge(recorder&& other) {
  for (auto& [label, s] : other.series_) {
    auto& mine = series_[label];
    mine.latency_ms.insert(mine.latency_ms.end(), s.latency_ms.begin(), s.latency_ms.end());
    mine.unexpected_status += s.unexpected_status;
    mine.slow += s.slow;
    mine.connection_errors += s.connection_errors;
  }
  for (auto& e : other.first_errors_) note_error(std::move(e));
}

std::uint64_t recorder::count() const {
  std::uint64_t n = 0;
  for (const auto& [label, s] : series_) n += s.latency_ms.size();
  return n;
}

run_report recorder::summarize(double seconds) const {
  run_report r;
  r.seconds = seconds;
  r.total.label = "total";
  std::vector<float> all;
  for (const auto& [label, s] : series_) {
    label_summary l{label, s.latency_ms.size(), s.unexpected_status, s.slow, s.connection_errors};
    l.throughput = seconds > 0 ? static_cast<double>(l.requests) / seconds : 0;
    l.latency = compute(s.latency_ms);
    r.by_label.push_back(l);
    all.insert(all.end(), s.latency_ms.begin(), s.latency_ms.end());
    r.total.requests += l.requests;
    r.total.unexpected_status += l.unexpected_status;
    r.total.slow += l.slow;
    r.total.connection_errors += l.connection_errors;
  }
  r.total.throughput = seconds > 0 ? static_cast<double>(r.total.requests) / seconds : 0;
  r.total.latency = compute(std::move(all));
  r.first_errors = first_errors_;
  return r;
}

boost::json::value to_json(const run_report& r) {
  boost::json::array labels;
  for (const auto& l : r.by_label) labels.push_back(summary_json(l));
  boost::json::array examples;
  for (const auto& e : r.first_errors) examples.push_back(boost::json::string(e));
  return {{"workload", r.workload},
          {"target", r.target},
          {"mode", r.mode},
          {"connections", r.connections},
          {"offered_rate_rps", r.offered_rate},
          {"seconds", r.seconds},
          {"total", summary_json(r.total)},
          {"by_label", std::move(labels)},
          {"error_examples", std::move(examples)}};
}

std::string format_table(const run_report& r) {
  auto out = fmt::format(
      "{} against {} ({} loop, {} connections{}), {:.1f} s\n", r.workload, r.target, r.mode,
      r.connections,
      r.offered_rate > 0 ? fmt::format(", {:.0f} req/s offered", r.offered_rate) : "", r.seconds);
  out += fmt::format("{:<16} {:>9} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>6} {:>6}\n",
                     "label", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms",
                     "max ms", "status", "slow", "conn");
  for (const auto& l : r.by_label) out += table_row(l);
  if (r.by_label.size() > 1) out += table_row(r.total);
  for (const auto& e : r.first_errors) out += "  error: " + e + "\n";
  return out;
}

}  // namespace minitwit::loadgen
