#include "projections/catch_up.hpp"

#include <chrono>

#include "projections/rows.hpp"
#include "storage/meta.hpp"
#include "storage/write_batch.hpp"

namespace minitwit::projections {

namespace meta_key = storage::meta_key;

namespace {

// Drops the read models and resets their counters and checkpoint.
result<void> reset(storage::database& db) {
  if (auto r = db.reset_projections(); !r) return r;
  storage::write_batch batch(db);
  for (const auto& key : counter_keys()) batch.put_meta(key, 0);
  batch.put_meta(meta_key::checkpoint, 0);
  return db.write(batch, storage::durability::synced);
}

// The ids the writer hands out next, as far as the events applied so far say.
struct next_ids {
  std::uint64_t user = 1, message = 1;
  void note(const core::event& e) {
    if (auto* r = std::get_if<core::user_registered>(&e)) user = std::max(user, r->id + 1);
    if (auto* m = std::get_if<core::message_posted>(&e)) message = std::max(message, m->id + 1);
  }
};

}  // namespace

result<catch_up_report> catch_up(storage::database& db, const storage::event_log& log,
                                 inline_projector& projector, const catch_up_options& options) {
  auto started = std::chrono::steady_clock::now();
  auto last = log.last_seq();
  auto version = storage::read_meta_optional(db, meta_key::projection_version);
  if (!last) return make_error(last.error());
  if (!version) return make_error(version.error());

  catch_up_report report;
  report.to_seq = *last;
  report.full_rebuild =
      options.force_full_rebuild || (version->value_or(0) != projection_version && *last > 0);
  if (report.full_rebuild) {
    if (auto r = reset(db); !r) return make_error(r.error());
    if (auto r = projector.reload(); !r) return make_error(r.error());
  }
  auto checkpoint = storage::read_meta_u64(db, meta_key::checkpoint);
  if (!checkpoint) return make_error(checkpoint.error());
  if (*checkpoint > *last)
    return make_error(errc::corrupt, "the projection checkpoint " + std::to_string(*checkpoint) +
                                         " is past the end of the event log " +
                                         std::to_string(*last) +
                                         ": the read models belong to another log");
  report.from_seq = *checkpoint + 1;

  auto user = storage::read_meta_u64(db, meta_key::next_user_id);
  auto message = storage::read_meta_u64(db, meta_key::next_message_id);
  if (!user) return make_error(user.error());
  if (!message) return make_error(message.error());
  next_ids next{*user, *message};

  storage::write_batch batch(db);
  std::uint64_t in_batch = 0, applied_to = *checkpoint;
  auto flush = [&](storage::durability d) -> result<void> {
    projector.finish_batch(batch);
    batch.put_meta(meta_key::checkpoint, applied_to);
    batch.put_meta(meta_key::next_user_id, next.user);
    batch.put_meta(meta_key::next_message_id, next.message);
    batch.put_meta(meta_key::projection_version, projection_version);
    auto r = db.write(batch, d);
    projector.end_batch(r.has_value());
    in_batch = 0;
    if (options.progress) options.progress(report.events, *last - *checkpoint);
    if (!r) return make_error(r.error().prefixed("cannot write read models: "));
    return {};
  };
  std::optional<error> failure;
  auto scanned = storage::scan_events(log, report.from_seq, [&](const storage::envelope& e) {
    if (e.seq > *last) return false;  // appended meanwhile: the next catch-up's
    if (auto r = projector.apply(e, batch); !r) {
      failure = r.error();
      return false;
    }
    next.note(e.event);
    applied_to = e.seq;
    ++report.events;
    if (++in_batch < options.events_per_batch) return true;
    if (auto r = flush(storage::durability::buffered); !r) failure = r.error();
    return !failure;
  });
  if (!scanned) return make_error(scanned.error());
  if (failure) {
    projector.end_batch(false);
    return make_error(std::move(*failure));
  }
  if (auto r = flush(storage::durability::synced); !r) return make_error(r.error());
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

result<catch_up_report> catch_up(storage::database& db, const storage::event_log& log,
                                 const catch_up_options& options) {
  auto projector = inline_projector::open(db);
  if (!projector) return make_error(projector.error());
  return catch_up(db, log, **projector, options);
}

}  // namespace minitwit::projections
