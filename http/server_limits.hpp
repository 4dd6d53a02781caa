// Limits that every listener enforces on every connection.
#pragma once

#include <chrono>
#include <cstddef>

namespace minitwit::http {

struct server_limits {
  std::size_t header_bytes = std::size_t{8} * 1024;  // larger request heads get 431
  std::size_t body_bytes = std::size_t{64} * 1024;   // larger bodies get 413
  std::chrono::milliseconds read_timeout{10'000};    // a whole request, or keep-alive idle
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t max_connections = 10'000;              // beyond: 503 and close
  std::chrono::milliseconds shutdown_grace{10'000};  // in-flight requests on SIGTERM
};

}  // namespace minitwit::http
