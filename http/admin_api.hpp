// The admin listener: health for load balancers and monitors, and the operations an
// operator runs against a live server (RocksDB lets one process open a database, so
// snapshots, backups, stats and moderation of a running server go through here).
//
//   GET  /health/live      the process answers
//   GET  /health/ready     database open, read models caught up, writer running, not
//                          draining (cluster mode: caught up with the shared log as it
//                          was when the node started, and applying it since)
//   GET  /metrics          Prometheus text format
//   GET  /admin/stats      counts, sequence numbers, disk usage
//   POST /admin/snapshot   {"to": DIR}  -> {"path", "last_seq"}
//   POST /admin/backup     {"to": DIR}  -> {"backup_id", "last_seq", "bytes", "files"}
//   POST /admin/flag       {"message_id": N, "flagged": true|false}  -> 204 | 404
//
// /admin/* and /metrics need "Authorization: Bearer TOKEN" when a token is configured
// (required when the listener is not on loopback). The listener opens before the
// read models have caught up: until attach_writer(), ready is false. Snapshots and backups run one
// at a time on their own thread, never on an I/O thread.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>

#include "app/worker_pool.hpp"
#include "app/writer.hpp"
#include "core/result.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "observability/metrics.hpp"
#include "projections/read_model.hpp"
#include "projections/stats.hpp"
#include "storage/database.hpp"
#include "storage/event_log.hpp"

namespace minitwit::http {

class admin_api final : public handler {
 public:
  // db, log, reads and metrics must outlive this.
  admin_api(storage::database& db, const storage::event_log& log,
            const projections::read_model& reads, observability::server_metrics& metrics,
            std::optional<std::string> token);
  ~admin_api() override;

  void handle(request req, responder done) override;
  // The listener's route table (for its observed_handler).
  const route_table& routes() const { return routes_.table(); }

  // The server is ready once the writer runs (read models caught up).
  void attach_writer(app::writer& w) { writer_ = &w; }

  // From now on ready is false (the node is shutting down: balancers move away).
  void set_draining() { draining_ = true; }

  // Finishes queued snapshot and backup jobs; called before the writer stops.
  void stop() { jobs_.stop(); }

 private:
  struct exchange {
    request req;
    responder done;
  };
  static router<admin_api, exchange> declare_routes();

  void live(exchange& x);
  void ready(exchange& x);
  void metrics(exchange& x);
  void stats(exchange& x);
  void snapshot(exchange& x);
  void backup(exchange& x);
  void flag(exchange& x);
  bool has_token(const request& req) const;
  // Runs a snapshot or backup on the jobs thread and answers with what copy returns.
  void run_copy(exchange& x, const char* what,
                std::function<result<boost::json::object>(const std::string&)> copy);

  storage::database& db_;
  const storage::event_log& log_;
  const projections::read_model& reads_;
  observability::server_metrics& metrics_;
  std::atomic<app::writer*> writer_{nullptr};
  std::atomic<bool> draining_{false};
  std::optional<std::string> token_;
  app::worker_pool jobs_;
  router<admin_api, exchange> routes_;
};

boost::json::object to_json(const projections::database_stats& s);

}  // namespace minitwit::http
