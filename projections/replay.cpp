#include "projections/replay.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include "projections/inline_projector.hpp"
#include "storage/backup.hpp"
#include "storage/event_appender.hpp"
#include "storage/event_codec.hpp"
#include "storage/event_log.hpp"
#include "storage/keys.hpp"
#include "storage/meta.hpp"

namespace minitwit::projections {

namespace fs = std::filesystem;
using storage::column;

expected<replay_report, std::string> replay_into(storage::database& source, const fs::path& to,
                                                      const replay_options& options) {
  auto started = std::chrono::steady_clock::now();
  if (!storage::is_empty_dir(to))
    return unexpected(to.string() + " is not empty: replay into a new directory");
  auto target = storage::database::open(to);
  if (!target) return unexpected(target.error());
  auto appender = storage::event_appender::open(**target);
  if (!appender) return unexpected(appender.error());
  auto total = storage::event_log(source).last_seq();
  if (!total) return unexpected(total.error());

  replay_report report;
  rocksdb::ReadOptions ro;
  ro.readahead_size = 4u << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(source.db().NewIterator(ro, source.cf(column::events)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return unexpected("the event log holds a malformed key");
    auto seq = storage::keys::read_u64(it->key().ToStringView());
    if (options.until_seq && seq > *options.until_seq) break;
    auto e = storage::decode(seq, it->value().ToStringView());  // validates, upcasts
    if (!e) return unexpected(e.error());
    if (options.until_time_ms && e->recorded_at_ms > *options.until_time_ms) break;
    if (e->latest) appender->note_latest(*e->latest);
    if (auto r = appender->append_encoded(seq, it->value().ToStringView()); !r) return unexpected(r.error());
    if (++report.events_copied % 100000 == 0 && options.progress) options.progress(report.events_copied, *total);
  }
  if (!it->status().ok()) return unexpected("cannot read the event log: " + it->status().ToString());
  if (auto r = appender->finish(); !r) return unexpected(r.error());

  // `latest` as of the cut is the last copied event's (the appender stored it); with
  // nothing cut, the source's own, which GET requests may also have moved.
  if (!options.until_seq && !options.until_time_ms) {
    auto source_latest = storage::read_meta_optional(source, storage::meta_key::latest);
    if (!source_latest) return unexpected(source_latest.error());
    if (*source_latest) {
      rocksdb::WriteBatch b;
      storage::put_meta_u64(**target, b, storage::meta_key::latest, **source_latest);
      rocksdb::WriteOptions sync;
      sync.sync = true;
      if (!(*target)->db().Write(sync, &b).ok()) return unexpected("cannot write latest");
    }
  }
  catch_up_options co;
  co.progress = options.progress;
  auto rebuilt = catch_up(**target, co);
  if (!rebuilt) return unexpected(rebuilt.error());
  report.rebuild = *rebuilt;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

expected<catch_up_report, std::string> rebuild_in_place(storage::database& db, const progress_fn& progress) {
  catch_up_options co;
  co.force_full_rebuild = true;
  co.progress = progress;
  return catch_up(db, co);
}

namespace {

std::string printable(std::string_view key) {
  bool text = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  if (text) return "'" + std::string(key) + "'";
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "0x";
  for (unsigned char c : key) out += {hex[c >> 4], hex[c & 15]};
  return out;
}

void note(verify_report& r, std::size_t max, std::string column, std::string_view key, std::string what) {
  ++r.differences;
  if (r.listed.size() < max) r.listed.push_back({std::move(column), printable(key), std::move(what)});
}

}  // namespace

expected<verify_report, std::string> compare_read_models(storage::database& live, storage::database& rebuilt,
                                                              std::size_t max_listed) {
  verify_report report;
  for (std::size_t i = 0; i < storage::column_count; ++i) {
    auto c = static_cast<column>(i);
    if (!storage::is_projection_column(c)) continue;
    std::string name(storage::column_name(c));
    std::unique_ptr<rocksdb::Iterator> a(live.db().NewIterator(rocksdb::ReadOptions(), live.cf(c)));
    std::unique_ptr<rocksdb::Iterator> b(rebuilt.db().NewIterator(rocksdb::ReadOptions(), rebuilt.cf(c)));
    a->SeekToFirst();
    b->SeekToFirst();
    while (a->Valid() || b->Valid()) {
      ++report.rows_compared;
      int order = !a->Valid() ? 1 : !b->Valid() ? -1 : a->key().compare(b->key());
      if (order < 0) {
        note(report, max_listed, name, a->key().ToStringView(), "not in the rebuild (extra in the live read model)");
        a->Next();
      } else if (order > 0) {
        note(report, max_listed, name, b->key().ToStringView(), "missing from the live read model");
        b->Next();
      } else {
        if (a->value() != b->value()) note(report, max_listed, name, a->key().ToStringView(), "value differs");
        a->Next();
        b->Next();
      }
    }
    if (!a->status().ok() || !b->status().ok())
      return unexpected("cannot read " + name + ": " + (a->status().ok() ? b->status() : a->status()).ToString());
  }
  auto keys = counter_keys();
  keys.emplace_back(storage::meta_key::checkpoint);
  for (const auto& key : keys) {
    auto x = storage::read_meta_u64(live, key), y = storage::read_meta_u64(rebuilt, key);
    if (!x || !y) return unexpected(x ? y.error() : x.error());
    ++report.rows_compared;
    if (*x != *y)
      note(report, max_listed, "meta", key, "live " + std::to_string(*x) + ", rebuilt " + std::to_string(*y));
  }
  return report;
}

}  // namespace minitwit::projections
