// The composition root of a data directory: the one object that opens the database and
// wires what serves it — the event log, the read models caught up with the log, the
// inline projector, the in-memory public head and the writer. The server, the admin
// tool, the load generator's seeding, the benchmarks, the tests and the fuzzers all
// open a store; nothing else wires these by hand.
//
// Two steps, so that a server can answer health checks while the read models catch up:
// open() (the database and the log; reads work, nothing writes), then start().
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "app/shared_copy.hpp"
#include "app/writer.hpp"
#include "cluster/jetstream_log.hpp"
#include "core/result.hpp"
#include "projections/catch_up.hpp"
#include "projections/inline_projector.hpp"
#include "projections/public_head.hpp"
#include "projections/read_model.hpp"
#include "storage/database.hpp"
#include "storage/event_log.hpp"
#include "storage/local_event_log.hpp"

namespace minitwit::server {

struct store_options {
  storage::database_options database;
  app::writer_options writer;
  projections::catch_up_options catch_up;
  // Cluster mode: the JetStream log this node shares with the others (connected at
  // open(), its streams made or checked); the database then holds this node's copy.
  std::optional<cluster::nats_settings> cluster;
  // Cluster mode: an empty node copies the shared log the bulk way first when it holds
  // at least this many records (app/shared_copy.hpp).
  std::uint64_t bulk_copy_min_records = 1000;
};

class store {
 public:
  // Opens (or creates) the database in dir and its event log.
  static result<std::unique_ptr<store>> open(const std::filesystem::path& dir,
                                             store_options options = {});
  ~store();  // close()s

  // Brings the read models up to the log, loads the public head and starts the writer.
  result<projections::catch_up_report> start();

  // Stops the writer (it answers everything queued first) and closes the database.
  // Idempotent.
  result<void> close();

  storage::database& database() { return *db_; }
  // This node's log: in cluster mode its copy of the shared log, as far as applied.
  storage::event_log& log() { return *log_; }
  // Cluster mode: the shared log; nullptr locally.
  storage::shared_log* shared_log() { return shared_.get(); }
  const projections::read_model& reads() const { return *reads_; }
  // After start():
  projections::inline_projector& projector() { return *projector_; }
  projections::public_head& public_head() { return head_; }
  app::writer& writer() { return *writer_; }
  bool started() const { return writer_ != nullptr; }
  // Cluster mode, after start(): what an empty node copied of the shared log in bulk.
  const app::copy_report& shared_copy() const { return copied_; }

  store(const store&) = delete;
  store& operator=(const store&) = delete;

 private:
  explicit store(store_options options) : options_(std::move(options)) {}

  store_options options_;
  std::unique_ptr<storage::database> db_;
  std::unique_ptr<storage::local_event_log> log_;
  std::unique_ptr<cluster::jetstream_log> shared_;
  std::unique_ptr<projections::read_model> reads_;
  std::unique_ptr<projections::inline_projector> projector_;
  projections::public_head head_;
  std::unique_ptr<app::writer> writer_;
  app::copy_report copied_;
};

}  // namespace minitwit::server
