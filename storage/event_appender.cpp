#include "storage/event_appender.hpp"

#include "storage/event_codec.hpp"
#include "storage/meta.hpp"

namespace minitwit::storage {

namespace {
constexpr std::size_t events_per_write = 50000;
}

result<event_appender> event_appender::open(database& db) {
  auto log = local_event_log::open(db);
  if (!log) return make_error(log.error());
  auto last = (*log)->last_seq();
  if (!last) return make_error(last.error());
  if (*last != 0)
    return make_error(errc::not_empty, "the database in " + db.dir().string() + " already holds " +
                                           std::to_string(*last) +
                                           " events: import only into an empty data directory");
  return event_appender(db, std::move(*log));
}

result<void> event_appender::append(envelope e) {
  std::uint64_t next = written_ + pending_.size() + 1;
  if (e.seq == 0) e.seq = next;
  if (e.latest) latest_ = e.latest;
  return append_encoded(e.seq, encode(e));
}

result<void> event_appender::append_encoded(std::uint64_t seq, std::string_view value) {
  std::uint64_t next = written_ + pending_.size() + 1;
  if (seq != next)
    return make_error(
        errc::invalid_argument,
        "event " + std::to_string(seq) + " is out of order: expected " + std::to_string(next));
  pending_.emplace_back(value);
  if (pending_.size() >= events_per_write) return flush(durability::buffered);
  return {};
}

result<void> event_appender::flush(durability d) {
  if (auto r = log_->append(written_, pending_, batch_); !r) return r;
  if (auto r = db_->write(batch_, d); !r)
    return make_error(r.error().prefixed("cannot write events: "));
  written_ += pending_.size();
  pending_.clear();
  return {};
}

result<std::uint64_t> event_appender::finish() {
  if (latest_) batch_.put_meta(meta_key::latest, static_cast<std::uint64_t>(*latest_));
  if (auto r = flush(durability::synced); !r) return make_error(r.error());
  return written_;
}

}  // namespace minitwit::storage
