#include "storage/event_appender.hpp"

#include "storage/event_codec.hpp"
#include "storage/event_log.hpp"
#include "storage/keys.hpp"
#include "storage/meta.hpp"

namespace minitwit::storage {

expected<event_appender, std::string> event_appender::open(database& db) {
  auto last = event_log(db).last_seq();
  if (!last) return unexpected(last.error());
  if (*last != 0)
    return unexpected("the database in " + db.dir().string() + " already holds " + std::to_string(*last) +
                           " events: import only into an empty data directory");
  return event_appender(db);
}

expected<void, std::string> event_appender::append(envelope e) {
  if (e.seq == 0) e.seq = next_seq_;
  if (e.seq != next_seq_)
    return unexpected("event " + std::to_string(e.seq) + " is out of order: expected " + std::to_string(next_seq_));
  if (e.latest) latest_ = e.latest;
  return append_encoded(e.seq, encode(e));
}

expected<void, std::string> event_appender::append_encoded(std::uint64_t seq, std::string_view value) {
  if (seq != next_seq_)
    return unexpected("event " + std::to_string(seq) + " is out of order: expected " + std::to_string(next_seq_));
  (void)batch_.Put(db_->cf(column::events), keys::u64(seq), value);
  ++next_seq_;
  if (++in_batch_ >= 50000) return flush(false);
  return {};
}

expected<void, std::string> event_appender::flush(bool sync) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  auto s = db_->db().Write(wo, &batch_);
  if (!s.ok()) return unexpected("cannot write events: " + s.ToString());
  batch_.Clear();
  in_batch_ = 0;
  return {};
}

expected<std::uint64_t, std::string> event_appender::finish() {
  if (latest_) put_meta_u64(*db_, batch_, meta_key::latest, static_cast<std::uint64_t>(*latest_));
  if (auto r = flush(true); !r) return unexpected(r.error());
  return next_seq_ - 1;
}

}  // namespace minitwit::storage
