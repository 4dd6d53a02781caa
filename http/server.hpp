// The HTTP server: an I/O context run by a few threads, any number of listeners, and
// graceful shutdown on SIGTERM/SIGINT (stop accepting, close idle connections, finish
// in-flight requests within a grace period). No Asio in this header.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "http/message.hpp"
#include "http/server_limits.hpp"

namespace minitwit::http {

class server {
 public:
  server(unsigned io_threads, server_limits limits);
  ~server();

  // Binds host:port ("0.0.0.0:5001", "[::1]:0") for handler h, which must outlive the
  // server. Returns the bound address (with the real port when 0 was asked for); fails
  // with errc::invalid_argument (not HOST:PORT, not an IP address) or errc::io.
  result<std::string> listen(const std::string& host_port, handler& h);

  // Starts serving on the I/O threads and returns; listeners may be added later.
  void start();
  // After start(): waits for stop() or SIGTERM/SIGINT, then drains and returns.
  void wait() {
    wait_for_stop();
    drain();
  }
  // The two halves of wait(): waiting for the request to stop (everything still
  // serves meanwhile), and draining (listeners closed, connections finished).
  void wait_for_stop();
  void drain();
  // Starts a graceful stop; thread-safe.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace minitwit::http
