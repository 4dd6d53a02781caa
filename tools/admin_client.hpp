// Talks to a running minitwit-server's admin listener (blocking, one request per
// connection), sending MINITWIT_ADMIN_TOKEN as a bearer token when it is set.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace minitwit::tools {

struct admin_reply {
  unsigned status = 0;
  std::string body;
};

class admin_client {
 public:
  explicit admin_client(std::string host_port);
  // True when something accepts connections there within the timeout.
  bool reachable(std::chrono::milliseconds timeout) const;
  // Throws std::runtime_error with a readable message when the server cannot be reached.
  admin_reply get(const std::string& path) const;
  admin_reply post(const std::string& path, const std::string& json_body) const;

 private:
  admin_reply send(const std::string& method, const std::string& path,
                   const std::string& body) const;
  std::string host_port_;
  std::optional<std::string> token_;
};

}  // namespace minitwit::tools
