#include "storage/local_event_log.hpp"

#include <limits>

#include "storage/keys.hpp"
#include "storage/write_batch.hpp"

namespace minitwit::storage {

namespace {

error read_error(const rocksdb::Status& s) {
  return {errc::io, "cannot read the event log: " + s.ToString()};
}
error malformed_key() { return {errc::corrupt, "the event log holds a malformed key"}; }

}  // namespace

result<std::uint64_t> read_last_seq(database& db) {
  std::unique_ptr<rocksdb::Iterator> it(
      db.db().NewIterator(rocksdb::ReadOptions(), db.cf(column::events)));
  it->SeekToLast();
  if (!it->status().ok()) return make_error(read_error(it->status()));
  if (!it->Valid()) return 0;
  if (it->key().size() != 8) return make_error(malformed_key());
  return keys::read_u64(it->key().ToStringView());
}

result<std::unique_ptr<local_event_log>> local_event_log::open(database& db) {
  auto last = read_last_seq(db);
  if (!last) return make_error(last.error());
  std::unique_ptr<local_event_log> log(new local_event_log(db));
  log->last_seq_ = *last;
  return log;
}

result<void> local_event_log::reload() {
  auto last = read_last_seq(db_);
  if (!last) return make_error(last.error());
  committed(*last);
  return {};
}

result<void> local_event_log::append(std::uint64_t expected_last_seq,
                                     std::span<const std::string> encoded, write_batch& local) {
  {
    std::lock_guard lock(mu_);
    if (expected_last_seq != last_seq_)
      return make_error(errc::conflict, "the log ends at " + std::to_string(last_seq_) +
                                            ", not at " + std::to_string(expected_last_seq));
  }
  std::uint64_t seq = expected_last_seq;
  for (const auto& bytes : encoded) local.put(column::events, keys::u64(++seq), bytes);
  local.on_commit([this, seq] { committed(seq); });
  return {};
}

void local_event_log::committed(std::uint64_t seq) {
  {
    std::lock_guard lock(mu_);
    last_seq_ = std::max(last_seq_, seq);
  }
  appended_.notify_all();
}

result<std::uint64_t> local_event_log::last_seq() const {
  std::lock_guard lock(mu_);
  return last_seq_;
}

result<std::optional<std::uint64_t>> local_event_log::scan_range(
    std::uint64_t from, std::uint64_t up_to, const record_visitor& visit) const {
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2u << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(ro, db_.cf(column::events)));
  std::uint64_t next = from;
  for (it->Seek(keys::u64(from)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return make_error(malformed_key());
    auto seq = keys::read_u64(it->key().ToStringView());
    if (seq > up_to) break;
    if (!visit(log_record{seq, it->value().ToStringView()})) return std::optional<std::uint64_t>{};
    next = seq + 1;
  }
  if (!it->status().ok()) return make_error(read_error(it->status()));
  return std::optional<std::uint64_t>{next};
}

result<void> local_event_log::scan(std::uint64_t from, const record_visitor& visit) const {
  auto r = scan_range(from, std::numeric_limits<std::uint64_t>::max(), visit);
  if (!r) return make_error(r.error());
  return {};
}

result<void> local_event_log::follow(std::uint64_t from, const record_visitor& visit,
                                     std::stop_token stop) const {
  std::uint64_t next = std::max<std::uint64_t>(from, 1);
  while (!stop.stop_requested()) {
    std::uint64_t up_to;
    {
      std::unique_lock lock(mu_);
      if (!appended_.wait(lock, stop, [&] { return last_seq_ >= next; })) return {};
      up_to = last_seq_;
    }
    auto r = scan_range(next, up_to, visit);
    if (!r) return make_error(r.error());
    if (!*r) return {};
    next = std::max(next, **r);
    if (next <= up_to) next = up_to + 1;  // a gap the writer never leaves; do not spin on it
  }
  return {};
}

}  // namespace minitwit::storage
