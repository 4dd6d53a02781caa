#include "projections/catch_up.hpp"

#include <chrono>

#include "projections/inline_projector.hpp"
#include "projections/rows.hpp"
#include "storage/event_log.hpp"
#include "storage/meta.hpp"

namespace minitwit::projections {

namespace meta_key = storage::meta_key;

namespace {

expected<void, std::string> write(storage::database& db, rocksdb::WriteBatch& batch, bool sync) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  auto s = db.db().Write(wo, &batch);
  if (!s.ok()) return unexpected("cannot write read models: " + s.ToString());
  batch.Clear();
  return {};
}

// Drops the read models and resets their counters and checkpoint.
expected<void, std::string> reset(storage::database& db) {
  auto s = db.reset_projections();
  if (!s.ok()) return unexpected("cannot drop read models: " + s.ToString());
  rocksdb::WriteBatch batch;
  for (const auto& key : counter_keys()) storage::put_meta_u64(db, batch, key, 0);
  storage::put_meta_u64(db, batch, meta_key::checkpoint, 0);
  return write(db, batch, true);
}

}  // namespace

expected<catch_up_report, std::string> catch_up(storage::database& db,
                                                     const catch_up_options& options) {
  auto started = std::chrono::steady_clock::now();
  storage::event_log log(db);
  auto last = log.last_seq();
  auto version = storage::read_meta_optional(db, meta_key::projection_version);
  if (!last) return unexpected(last.error());
  if (!version) return unexpected(version.error());

  catch_up_report report;
  report.to_seq = *last;
  report.full_rebuild = options.force_full_rebuild ||
                        (version->value_or(0) != projection_version && *last > 0);
  if (report.full_rebuild) {
    if (auto r = reset(db); !r) return unexpected(r.error());
  }
  auto checkpoint = storage::read_meta_u64(db, meta_key::checkpoint);
  if (!checkpoint) return unexpected(checkpoint.error());
  if (*checkpoint > *last)
    return unexpected("the projection checkpoint " + std::to_string(*checkpoint) +
                           " is past the end of the event log " + std::to_string(*last) +
                           ": the read models belong to another log");
  report.from_seq = *checkpoint + 1;

  auto proj = inline_projector::open(db);
  if (!proj) return unexpected(proj.error());
  auto next_user = storage::read_meta_u64(db, meta_key::next_user_id);
  auto next_message = storage::read_meta_u64(db, meta_key::next_message_id);
  if (!next_user) return unexpected(next_user.error());
  if (!next_message) return unexpected(next_message.error());

  rocksdb::WriteBatch batch;
  std::uint64_t in_batch = 0, applied_to = *checkpoint;
  std::string failure;
  auto flush = [&](bool sync) -> expected<void, std::string> {
    (*proj)->finish_batch(batch);
    storage::put_meta_u64(db, batch, meta_key::checkpoint, applied_to);
    storage::put_meta_u64(db, batch, meta_key::next_user_id, *next_user);
    storage::put_meta_u64(db, batch, meta_key::next_message_id, *next_message);
    storage::put_meta_u64(db, batch, meta_key::projection_version, projection_version);
    auto r = write(db, batch, sync);
    (*proj)->end_batch(r.has_value());
    in_batch = 0;
    if (options.progress) options.progress(report.events, *last - *checkpoint);
    return r;
  };
  auto scanned = log.scan(report.from_seq, [&](const storage::envelope& e) {
    try {
      (*proj)->apply(e, batch);
    } catch (const std::exception& ex) {
      failure = "event " + std::to_string(e.seq) + ": " + ex.what();
      return false;
    }
    if (auto* r = std::get_if<core::user_registered>(&e.event))
      *next_user = std::max(*next_user, r->id + 1);
    if (auto* m = std::get_if<core::message_posted>(&e.event))
      *next_message = std::max(*next_message, m->id + 1);
    applied_to = e.seq;
    ++report.events;
    if (++in_batch >= options.events_per_batch) {
      if (auto r = flush(false); !r) {
        failure = r.error();
        return false;
      }
    }
    return true;
  });
  if (!scanned) return unexpected(scanned.error());
  if (!failure.empty()) return unexpected(failure);
  if (auto r = flush(true); !r) return unexpected(r.error());
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace minitwit::projections
