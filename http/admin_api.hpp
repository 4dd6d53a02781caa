// The admin listener: health for load balancers and monitors, and the operations an
// operator runs against a live server (RocksDB lets one process open a database, so
// snapshots, backups, stats and moderation of a running server go through here).
//
//   GET  /health/live      the process answers
//   GET  /health/ready     database open, read models caught up, writer running
//   GET  /metrics          Prometheus text format
//   GET  /admin/stats      counts, sequence numbers, disk usage
//   POST /admin/snapshot   {"to": DIR}  -> {"path", "last_seq"}
//   POST /admin/backup     {"to": DIR}  -> {"backup_id", "last_seq", "bytes", "files"}
//   POST /admin/flag       {"message_id": N, "flagged": true|false}  -> 204 | 404
//
// /admin/* and /metrics need "Authorization: Bearer TOKEN" when a token is configured
// (required when the listener is not on loopback). The listener opens before the
// read models have caught up: until attach_writer(), ready is false. Snapshots and backups run one at a time on
// their own thread, never on an I/O thread.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "http/message.hpp"
#include "observability/metrics.hpp"
#include "app/worker_pool.hpp"
#include "projections/read_model.hpp"
#include "projections/stats.hpp"
#include "storage/database.hpp"
#include "storage/event_log.hpp"
#include "app/writer.hpp"

namespace minitwit::http {

class admin_api final : public handler {
 public:
  admin_api(storage::database& db, const projections::read_model& reads, observability::server_metrics& metrics,
            std::optional<std::string> token);
  ~admin_api() override;

  void handle(request req, responder done) override;

  // The server is ready once the writer runs (read models caught up).
  void attach_writer(app::writer& w) { writer_ = &w; }

  // Finishes queued snapshot and backup jobs; called before the writer stops.
  void stop() { jobs_.stop(); }

 private:
  response ready() const;
  void snapshot(const request& req, responder done);
  void backup(const request& req, responder done);
  void flag(const request& req, responder done);
  // Runs a snapshot or backup on the jobs thread and answers with what copy returns.
  void run_copy(const request& req, responder done, const char* what,
                std::function<expected<boost::json::object, std::string>(const std::string&)> copy);

  storage::database& db_;
  const projections::read_model& reads_;
  observability::server_metrics& metrics_;
  std::atomic<app::writer*> writer_{nullptr};
  storage::event_log log_;
  std::optional<std::string> token_;
  app::worker_pool jobs_;
};

boost::json::object to_json(const projections::database_stats& s);

}  // namespace minitwit::http
