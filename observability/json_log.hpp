// Logs as JSON lines (spdlog with a JSON formatter): every line is one object with
// "time" (UTC, ISO 8601), "level" and either the fields a caller logged with
// log_fields() or a "msg" string for plain spdlog calls. Stdout by default (the
// container way), or a size-capped rotating file that can never fill a disk.
#pragma once

#include <spdlog/common.h>

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minitwit::observability {

struct log_config {
  std::string level = "info";
  std::optional<std::string> file;         // rotating file instead of stdout
  std::size_t max_file_bytes = 10u << 20;  // per file
  std::size_t max_files = 5;               // rotated files kept besides the current one
};

// Installs the default logger; throws spdlog::spdlog_ex when the file cannot be opened.
void configure_logging(const log_config& c);

// One JSON line with "event": event and the given fields. Per-request lines are
// written out at least once a second; every other event at once.
void log_fields(spdlog::level::level_enum level, std::string_view event,
                boost::json::object fields);

// The per-request line, formatted without building a JSON object (it is on the hot path).
struct request_log {
  std::string_view request_id, listener, method, route, client;
  unsigned status = 0;
  std::int64_t duration_us = 0;
  std::size_t bytes = 0;
};
void log_request(spdlog::level::level_enum level, const request_log& r);

// Writes out everything logged so far (after lifecycle lines logged without log_fields).
void flush_logs();

}  // namespace minitwit::observability
