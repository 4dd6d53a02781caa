#include "server/service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json/value_from.hpp>
#include <random>
#include <thread>

#include "app/passwords.hpp"
#include "app/worker_pool.hpp"
#include "http/access_guard.hpp"
#include "http/admin_api.hpp"
#include "http/observed_handler.hpp"
#include "http/server.hpp"
#include "http/simulator_api.hpp"
#include "http/web_ui.hpp"
#include "observability/json_log.hpp"
#include "observability/metrics.hpp"
#include "server/backup_scheduler.hpp"
#include "server/store.hpp"

namespace minitwit::server {

namespace {

using observability::log_fields;

int fail(const std::string& what) {
  log_fields(spdlog::level::critical, "startup_failed", {{"error", what}});
  return 1;
}

unsigned or_cores(unsigned n) { return n ? n : std::max(1u, std::thread::hardware_concurrency()); }

http::server_limits limits_of(const server_config& cfg) {
  http::server_limits limits;
  limits.body_bytes = cfg.max_body;
  limits.max_connections = cfg.max_connections;
  limits.read_timeout = std::chrono::milliseconds(cfg.read_timeout_ms);
  return limits;
}

// Unique per process: the node's name and 64 random bits.
std::string publish_id_prefix(const server_config& cfg) {
  std::random_device random;
  std::uint64_t nonce = (std::uint64_t{random()} << 32) | random();
  return fmt::format("{}-{:016x}-", node_name(cfg), nonce);
}

store_options store_options_of(const server_config& cfg, observability::server_metrics& metrics) {
  store_options o;
  o.writer.publish_id_prefix = publish_id_prefix(cfg);
  o.writer.apply_timeout = std::chrono::milliseconds(std::max(5u * cfg.nats_timeout_ms, 5000u));
  o.writer.queue_capacity = cfg.writer_queue;
  o.writer.min_free_disk_bytes = cfg.min_free_disk_mb << 20;
  o.writer.on_batch = [&metrics](std::size_t c, std::size_t e, double s, bool ok) {
    metrics.observe_batch(c, e, s, ok);
  };
  o.writer.on_publish = [&metrics](double s) { metrics.observe_publish(s); };
  o.writer.on_error = [](const std::string& e) {
    log_fields(spdlog::level::err, "write_failed", {{"error", e}});
  };
  return o;
}

void log_ready(const server_config& cfg, const std::string& api, const std::string& web,
               const std::string& admin) {
  auto line =
      fmt::format("listening api={} web={} admin={} data-dir={}", api, web, admin, cfg.data_dir);
  spdlog::info("{}", line);
  observability::flush_logs();
  // Logging to a file or above info: supervisors and scripts still see the ready line.
  if (!cfg.log_file.empty() || !spdlog::should_log(spdlog::level::info))
    std::fprintf(stdout, "%s\n", line.c_str()), std::fflush(stdout);
}

// Everything that serves once the store is open, in the order it starts.
struct running {
  const server_config& cfg;
  observability::server_metrics metrics;
  std::unique_ptr<store> data;
  http::server http;
  std::unique_ptr<http::admin_api> admin;
  std::unique_ptr<http::observed_handler> admin_observed;
  std::string admin_at;

  explicit running(const server_config& c) : cfg(c), http(or_cores(c.io_threads), limits_of(c)) {}

  // Health first: monitors see "not ready" rather than nothing while read models catch up.
  result<void> serve_health() {
    metrics.attach_database(data->database(), data->log());
    admin = std::make_unique<http::admin_api>(data->database(), data->log(), data->reads(), metrics,
                                              cfg.admin_token);
    admin_observed =
        std::make_unique<http::observed_handler>("admin", *admin, admin->routes(), metrics);
    auto at = http.listen(cfg.admin_listen, *admin_observed);
    if (!at) return make_error(at.error());
    admin_at = *at;
    log_fields(spdlog::level::info, "admin_listening", {{"admin", admin_at}});
    http.start();
    return {};
  }

  result<void> bring_up() {
    auto caught_up = data->start();
    if (!caught_up) return make_error(caught_up.error());
    if (const auto& copy = data->shared_copy(); copy.events > 0)
      log_fields(spdlog::level::info, "shared_log_copied",
                 {{"records", copy.records},
                  {"events", copy.events},
                  {"ms", static_cast<std::int64_t>(copy.seconds * 1000)}});
    log_fields(spdlog::level::info, "read_models_ready",
               {{"last_seq", caught_up->to_seq},
                {"applied", caught_up->events},
                {"full_rebuild", caught_up->full_rebuild},
                {"bulk", caught_up->bulk},
                {"ms", static_cast<std::int64_t>(caught_up->seconds * 1000)}});
    metrics.attach_writer(data->writer(), data->projector());
    return {};
  }
};

}  // namespace

int run(const server_config& cfg) {
  if (!app::init_crypto()) return fail("libsodium failed to initialise");
  if (!cfg.admin_token && !is_loopback(cfg.admin_listen))
    return fail("--admin-listen " + cfg.admin_listen +
                " is not a loopback address: set MINITWIT_ADMIN_TOKEN");
  std::optional<backup_schedule> schedule;
  if (!cfg.backup_dir.empty()) {
    auto every = parse_interval(cfg.backup_every);
    if (!every)
      return fail("--backup-every '" + cfg.backup_every +
                  "' is not an interval like 90s, 15m, 3h or 1d");
    schedule = backup_schedule{cfg.backup_dir, *every, cfg.backup_keep};
  }

  running r(cfg);
  auto options = store_options_of(cfg, r.metrics);
  auto cluster = nats_settings_of(cfg);
  if (!cluster) return fail(cluster.error().message);
  options.cluster = std::move(*cluster);
  options.bulk_copy_min_records = cfg.bulk_copy_records;
  if (options.cluster)
    log_fields(spdlog::level::info, "cluster_mode",
               {{"event_log", cfg.event_log},
                {"stream", cfg.nats_stream},
                {"replicas", cfg.nats_replicas},
                {"node", node_name(cfg)}});
  auto opened = store::open(cfg.data_dir, std::move(options));
  if (!opened) return fail(opened.error().message);
  r.data = std::move(*opened);
  auto key = http::load_session_key(cfg.secret_key, cfg.data_dir);
  if (!key) return fail(key.error().message);
  if (auto h = r.serve_health(); !h) return fail(h.error().message);
  auto stop_early = [&](const std::string& why) {
    r.http.stop();
    r.http.wait();
    (void)r.data->close();
    return fail(why);
  };
  if (auto up = r.bring_up(); !up) return stop_early(up.error().message);

  app::worker_pool hashers(or_cores(cfg.hash_threads), 1024, cfg.hash_nice);
  http::simulator_api api(r.data->reads(), r.data->writer(), hashers,
                          {cfg.sim_username, cfg.sim_password, 100, cfg.max_no,
                           cfg.metrics_on_api ? &r.metrics : nullptr});
  http::web_ui web(r.data->reads(), r.data->writer(), hashers,
                   http::session_codec(*key, std::chrono::days(30)));
  auto guarded =
      http::access_guard::create(api, {cfg.api_allow, cfg.api_rate_limit, cfg.api_rate_burst});
  if (!guarded) return stop_early(guarded.error().message);
  if (!cfg.api_allow.empty())
    log_fields(spdlog::level::warn, "api_allow_list",
               {{"allowed", boost::json::value_from(cfg.api_allow)},
                {"note", "every other address gets 403 from the simulator API"}});
  http::observed_handler api_observed("api", **guarded, api.routes(), r.metrics);
  http::observed_handler web_observed("web", web, web.routes(), r.metrics);
  auto api_at = r.http.listen(cfg.api_listen, api_observed);
  if (!api_at) return stop_early(api_at.error().message);
  auto web_at = r.http.listen(cfg.web_listen, web_observed);
  if (!web_at) return stop_early(web_at.error().message);
  r.admin->attach_writer(r.data->writer());
  std::optional<backup_scheduler> backups;
  if (schedule) backups.emplace(r.data->database(), r.metrics, *schedule);
  log_ready(cfg, *api_at, *web_at, r.admin_at);

  r.http.wait_for_stop();
  if (auto grace = cfg.drain_grace(); grace.count() > 0) {
    // Not ready from now on, still serving: the balancer's health checks move the
    // traffic away before the listeners close.
    r.admin->set_draining();
    log_fields(spdlog::level::info, "draining",
               {{"grace_ms", static_cast<std::int64_t>(grace.count())}});
    std::this_thread::sleep_for(grace);
  }
  r.http.drain();
  // No connection is left: finish what the pools, the scheduler and the writer hold.
  if (backups) backups->stop();
  hashers.stop();
  r.admin->stop();
  if (auto closed = r.data->close(); !closed) return fail(closed.error().message);
  log_fields(spdlog::level::info, "stopped", {{"clean", true}});
  spdlog::info("stopped cleanly");
  observability::flush_logs();
  return 0;
}

}  // namespace minitwit::server
