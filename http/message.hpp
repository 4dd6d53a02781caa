// The HTTP request and response as handlers see them: plain structs with no Beast or
// Asio in sight, so that handlers compile fast and can be unit-tested and fuzzed
// without a socket. http/session.cpp converts to and from Beast's types.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minitwit::http {

struct request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path plus optional "?query"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string client;  // peer address, e.g. "127.0.0.1"

  // The first header with that (lower-case) name, or "" when absent.
  std::string_view header(std::string_view lower_name) const;
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
