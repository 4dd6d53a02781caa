#include "http/observed_handler.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <atomic>
#include <chrono>

#include "observability/json_log.hpp"

namespace minitwit::http {

namespace {

// Unique within this process, unpredictable across restarts: a random base drawn once
// plus a counter (no system call per request).
std::string request_id() {
  static const std::uint64_t base = [] {
    std::uint64_t b;
    randombytes_buf(&b, sizeof b);
    return b;
  }();
  static std::atomic<std::uint64_t> counter{0};
  return fmt::format("{:016x}", base + counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

void observed_handler::handle(request req, responder done) {
  auto started = std::chrono::steady_clock::now();
  auto id = std::string(req.header("x-request-id"));
  if (id.empty() || id.size() > 64) id = request_id();
  routes_.match(req);
  // The table outlives every request: its template can travel as a view.
  std::string_view route = req.match.route;
  auto wrapped = [this, started, id, route, method = req.method, client = req.client,
                  done = std::move(done)](response r) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe_request(listener_, route, method, r.status, seconds);
    observability::log_request(r.status >= 500 ? spdlog::level::warn : spdlog::level::info,
                               {id, listener_, method, route, client, r.status,
                                static_cast<std::int64_t>(seconds * 1e6), r.body.size()});
    r.headers.emplace_back("X-Request-Id", id);
    done(std::move(r));
  };
  inner_.handle(std::move(req), std::move(wrapped));
}

}  // namespace minitwit::http
