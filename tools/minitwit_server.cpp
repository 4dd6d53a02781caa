// minitwit-server: opens the database, brings the read models up to the log, starts
// the writer, and serves the simulator API and the admin endpoints until SIGTERM.
#include <thread>

#include <spdlog/spdlog.h>

#include "http/admin_api.hpp"
#include "http/passwords.hpp"
#include "http/server.hpp"
#include "http/simulator_api.hpp"
#include "http/web_ui.hpp"
#include "projections/catch_up.hpp"
#include "projections/inline_projector.hpp"
#include "tools/server_config.hpp"

using namespace minitwit;

namespace {

int fail(const std::string& what) {
  spdlog::critical("{}", what);
  return 1;
}

unsigned or_cores(unsigned n) { return n ? n : std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace

int main(int argc, char** argv) {
  auto parsed = tools::parse_server_config(argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) return *code;
  auto cfg = std::get<tools::server_config>(parsed);
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  if (!http::init_crypto()) return fail("libsodium failed to initialise");

  if (!cfg.admin_token && !tools::is_loopback(cfg.admin_listen))
    return fail("--admin-listen " + cfg.admin_listen + " is not a loopback address: set MINITWIT_ADMIN_TOKEN");
  auto db = storage::database::open(cfg.data_dir);
  if (!db) return fail(db.error());
  auto caught_up = projections::catch_up(**db);
  if (!caught_up) return fail("cannot bring the read models up to date: " + caught_up.error());
  spdlog::info("read models at event {} ({} events applied{}, {:.3f} s)", caught_up->to_seq,
               caught_up->events, caught_up->full_rebuild ? ", full rebuild" : "", caught_up->seconds);

  auto projector = projections::inline_projector::open(**db);
  if (!projector) return fail(projector.error());
  storage::writer_options wopts;
  wopts.queue_capacity = cfg.writer_queue;
  auto writer = storage::writer::start(**db, **projector, wopts);
  if (!writer) return fail(writer.error());

  projections::read_model reads(**db);
  http::worker_pool hashers(or_cores(cfg.hash_threads), 1024);
  http::simulator_api api(reads, **writer, hashers,
                          {cfg.sim_username, cfg.sim_password, 100, cfg.max_no});
  http::admin_api admin(**db, reads, **writer, cfg.admin_token);
  auto key = http::load_session_key(cfg.secret_key, cfg.data_dir);
  if (!key) return fail(key.error());
  http::web_ui web(reads, **writer, hashers, http::session_codec(*key, std::chrono::days(30)));

  http::server_limits limits;
  limits.body_bytes = cfg.max_body;
  limits.max_connections = cfg.max_connections;
  limits.read_timeout = std::chrono::milliseconds(cfg.read_timeout_ms);
  {
    http::server server(or_cores(cfg.io_threads), limits);
    auto api_at = server.listen(cfg.api_listen, api);
    if (!api_at) return fail(api_at.error());
    auto web_at = server.listen(cfg.web_listen, web);
    if (!web_at) return fail(web_at.error());
    auto admin_at = server.listen(cfg.admin_listen, admin);
    if (!admin_at) return fail(admin_at.error());
    spdlog::info("listening api={} web={} admin={} data-dir={}", *api_at, *web_at, *admin_at, cfg.data_dir);
    server.run();
    // No connection is left: finish what the pools and the writer still hold.
    hashers.stop();
    admin.stop();
    (*writer)->stop();
  }
  auto s = (*db)->close();
  if (!s.ok()) return fail("closing the database failed: " + s.ToString());
  spdlog::info("stopped cleanly");
  return 0;
}
