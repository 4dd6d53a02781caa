// Prometheus metrics of a running server, in the text format, built with
// prometheus-cpp's registry and serializer and served by our own listener (/metrics).
// Per-request and per-batch values are recorded as they happen; everything that is
// state (counts, checkpoint, queue depth, RocksDB sizes, process figures) is read at
// scrape time from the sources attached.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace minitwit::storage {
class database;
class event_log;
}  // namespace minitwit::storage
namespace minitwit::app {
class writer;
}
namespace minitwit::projections {
class inline_projector;
}

namespace minitwit::observability {

class server_metrics {
 public:
  server_metrics();
  ~server_metrics();

  // The database is known first; the writer and projector once read models are caught up.
  void attach_database(storage::database& db, const storage::event_log& log);
  void attach_writer(app::writer& w, projections::inline_projector& p);

  void observe_request(std::string_view listener, std::string_view route, std::string_view method,
                       unsigned status, double seconds);
  void observe_batch(std::size_t commands, std::size_t events, double fsync_seconds, bool ok);
  // Cluster mode: one batch's publish round trip to the shared log.
  void observe_publish(double seconds);
  void backup_finished(bool ok, std::int64_t unix_time);
  void set_backup_interval(double seconds);

  // Everything, in Prometheus text exposition format.
  std::string scrape();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace minitwit::observability
