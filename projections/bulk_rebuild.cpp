#include "projections/bulk_rebuild.hpp"

#include <rocksdb/sst_file_reader.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "projections/inline_projector.hpp"
#include "projections/rows.hpp"
#include "storage/event_codec.hpp"
#include "storage/keys.hpp"
#include "storage/meta.hpp"
#include "storage/sorted_files.hpp"
#include "storage/write_batch.hpp"

namespace minitwit::projections {

using storage::column;
namespace keys = storage::keys;
namespace meta_key = storage::meta_key;

namespace {

constexpr char follow_op = 'F', unfollow_op = 'U';
constexpr std::uint64_t progress_every = 1 << 18;

error at(const storage::envelope& e, std::string what) {
  return {errc::corrupt, "event " + std::to_string(e.seq) + ": " + std::move(what)};
}

// Message ids seen, as ranges of consecutive ids (one range when ids are dense).
class id_ranges {
 public:
  // False when id is not above every id added before.
  bool add(std::uint64_t id) {
    if (!ranges_.empty() && id <= ranges_.back().second) return false;
    if (!ranges_.empty() && id == ranges_.back().second + 1)
      ranges_.back().second = id;
    else
      ranges_.emplace_back(id, id);
    return true;
  }
  bool contains(std::uint64_t id) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), id,
                               [](std::uint64_t v, const auto& r) { return v < r.first; });
    return it != ranges_.begin() && id <= std::prev(it)->second;
  }
  std::uint64_t last() const { return ranges_.empty() ? 0 : ranges_.back().second; }

 private:
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
};

// The rows of one pass over the log, and what the sorted columns are built from.
class builder {
 public:
  builder(storage::database& db, storage::scratch_dir& scratch, std::size_t memory)
      : messages_(db, column::messages, scratch),
        user_msgs_(scratch, memory / 3 * 2),
        follows_(scratch, memory / 3) {}

  // False (and *unsuited set) when the log does not suit the bulk path.
  result<bool> apply(const storage::envelope& e) {
    auto r = std::visit([&](const auto& ev) { return on(e, ev); }, e.event);
    if (!r) return make_error(r.error());
    if (!*r) return false;
    ++counts_.events_by_type[e.event.index()];
    return true;
  }

  result<void> finish(storage::database& db, storage::scratch_dir& scratch);
  const entity_counts& counts() const { return counts_; }
  std::uint64_t next_user_id() const { return next_user_id_; }
  std::uint64_t next_message_id() const { return messages_seen_.last() + 1; }

 private:
  result<bool> on(const storage::envelope&, const core::user_registered& r) {
    users_[r.id] = user_row{r.id, r.username, r.email, r.password_hash};
    name_writer_[r.username] = r.id;
    next_user_id_ = std::max(next_user_id_, r.id + 1);
    ++counts_.users;
    return true;
  }

  result<bool> on(const storage::envelope& e, const core::password_rehashed& r) {
    auto it = users_.find(r.id);
    if (it == users_.end())
      return make_error(at(e, "password of unknown user " + std::to_string(r.id)));
    it->second.password_hash = r.password_hash;
    name_writer_[it->second.username] = r.id;
    return true;
  }

  result<bool> on(const storage::envelope& e, const core::message_posted& m) {
    auto author = users_.find(m.author);
    if (author == users_.end())
      return make_error(at(e, "message " + std::to_string(m.id) + " has an unknown author"));
    if (!messages_seen_.add(m.id)) return false;  // ids do not rise with the log
    message_row row{m.id, m.author, author->second.username, m.text, m.pub_date, false};
    auto bytes = encode_row(row);
    if (auto r = messages_.add(keys::u64(m.id), bytes); !r) return make_error(r.error());
    if (auto r = user_msgs_.add(keys::u64_pair(m.author, keys::invert(m.id)), bytes); !r)
      return make_error(r.error());
    heads_[m.author] = m.id;
    ++counts_.messages;
    return true;
  }

  result<bool> on(const storage::envelope& e, const core::message_flagged& f) {
    if (!messages_seen_.contains(f.id))
      return make_error(at(e, "flag of unknown message " + std::to_string(f.id)));
    auto& flagged = flags_[f.id];
    if (flagged != f.flagged) counts_.messages += f.flagged ? -1 : 1;
    flagged = f.flagged;
    return true;
  }

  result<bool> on(const storage::envelope& e, const core::user_followed& f) {
    if (!users_.contains(f.followee))
      return make_error(at(e, "follow of unknown user " + std::to_string(f.followee)));
    return add_follow(e.seq, f.follower, f.followee, follow_op);
  }

  result<bool> on(const storage::envelope& e, const core::user_unfollowed& f) {
    return add_follow(e.seq, f.follower, f.followee, unfollow_op);
  }

  result<bool> add_follow(std::uint64_t seq, std::uint64_t a, std::uint64_t b, char op) {
    std::string key = keys::u64_pair(a, b);
    keys::append_u64(key, seq);
    if (auto r = follows_.add(key, std::string_view(&op, 1)); !r) return make_error(r.error());
    return true;
  }

  result<void> write_messages(storage::database& db, storage::scratch_dir& scratch);
  result<void> write_users(storage::database& db, storage::scratch_dir& scratch);
  result<void> write_follows(storage::database& db, storage::scratch_dir& scratch);
  result<void> correct_flagged(storage::database& db);

  storage::sst_output messages_;
  storage::external_sorter user_msgs_, follows_;
  std::unordered_map<std::uint64_t, user_row> users_;
  std::unordered_map<std::string, std::uint64_t> name_writer_;  // username → its row's user
  std::unordered_map<std::uint64_t, std::uint64_t> heads_;      // author → newest message
  std::unordered_map<std::uint64_t, bool> flags_;               // messages ever flagged
  id_ranges messages_seen_;
  std::uint64_t next_user_id_ = 1;
  entity_counts counts_;
};

// Moves a sorter's rows, in order, into a column's SST file.
result<void> sorted_into(storage::database& db, column c, storage::scratch_dir& scratch,
                         storage::external_sorter& sorter) {
  storage::sst_output out(db, c, scratch);
  if (auto r = sorter.drain([&](std::string_view k, std::string_view v) { return out.add(k, v); });
      !r)
    return r;
  return out.ingest();
}

// The public timeline is the messages newest first: their file read backwards.
result<void> builder::write_messages(storage::database& db, storage::scratch_dir& scratch) {
  auto file = messages_.finish();
  if (!file) return make_error(file.error());
  if (!*file) return {};
  {
    rocksdb::SstFileReader reader(db.sst_options(column::messages));
    if (auto s = reader.Open(**file); !s.ok())
      return make_error(errc::io, "cannot read " + **file + ": " + s.ToString());
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(ro));
    storage::sst_output public_msgs(db, column::public_msgs, scratch);
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      auto id = keys::read_u64(it->key().ToStringView());
      if (auto r = public_msgs.add(keys::u64(keys::invert(id)), it->value().ToStringView()); !r)
        return r;
    }
    if (!it->status().ok())
      return make_error(errc::io, "cannot read " + **file + ": " + it->status().ToString());
    if (auto r = public_msgs.ingest(); !r) return r;
  }
  return db.ingest(column::messages, {**file});
}

result<void> builder::write_users(storage::database& db, storage::scratch_dir& scratch) {
  std::vector<std::uint64_t> ids;
  ids.reserve(users_.size());
  for (const auto& [id, row] : users_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  storage::sst_output by_id(db, column::users_by_id, scratch);
  for (auto id : ids)
    if (auto r = by_id.add(keys::u64(id), encode_row(users_.at(id))); !r) return r;
  if (auto r = by_id.ingest(); !r) return r;

  std::vector<const std::pair<const std::string, std::uint64_t>*> names;
  names.reserve(name_writer_.size());
  for (const auto& entry : name_writer_) names.push_back(&entry);
  std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return a->first < b->first; });
  storage::sst_output by_name(db, column::users, scratch);
  for (const auto* n : names)
    if (auto r = by_name.add(n->first, encode_row(users_.at(n->second))); !r) return r;
  if (auto r = by_name.ingest(); !r) return r;

  std::vector<std::pair<std::uint64_t, std::uint64_t>> heads(heads_.begin(), heads_.end());
  std::sort(heads.begin(), heads.end());
  storage::sst_output out(db, column::author_heads, scratch);
  for (const auto& [author, id] : heads)
    if (auto r = out.add(keys::u64(author), keys::u64(id)); !r) return r;
  return out.ingest();
}

// Every pair's rows come together, in seq order: the last says whether it follows.
result<void> builder::write_follows(storage::database& db, storage::scratch_dir& scratch) {
  storage::sst_output out(db, column::follows, scratch);
  std::string pair;
  char last = 0;
  auto emit = [&]() -> result<void> {
    if (last != follow_op) return {};
    ++counts_.follows;
    return out.add(pair, users_.at(keys::read_u64(std::string_view(pair).substr(8))).username);
  };
  auto drained = follows_.drain([&](std::string_view k, std::string_view v) -> result<void> {
    auto p = k.substr(0, 16);
    if (p != pair) {
      if (auto r = emit(); !r) return r;
      pair.assign(p);
    }
    last = v[0];
    return {};
  });
  if (!drained) return drained;
  if (auto r = emit(); !r) return r;
  return out.ingest();
}

// Messages flagged at the end: their row says so, and they leave the timelines.
result<void> builder::correct_flagged(storage::database& db) {
  storage::write_batch batch(db);
  for (const auto& [id, flagged] : flags_) {
    if (!flagged) continue;
    auto bytes = db.get(column::messages, keys::u64(id));
    if (!bytes) return make_error(bytes.error());
    if (!*bytes) return make_error(errc::corrupt, "message " + std::to_string(id) + " is missing");
    auto row = decode_message_row(**bytes);
    if (!row) return make_error(row.error());
    row->flagged = true;
    batch.put(column::messages, keys::u64(id), encode_row(*row));
    batch.remove(column::user_msgs, keys::u64_pair(row->author, keys::invert(id)));
    batch.remove(column::public_msgs, keys::u64(keys::invert(id)));
  }
  return db.write(batch, storage::durability::buffered);
}

// The largest column on a thread of its own, the others meanwhile (two cores).
result<void> builder::finish(storage::database& db, storage::scratch_dir& scratch) {
  auto timelines = std::async(
      std::launch::async, [&] { return sorted_into(db, column::user_msgs, scratch, user_msgs_); });
  auto others = [&]() -> result<void> {
    if (auto r = write_messages(db, scratch); !r) return r;
    if (auto r = write_follows(db, scratch); !r) return r;
    return write_users(db, scratch);
  }();
  auto user_msgs = timelines.get();
  if (!others) return others;
  if (!user_msgs) return user_msgs;
  return correct_flagged(db);
}

// Reads and decodes the log up to last on a thread of its own, batches ahead of visit
// (the second core), in order; visit returns false to stop.
result<void> scan_decoded_ahead(const storage::event_log& log, std::uint64_t last,
                                const std::function<bool(const storage::envelope&)>& visit) {
  constexpr std::size_t batch_size = 2048, batches_ahead = 8;
  std::mutex mu;
  std::condition_variable changed;
  std::deque<std::vector<storage::envelope>> ready;
  bool done = false, stop = false;
  result<void> produced;
  std::thread reader([&] {
    std::vector<storage::envelope> batch;
    auto hand_over = [&] {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return ready.size() < batches_ahead || stop; });
      if (stop) return false;
      ready.push_back(std::move(batch));
      batch.clear();
      changed.notify_all();
      return true;
    };
    std::optional<error> failure;
    auto scanned = log.scan(1, [&](const storage::log_record& r) {
      if (r.seq > last) return false;  // appended meanwhile
      auto e = storage::decode(r.seq, r.bytes);
      if (!e) return failure = e.error(), false;
      batch.push_back(std::move(*e));
      return batch.size() < batch_size || hand_over();
    });
    if (scanned && !failure && !batch.empty()) hand_over();
    std::lock_guard lock(mu);
    if (!scanned) produced = scanned;
    if (failure) produced = make_error(std::move(*failure));
    done = true;
    changed.notify_all();
  });
  bool visiting = true;
  while (visiting) {
    std::vector<storage::envelope> batch;
    {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return !ready.empty() || done; });
      if (ready.empty()) break;
      batch = std::move(ready.front());
      ready.pop_front();
      changed.notify_all();
    }
    for (const auto& e : batch)
      if (!(visiting = visit(e))) break;
  }
  {
    std::lock_guard lock(mu);
    stop = true;
    changed.notify_all();
  }
  reader.join();
  return produced;
}

// Drops the read models; until the rebuild's last write, their version says "rebuild".
result<void> reset(storage::database& db) {
  if (auto r = db.reset_projections(); !r) return r;
  storage::write_batch batch(db);
  for (const auto& key : counter_keys()) batch.put_meta(key, 0);
  batch.put_meta(meta_key::checkpoint, 0);
  batch.put_meta(meta_key::projection_version, 0);
  return db.write(batch, storage::durability::synced);
}

}  // namespace

result<std::optional<catch_up_report>> bulk_rebuild(storage::database& db,
                                                    const storage::event_log& log,
                                                    const bulk_options& options) {
  auto started = std::chrono::steady_clock::now();
  auto last = log.last_seq();
  if (!last) return make_error(last.error());
  auto user_id = storage::read_meta_u64(db, meta_key::next_user_id);
  auto message_id = storage::read_meta_u64(db, meta_key::next_message_id);
  if (!user_id) return make_error(user_id.error());
  if (!message_id) return make_error(message_id.error());
  if (auto r = reset(db); !r) return make_error(r.error());
  auto scratch = storage::scratch_dir::make(db.dir() / "bulk-rebuild.tmp");
  if (!scratch) return make_error(scratch.error());

  catch_up_report report;
  report.full_rebuild = true;
  report.bulk = true;
  report.from_seq = 1;
  report.to_seq = *last;
  builder b(db, **scratch, options.memory_bytes);
  std::optional<error> failure;
  bool unsuited = false;
  auto scanned = scan_decoded_ahead(log, *last, [&](const storage::envelope& e) {
    auto applied = b.apply(e);
    if (!applied) failure = applied.error();
    unsuited = applied && !*applied;
    if (failure || unsuited) return false;
    if (++report.events % progress_every == 0 && options.progress)
      options.progress(report.events, *last);
    return true;
  });
  if (!scanned) return make_error(scanned.error());
  if (failure) return make_error(std::move(*failure));
  if (unsuited) return std::optional<catch_up_report>{};
  if (auto r = b.finish(db, **scratch); !r) return make_error(r.error());

  storage::write_batch batch(db);
  const auto& counts = b.counts();
  auto keys = counter_keys();
  std::vector<std::int64_t> values = {counts.users, counts.messages, counts.follows};
  values.insert(values.end(), counts.events_by_type.begin(), counts.events_by_type.end());
  for (std::size_t i = 0; i < keys.size(); ++i)
    batch.put_meta(keys[i], static_cast<std::uint64_t>(values[i]));
  batch.put_meta(meta_key::checkpoint, *last);
  batch.put_meta(meta_key::next_user_id, std::max(*user_id, b.next_user_id()));
  batch.put_meta(meta_key::next_message_id, std::max(*message_id, b.next_message_id()));
  batch.put_meta(meta_key::projection_version, projection_version);
  if (auto w = db.write(batch, storage::durability::synced); !w)
    return make_error(w.error().prefixed("cannot write the rebuilt read models' counters: "));
  if (options.progress) options.progress(report.events, *last);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return std::optional<catch_up_report>(report);
}

result<bool> full_rebuild_due(storage::database& db, const storage::event_log& log) {
  auto last = log.last_seq();
  auto version = storage::read_meta_optional(db, meta_key::projection_version);
  auto checkpoint = storage::read_meta_u64(db, meta_key::checkpoint);
  if (!last) return make_error(last.error());
  if (!version) return make_error(version.error());
  if (!checkpoint) return make_error(checkpoint.error());
  return *last > 0 && (version->value_or(0) != projection_version || *checkpoint == 0);
}

result<catch_up_report> full_rebuild(storage::database& db, const storage::event_log& log,
                                     const bulk_options& options) {
  auto bulk = bulk_rebuild(db, log, options);
  if (!bulk) return make_error(bulk.error());
  if (*bulk) return **bulk;
  catch_up_options co;
  co.force_full_rebuild = true;
  co.progress = options.progress;
  return catch_up(db, log, co);
}

}  // namespace minitwit::projections
