#include "http/observed_handler.hpp"

#include <atomic>
#include <chrono>
#include <memory>

#include <fmt/format.h>
#include <sodium.h>

#include "observability/json_log.hpp"
#include "http/target.hpp"

namespace minitwit::http {

namespace {

std::vector<std::string> segments_of(std::string_view path) {
  auto s = path_segments(path.substr(0, path.find('?')));
  return s ? *s : std::vector<std::string>{};
}

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

std::string api_route(std::string_view path) {
  auto s = segments_of(path);
  if (s.size() == 1 && (s[0] == "latest" || s[0] == "register" || s[0] == "msgs" || s[0] == "metrics"))
    return "/" + s[0];
  if (s.size() == 2 && (s[0] == "msgs" || s[0] == "fllws")) return "/" + s[0] + "/:user";
  return "other";
}

std::string web_route(std::string_view path) {
  auto s = segments_of(path);
  if (s.size() == 1) {
    for (const char* fixed : {"", "public", "login", "register", "logout", "add_message"})
      if (s[0] == fixed) return "/" + s[0];
    return "/:user";
  }
  if (s.size() == 2 && s[0] == "static") return "/static";
  if (s.size() == 2 && (s[1] == "follow" || s[1] == "unfollow")) return "/:user/" + s[1];
  return "other";
}

std::string admin_route(std::string_view path) {
  auto p = path.substr(0, path.find('?'));
  for (const char* known : {"/health/live", "/health/ready", "/metrics", "/admin/stats", "/admin/snapshot",
                            "/admin/backup", "/admin/flag"})
    if (p == known) return std::string(p);
  return "other";
}

void with_metrics_route::handle(request req, responder done) {
  if (req.method == "GET" && req.target.substr(0, req.target.find('?')) == "/metrics")
    return done(response{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.scrape(), {}});
  inner_.handle(std::move(req), std::move(done));
}

void observed_handler::handle(request req, responder done) {
  auto started = std::chrono::steady_clock::now();
  auto id = std::string(req.header("x-request-id"));
  if (id.empty() || id.size() > 64) id = request_id();
  auto route = classify_(req.target);
  auto wrapped = [this, started, id, route, method = req.method, client = req.client,
                  done = std::move(done)](response r) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe_request(listener_, route, method, r.status, seconds);
    observability::log_request(r.status >= 500 ? spdlog::level::warn : spdlog::level::info,
                {id, listener_, method, route, client, r.status, static_cast<std::int64_t>(seconds * 1e6),
                 r.body.size()});
    r.headers.emplace_back("X-Request-Id", id);
    done(std::move(r));
  };
  inner_.handle(std::move(req), std::move(wrapped));
}

}  // namespace minitwit::http
