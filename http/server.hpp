// The HTTP server: an I/O context run by a few threads, any number of listeners, and
// graceful shutdown on SIGTERM/SIGINT (stop accepting, close idle connections, finish
// in-flight requests within a grace period). No Asio in this header.
#pragma once

#include "core/expected.hpp"
#include <memory>
#include <string>

#include "http/message.hpp"
#include "http/server_limits.hpp"

namespace minitwit::http {

class server {
 public:
  server(unsigned io_threads, server_limits limits);
  ~server();

  // Binds host:port ("0.0.0.0:5001", "[::1]:0") for handler h, which must outlive the
  // server. Returns the bound address (with the real port when 0 was asked for).
  [[nodiscard]] expected<std::string, std::string> listen(const std::string& host_port, handler& h);

  // Starts serving on the I/O threads and returns; listeners may be added later.
  void start();
  // After start(): waits for stop() or SIGTERM/SIGINT, then drains and returns.
  void wait();
  // start() and wait().
  void run() { start(); wait(); }
  // Starts a graceful stop; thread-safe.
  void stop();

  std::size_t open_connections() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Splits "host:port" / "[v6]:port"; nullopt when malformed.
std::optional<std::pair<std::string, unsigned short>> split_host_port(const std::string& s);

}  // namespace minitwit::http
