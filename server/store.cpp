#include "server/store.hpp"

#include "projections/bulk_rebuild.hpp"
#include "storage/local_event_log.hpp"

namespace minitwit::server {

result<std::unique_ptr<store>> store::open(const std::filesystem::path& dir,
                                           store_options options) {
  std::unique_ptr<store> s(new store(std::move(options)));
  auto db = storage::database::open(dir, s->options_.database);
  if (!db) return make_error(db.error());
  s->db_ = std::move(*db);
  auto log = storage::local_event_log::open(*s->db_);
  if (!log) return make_error(log.error());
  s->log_ = std::move(*log);
  s->reads_ = std::make_unique<projections::read_model>(*s->db_);
  if (s->options_.cluster) {
    auto shared = cluster::jetstream_log::open(*s->options_.cluster);
    if (!shared) return make_error(shared.error().prefixed("cluster mode: "));
    s->shared_ = std::move(*shared);
    s->options_.writer.shared = s->shared_.get();
  }
  return s;
}

store::~store() { (void)close(); }

result<projections::catch_up_report> store::start() {
  auto projector = projections::inline_projector::open(*db_);
  if (!projector) return make_error(projector.error());
  projector_ = std::move(*projector);
  if (shared_) {
    // An empty node: the shared log's history copied the bulk way first.
    auto copied = app::copy_shared_log(*db_, *log_, *shared_, options_.bulk_copy_min_records,
                                       options_.catch_up.progress);
    if (!copied) return make_error(copied.error().prefixed("cannot copy the shared log: "));
    copied_ = *copied;
    if (auto r = log_->reload(); !r) return make_error(r.error());
  }
  // A full rebuild (read models of another version, or none for a log that has
  // events) goes the bulk way; the tail after it, or a short tail, the ordinary way.
  auto due = projections::full_rebuild_due(*db_, *log_);
  if (!due) return make_error(due.error().prefixed("cannot read the read models' state: "));
  auto tail = options_.catch_up;
  tail.force_full_rebuild = false;
  std::optional<projections::catch_up_report> rebuilt;
  if (*due || options_.catch_up.force_full_rebuild) {
    projections::bulk_options bo;
    bo.progress = options_.catch_up.progress;
    auto r = projections::full_rebuild(*db_, *log_, bo);
    if (!r) return make_error(r.error().prefixed("cannot rebuild the read models: "));
    if (auto reloaded = projector_->reload(); !reloaded) return make_error(reloaded.error());
    rebuilt = *r;
  }
  auto caught_up = projections::catch_up(*db_, *log_, *projector_, tail);
  if (!caught_up)
    return make_error(caught_up.error().prefixed("cannot bring the read models up to date: "));
  if (auto r = head_.load(*reads_); !r)
    return make_error(r.error().prefixed("cannot read the public timeline: "));
  projector_->attach(head_);
  reads_->attach(head_);
  auto w = app::writer::start(*db_, *log_, *projector_, options_.writer);
  if (!w) return make_error(w.error());
  writer_ = std::move(*w);
  if (rebuilt) {
    rebuilt->events += caught_up->events;
    rebuilt->to_seq = caught_up->to_seq;
    rebuilt->seconds += caught_up->seconds;
    return *rebuilt;
  }
  return *caught_up;
}

result<void> store::close() {
  if (writer_) writer_->stop();
  if (!db_) return {};
  auto closed = db_->close();
  writer_.reset();
  shared_.reset();
  projector_.reset();
  reads_.reset();
  log_.reset();
  db_.reset();
  return closed;
}

}  // namespace minitwit::server
