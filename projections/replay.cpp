#include "projections/replay.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "projections/bulk_rebuild.hpp"
#include "projections/inline_projector.hpp"
#include "storage/backup.hpp"
#include "storage/event_appender.hpp"
#include "storage/event_codec.hpp"
#include "storage/local_event_log.hpp"
#include "storage/meta.hpp"
#include "storage/write_batch.hpp"

namespace minitwit::projections {

namespace fs = std::filesystem;
using storage::column;

namespace {

result<catch_up_report> rebuild(storage::database& db, const storage::event_log& log,
                                const progress_fn& progress, bool ordinary) {
  if (ordinary) {
    catch_up_options co;
    co.force_full_rebuild = true;
    co.progress = progress;
    return catch_up(db, log, co);
  }
  bulk_options bo;
  bo.progress = progress;
  return full_rebuild(db, log, bo);
}

}  // namespace

result<replay_report> replay_into(storage::database& source, const fs::path& to,
                                  const replay_options& options) {
  auto started = std::chrono::steady_clock::now();
  if (!storage::is_empty_dir(to))
    return make_error(errc::not_empty, to.string() + " is not empty: replay into a new directory");
  auto source_log = storage::local_event_log::open(source);
  if (!source_log) return make_error(source_log.error());
  auto target = storage::database::open(to);
  if (!target) return make_error(target.error());
  auto appender = storage::event_appender::open(**target);
  if (!appender) return make_error(appender.error());
  auto total = (*source_log)->last_seq();
  if (!total) return make_error(total.error());

  replay_report report;
  std::optional<error> failure;
  auto copy = [&](const storage::log_record& r) {
    if (options.until_seq && r.seq > *options.until_seq) return false;
    auto e = storage::decode(r.seq, r.bytes);  // validates, upcasts
    if (!e) {
      failure = e.error();
      return false;
    }
    if (options.until_time_ms && e->recorded_at_ms > *options.until_time_ms) return false;
    if (e->latest) appender->note_latest(*e->latest);
    if (auto a = appender->append_encoded(r.seq, r.bytes); !a) {
      failure = a.error();
      return false;
    }
    if (++report.events_copied % 100000 == 0 && options.progress)
      options.progress(report.events_copied, *total);
    return true;
  };
  if (auto scanned = (*source_log)->scan(1, copy); !scanned) return make_error(scanned.error());
  if (failure) return make_error(std::move(*failure));
  if (auto r = appender->finish(); !r) return make_error(r.error());

  // `latest` as of the cut is the last copied event's (the appender stored it); with
  // nothing cut, the source's own, which GET requests may also have moved.
  if (!options.until_seq && !options.until_time_ms) {
    auto source_latest = storage::read_meta_optional(source, storage::meta_key::latest);
    if (!source_latest) return make_error(source_latest.error());
    if (*source_latest) {
      storage::write_batch b(**target);
      b.put_meta(storage::meta_key::latest, **source_latest);
      if (auto w = (*target)->write(b, storage::durability::synced); !w)
        return make_error(w.error().prefixed("cannot write latest: "));
    }
  }
  auto target_log = storage::local_event_log::open(**target);
  if (!target_log) return make_error(target_log.error());
  auto rebuilt = rebuild(**target, **target_log, options.progress, options.ordinary);
  if (!rebuilt) return make_error(rebuilt.error());
  report.rebuild = *rebuilt;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

result<catch_up_report> rebuild_in_place(storage::database& db, const progress_fn& progress,
                                         bool ordinary) {
  auto log = storage::local_event_log::open(db);
  if (!log) return make_error(log.error());
  return rebuild(db, **log, progress, ordinary);
}

namespace {

std::string printable(std::string_view key) {
  bool text = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  if (text) return "'" + std::string(key) + "'";
  std::string hex(key.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(key.data()),
                 key.size());
  hex.pop_back();
  std::string out = "0x" + hex;
  return out;
}

void note(verify_report& r, std::size_t max, std::string column, std::string_view key,
          std::string what) {
  ++r.differences;
  if (r.listed.size() < max)
    r.listed.push_back({std::move(column), printable(key), std::move(what)});
}

}  // namespace

result<verify_report> compare_read_models(storage::database& live, storage::database& rebuilt,
                                          std::size_t max_listed) {
  verify_report report;
  for (std::size_t i = 0; i < storage::column_count; ++i) {
    auto c = static_cast<column>(i);
    if (!storage::is_projection_column(c)) continue;
    std::string name(storage::column_name(c));
    std::unique_ptr<rocksdb::Iterator> a(live.db().NewIterator(rocksdb::ReadOptions(), live.cf(c)));
    std::unique_ptr<rocksdb::Iterator> b(
        rebuilt.db().NewIterator(rocksdb::ReadOptions(), rebuilt.cf(c)));
    a->SeekToFirst();
    b->SeekToFirst();
    while (a->Valid() || b->Valid()) {
      ++report.rows_compared;
      int order = !a->Valid() ? 1 : !b->Valid() ? -1 : a->key().compare(b->key());
      if (order < 0) {
        note(report, max_listed, name, a->key().ToStringView(),
             "not in the rebuild (extra in the live read model)");
        a->Next();
      } else if (order > 0) {
        note(report, max_listed, name, b->key().ToStringView(), "missing from the live read model");
        b->Next();
      } else {
        if (a->value() != b->value())
          note(report, max_listed, name, a->key().ToStringView(), "value differs");
        a->Next();
        b->Next();
      }
    }
    if (!a->status().ok() || !b->status().ok())
      return make_error(errc::io, "cannot read " + name + ": " +
                                      (a->status().ok() ? b->status() : a->status()).ToString());
  }
  auto keys = counter_keys();
  keys.emplace_back(storage::meta_key::checkpoint);
  for (const auto& key : keys) {
    auto x = storage::read_meta_u64(live, key), y = storage::read_meta_u64(rebuilt, key);
    if (!x || !y) return make_error(x ? y.error() : x.error());
    ++report.rows_compared;
    if (*x != *y)
      note(report, max_listed, "meta", key,
           "live " + std::to_string(*x) + ", rebuilt " + std::to_string(*y));
  }
  return report;
}

}  // namespace minitwit::projections
