// minitwit-server: opens the database, answers health checks at once, brings the read
// models up to the log, starts the writer, then serves the simulator API, the web UI
// and the admin endpoints until SIGTERM.
#include <thread>

#include <boost/json/value_from.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "http/access_guard.hpp"
#include "http/admin_api.hpp"
#include "observability/json_log.hpp"
#include "http/observed_handler.hpp"
#include "app/passwords.hpp"
#include "http/server.hpp"
#include "http/simulator_api.hpp"
#include "http/web_ui.hpp"
#include "projections/catch_up.hpp"
#include "projections/inline_projector.hpp"
#include "server/backup_scheduler.hpp"
#include "server/server_config.hpp"

using namespace minitwit;

namespace {

int fail(const std::string& what) {
  observability::log_fields(spdlog::level::critical, "startup_failed", {{"error", what}});
  return 1;
}

unsigned or_cores(unsigned n) { return n ? n : std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace

int main(int argc, char** argv) {
  auto parsed = server::parse_server_config(argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) return *code;
  auto cfg = std::get<server::server_config>(parsed);
  try {
    observability::configure_logging({cfg.log_level, cfg.log_file.empty() ? std::nullopt : std::optional(cfg.log_file),
                             cfg.log_max_bytes, cfg.log_files});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minitwit-server: cannot open the log: %s\n", e.what());
    return 1;
  }
  spdlog::info("{}", R"({"event":"config","config":)" + server::describe(cfg) + "}");
  if (!app::init_crypto()) return fail("libsodium failed to initialise");
  if (!cfg.admin_token && !server::is_loopback(cfg.admin_listen))
    return fail("--admin-listen " + cfg.admin_listen + " is not a loopback address: set MINITWIT_ADMIN_TOKEN");
  std::optional<server::backup_schedule> schedule;
  if (!cfg.backup_dir.empty()) {
    auto every = server::parse_interval(cfg.backup_every);
    if (!every) return fail("--backup-every '" + cfg.backup_every + "' is not an interval like 90s, 15m, 3h or 1d");
    schedule = server::backup_schedule{cfg.backup_dir, *every, cfg.backup_keep};
  }

  auto db = storage::database::open(cfg.data_dir);
  if (!db) return fail(db.error());
  auto key = http::load_session_key(cfg.secret_key, cfg.data_dir);
  if (!key) return fail(key.error());
  observability::server_metrics metrics;
  metrics.attach_database(**db);
  projections::read_model reads(**db);

  http::server_limits limits;
  limits.body_bytes = cfg.max_body;
  limits.max_connections = cfg.max_connections;
  limits.read_timeout = std::chrono::milliseconds(cfg.read_timeout_ms);
  http::server server(or_cores(cfg.io_threads), limits);

  // Health first: monitors see "not ready" rather than nothing while read models catch up.
  http::admin_api admin(**db, reads, metrics, cfg.admin_token);
  http::observed_handler admin_observed("admin", admin, http::admin_route, metrics);
  auto admin_at = server.listen(cfg.admin_listen, admin_observed);
  if (!admin_at) return fail(admin_at.error());
  observability::log_fields(spdlog::level::info, "admin_listening", {{"admin", *admin_at}});
  server.start();
  auto stop_early = [&](const std::string& why) {
    server.stop();
    server.wait();
    return fail(why);
  };

  auto caught_up = projections::catch_up(**db);
  if (!caught_up) return stop_early("cannot bring the read models up to date: " + caught_up.error());
  observability::log_fields(spdlog::level::info, "read_models_ready",
                   {{"last_seq", caught_up->to_seq}, {"applied", caught_up->events},
                    {"full_rebuild", caught_up->full_rebuild}, {"ms", static_cast<std::int64_t>(caught_up->seconds * 1000)}});
  auto projector = projections::inline_projector::open(**db);
  if (!projector) return stop_early(projector.error());
  projections::public_head public_head;
  if (auto r = public_head.load(reads); !r) return stop_early("cannot read the public timeline: " + r.error());
  (*projector)->attach(public_head);
  reads.attach(public_head);
  app::writer_options wopts;
  wopts.queue_capacity = cfg.writer_queue;
  wopts.min_free_disk_bytes = cfg.min_free_disk_mb << 20;
  wopts.on_batch = [&metrics](std::size_t c, std::size_t e, double s, bool ok) { metrics.observe_batch(c, e, s, ok); };
  wopts.on_error = [](const std::string& e) { observability::log_fields(spdlog::level::err, "write_failed", {{"error", e}}); };
  auto writer = app::writer::start(**db, **projector, wopts);
  if (!writer) return stop_early(writer.error());
  metrics.attach_writer(**writer, **projector);

  app::worker_pool hashers(or_cores(cfg.hash_threads), 1024, cfg.hash_nice);
  http::simulator_api api(reads, **writer, hashers, {cfg.sim_username, cfg.sim_password, 100, cfg.max_no});
  http::web_ui web(reads, **writer, hashers, http::session_codec(*key, std::chrono::days(30)));
  auto guarded = http::access_guard::create(api, {cfg.api_allow, cfg.api_rate_limit, cfg.api_rate_burst});
  if (!guarded) return (*writer)->stop(), stop_early(guarded.error());
  if (!cfg.api_allow.empty())
    observability::log_fields(spdlog::level::warn, "api_allow_list",
                     {{"allowed", boost::json::value_from(cfg.api_allow)},
                      {"note", "every other address gets 403 from the simulator API"}});
  http::with_metrics_route api_with_metrics(**guarded, metrics);
  http::observed_handler api_observed(
      "api", cfg.metrics_on_api ? static_cast<http::handler&>(api_with_metrics) : static_cast<http::handler&>(**guarded),
      http::api_route, metrics);
  http::observed_handler web_observed("web", web, http::web_route, metrics);
  auto api_at = server.listen(cfg.api_listen, api_observed);
  if (!api_at) return (*writer)->stop(), stop_early(api_at.error());
  auto web_at = server.listen(cfg.web_listen, web_observed);
  if (!web_at) return (*writer)->stop(), stop_early(web_at.error());
  admin.attach_writer(**writer);
  std::optional<server::backup_scheduler> backups;
  if (schedule) backups.emplace(**db, metrics, *schedule);
  auto ready_line = fmt::format("listening api={} web={} admin={} data-dir={}", *api_at, *web_at, *admin_at, cfg.data_dir);
  spdlog::info("{}", ready_line);
  observability::flush_logs();
  // Logging to a file or above info: supervisors and scripts still see the ready line.
  if (!cfg.log_file.empty() || !spdlog::should_log(spdlog::level::info))
    std::fprintf(stdout, "%s\n", ready_line.c_str()), std::fflush(stdout);

  server.wait();
  // No connection is left: finish what the pools, the scheduler and the writer hold.
  if (backups) backups->stop();
  hashers.stop();
  admin.stop();
  (*writer)->stop();
  auto s = (*db)->close();
  if (!s.ok()) return fail("closing the database failed: " + s.ToString());
  observability::log_fields(spdlog::level::info, "stopped", {{"clean", true}});
  spdlog::info("stopped cleanly");
  observability::flush_logs();
  return 0;
}
