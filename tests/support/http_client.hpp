// A small blocking HTTP/1.1 client for tests (Beast), plus a raw-bytes helper for
// requests that no well-behaved client would send, and the in-process way: a handler
// called with a request struct, no socket.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace minitwit::test {

struct http_result {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& lower_name) const;
};

inline const std::string sim_auth = "Basic c2ltdWxhdG9yOnN1cGVyX3NhZmUh";

// One request on a new connection (as the simulator does). Throws on a connection error.
http_result request(const std::string& host_port, const std::string& method,
                    const std::string& target, const std::string& body = {},
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

// The simulator's way: Authorization header and a JSON body.
http_result sim(const std::string& host_port, const std::string& method, const std::string& target,
                const std::string& body = {});

// Hands req to h and waits for its answer, from whichever thread gives it (the writer,
// a worker pool). Throws std::runtime_error when none comes within the timeout.
http::response call_handler(http::handler& h, http::request req,
                            std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A kept-alive connection for several requests.
class connection {
 public:
  explicit connection(const std::string& host_port);
  ~connection();
  http_result send(const std::string& method, const std::string& target,
                   const std::string& body = {},
                   const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Sends raw bytes and reads what comes back until the server closes or the
  // timeout passes.
  std::string raw(const std::string& bytes,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Sends raw bytes without reading anything.
  void raw_write(const std::string& bytes);
  // Reads whatever arrives next (at least one byte unless the peer closes).
  std::string raw_read_some();
  // True when the server has closed the connection (reads EOF within the timeout).
  bool closed_by_peer(std::chrono::milliseconds timeout);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace minitwit::test
