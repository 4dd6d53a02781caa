#include "app/shared_copy.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include "app/order_ids.hpp"
#include "storage/event_codec.hpp"
#include "storage/keys.hpp"
#include "storage/meta.hpp"
#include "storage/sorted_files.hpp"

namespace minitwit::app {

namespace keys = storage::keys;
namespace meta_key = storage::meta_key;

result<copy_report> copy_shared_log(
    storage::database& db, const storage::event_log& local, const storage::shared_log& shared,
    std::uint64_t min_records, const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  auto started = std::chrono::steady_clock::now();
  copy_report report;
  auto mine = local.last_seq();
  if (!mine) return make_error(mine.error());
  if (*mine > 0) return report;
  auto head = shared.last_seq();
  if (!head) return make_error(head.error().prefixed("cannot read the shared event log: "));
  if (*head < min_records) return report;

  auto scratch = storage::scratch_dir::make(db.dir() / "shared-copy.tmp");
  if (!scratch) return make_error(scratch.error());
  storage::sst_output events(db, storage::column::events, **scratch);
  id_counters ids;
  std::optional<std::int64_t> latest;
  std::optional<error> failure;
  auto scanned = shared.scan(1, [&](const storage::log_record& r) {
    if (r.seq > *head) return false;  // published meanwhile: the writer's
    auto env = storage::decode(report.events + 1, r.bytes);
    if (!env) return failure = env.error(), false;
    ids.resolve(env->event);
    if (env->latest) latest = env->latest;
    if (auto a = events.add(keys::u64(env->seq), storage::encode(*env)); !a)
      return failure = a.error(), false;
    ++report.events;
    report.records = r.seq;
    if (progress && report.events % (1 << 17) == 0) progress(report.records, *head);
    return true;
  });
  if (!scanned) return make_error(scanned.error().prefixed("cannot read the shared log: "));
  if (failure) return make_error(std::move(*failure));
  if (report.records != *head)
    return make_error(errc::unavailable, "the shared log ended at record " +
                                             std::to_string(report.records) + ", not " +
                                             std::to_string(*head));

  // The position, counters and `latest`, in key order, ingested with the events.
  std::map<std::string_view, std::uint64_t> values = {{meta_key::shared_log_seq, *head},
                                                      {meta_key::next_user_id, ids.user},
                                                      {meta_key::next_message_id, ids.message},
                                                      {meta_key::checkpoint, 0}};
  if (latest) values.emplace(meta_key::latest, static_cast<std::uint64_t>(*latest));
  storage::sst_output meta(db, storage::column::meta, **scratch);
  for (const auto& [key, value] : values)
    if (auto r = meta.add(key, keys::u64(value)); !r) return make_error(r.error());
  auto events_file = events.finish();
  auto meta_file = meta.finish();
  if (!events_file) return make_error(events_file.error());
  if (!meta_file) return make_error(meta_file.error());
  if (!*events_file) return report;  // nothing there after all
  if (auto r = db.ingest_together(
          {{storage::column::events, **events_file}, {storage::column::meta, **meta_file}});
      !r)
    return make_error(r.error());
  if (progress) progress(report.records, *head);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace minitwit::app
