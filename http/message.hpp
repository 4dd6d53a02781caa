// The HTTP request and response as handlers see them: plain structs with no Beast or
// Asio in sight, so that handlers compile fast and can be unit-tested and fuzzed
// without a socket. http/session.cpp converts to and from Beast's types.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/target.hpp"

namespace minitwit::http {

class route_table;

// What a listener's route table (http/router.hpp) made of a request's target: parsed
// once and matched once, then read by every layer (metrics, logs, the handler).
struct route_match {
  enum class outcome : std::uint8_t { found, wrong_method, not_found };
  const route_table* table = nullptr;  // the table that matched; nullptr: none yet
  outcome result = outcome::not_found;
  bool restricted = false;            // the route is under the handler's own access rule
  std::uint16_t index = 0;            // the route found, in the order the handler declared them
  std::string_view route = "other";   // its template (or label), for metrics and logs
  std::string_view allow;             // the path's methods, "GET, POST" (for a 405)
  std::array<std::string, 2> params;  // the path parameters, decoded, in template order
  target_view target;
};

struct request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path plus optional "?query"; escaped to RFC 3986 once matched
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string client;  // peer address, e.g. "127.0.0.1"
  route_match match;

  // The first header with that (lower-case) name, or "" when absent.
  std::string_view header(std::string_view lower_name) const;
  // The first value of a query parameter, decoded; nullopt when absent (or not matched yet).
  std::optional<std::string> query_param(std::string_view name) const {
    if (!match.table) return std::nullopt;
    return query_value(target, match.target.query_begin, name);
  }
};

struct response {
  unsigned status = 200;
  std::string content_type;  // empty: no body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Answers a request exactly once, from any thread.
using responder = std::function<void(response)>;

class handler {
 public:
  virtual ~handler() = default;
  // Must call done exactly once (possibly later, from another thread); must not throw.
  virtual void handle(request req, responder done) = 0;
};

// {"status": N, "error_msg": "..."} with that status.
response json_error(unsigned status, std::string_view message);
// A JSON body with status 200 (or the given one).
response json_body(std::string body, unsigned status = 200);
// 204 No Content.
response no_content();

}  // namespace minitwit::http
