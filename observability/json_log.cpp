#include "observability/json_log.hpp"

#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <cstdio>
#include <mutex>

#include "observability/json_text.hpp"

namespace minitwit::observability {

namespace {

// {"time":"...","level":"info", <fields of a JSON payload> | "msg":"<text>"}
class json_formatter final : public spdlog::formatter {
 public:
  // "2026-11-23T12:00:00.123Z"; the part up to the seconds is formatted once a second.
  std::string_view timestamp(spdlog::log_clock::time_point time) {
    auto t = spdlog::log_clock::to_time_t(time);
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() %
        1000;
    if (t != cached_second_) {
      std::tm tm{};
      ::gmtime_r(&t, &tm);
      std::snprintf(stamp_, sizeof stamp_, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      cached_second_ = t;
    }
    std::snprintf(stamp_ + 20, sizeof stamp_ - 20, "%03dZ", static_cast<int>(ms));
    return stamp_;
  }

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto level = spdlog::level::to_string_view(msg.level);
    auto append = [&](std::string_view s) { dest.append(s.data(), s.data() + s.size()); };
    append("{\"time\":\"");
    append(timestamp(msg.time));
    append("\",\"level\":\"");
    append(std::string_view(level.data(), level.size()));
    append("\",");
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (payload.size() >= 2 && payload.front() == '{' && payload.back() == '}') {
      append(payload.substr(1));  // a log_fields() object: merge its fields
    } else {
      append("\"msg\":");
      append(boost::json::serialize(boost::json::string(payload)));
      append("}");
    }
    append("\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }

 private:
  std::time_t cached_second_ = -1;
  char stamp_[40] = {};
};

constexpr std::string_view request_prefix = "{\"event\":\"request\"";

// Standard output through stdio's buffer: per-request lines are written out with the
// periodic flush (every second), not a write(2) each as spdlog's stdout sink does;
// every other line at once.
class buffered_stdout_sink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
    if (!std::string_view(msg.payload.data(), msg.payload.size()).starts_with(request_prefix))
      std::fflush(stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

}  // namespace

void configure_logging(const log_config& c) {
  spdlog::sink_ptr sink;
  if (c.file)
    sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(*c.file, c.max_file_bytes,
                                                                  c.max_files);
  else
    sink = std::make_shared<buffered_stdout_sink>();
  auto logger = std::make_shared<spdlog::logger>("minitwit", sink);
  logger->set_formatter(std::make_unique<json_formatter>());
  logger->set_level(spdlog::level::from_str(c.level));
  // Not a write per request line on the I/O threads: warnings and errors at once,
  // the rest at least every second (and lifecycle events through log_fields at once).
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void log_fields(spdlog::level::level_enum level, std::string_view event,
                boost::json::object fields) {
  if (!spdlog::default_logger_raw()->should_log(level)) return;
  boost::json::object o;
  o.reserve(fields.size() + 1);
  o.emplace("event", event);
  for (auto& kv : fields) o.emplace(kv.key(), std::move(kv.value()));
  spdlog::log(level, "{}", boost::json::serialize(o));
  flush_logs();  // lifecycle events are written out at once (requests use log_request)
}

void log_request(spdlog::level::level_enum level, const request_log& r) {
  if (!spdlog::default_logger_raw()->should_log(level)) return;
  std::string line;
  line.reserve(256);
  auto field = [&](std::string_view key, std::string_view value) {
    line.append(",\"").append(key).append("\":");
    append_json_string(line, value);
  };
  line += request_prefix;  // the sink recognises request lines by it
  field("request_id", r.request_id);
  field("listener", r.listener);
  field("method", r.method);
  field("route", r.route);
  line += fmt::format(",\"status\":{},\"duration_us\":{},\"bytes\":{}", r.status, r.duration_us,
                      r.bytes);
  field("client", r.client);
  line += '}';
  spdlog::log(level, "{}", line);
}

void flush_logs() { spdlog::default_logger_raw()->flush(); }

}  // namespace minitwit::observability
