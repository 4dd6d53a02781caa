#include "http/json_log.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <spdlog/formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace minitwit::http {

namespace {

// {"time":"...","level":"info", <fields of a JSON payload> | "msg":"<text>"}
class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto t = spdlog::log_clock::to_time_t(msg.time);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count() % 1000;
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char stamp[80];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string line = std::string("{\"time\":\"") + stamp + "\",\"level\":\"" +
                       std::string(spdlog::level::to_string_view(msg.level).data(),
                                   spdlog::level::to_string_view(msg.level).size()) + "\",";
    if (payload.size() >= 2 && payload.front() == '{' && payload.back() == '}')
      line.append(payload.substr(1));  // a log_fields() object: merge its fields
    else
      line += "\"msg\":" + boost::json::serialize(boost::json::string(payload)) + "}";
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_formatter>(); }
};

}  // namespace

void configure_logging(const log_config& c) {
  spdlog::sink_ptr sink;
  if (c.file) sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(*c.file, c.max_file_bytes, c.max_files);
  else sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("minitwit", sink);
  logger->set_formatter(std::make_unique<json_formatter>());
  logger->set_level(spdlog::level::from_str(c.level));
  // Not a write per request line on the I/O threads: warnings and errors at once,
  // the rest at least every second (and lifecycle events through log_fields at once).
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void log_fields(spdlog::level::level_enum level, std::string_view event, boost::json::object fields) {
  boost::json::object o;
  o.reserve(fields.size() + 1);
  o.emplace("event", event);
  for (auto& kv : fields) o.emplace(kv.key(), std::move(kv.value()));
  spdlog::log(level, "{}", boost::json::serialize(o));
  if (event != "request") flush_logs();
}

void flush_logs() { spdlog::default_logger_raw()->flush(); }

}  // namespace minitwit::http
