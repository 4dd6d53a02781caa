#include "storage/event_log.hpp"

#include <memory>

#include "storage/event_codec.hpp"
#include "storage/keys.hpp"

namespace minitwit::storage {

void event_log::append(rocksdb::WriteBatch& batch, const envelope& e) {
  (void)batch.Put(db_.cf(column::events), keys::u64(e.seq), encode(e));
}

expected<std::uint64_t, std::string> event_log::last_seq() const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_.db().NewIterator(rocksdb::ReadOptions(), db_.cf(column::events)));
  it->SeekToLast();
  if (!it->status().ok()) return unexpected("cannot read the event log: " + it->status().ToString());
  if (!it->Valid()) return 0;
  if (it->key().size() != 8) return unexpected("the event log holds a malformed key");
  return keys::read_u64(it->key().ToStringView());
}

expected<void, std::string> event_log::scan(std::uint64_t from, const visitor& visit) const {
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2u << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(ro, db_.cf(column::events)));
  auto start = keys::u64(from);
  for (it->Seek(start); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return unexpected("the event log holds a malformed key");
    auto seq = keys::read_u64(it->key().ToStringView());
    auto e = decode(seq, it->value().ToStringView());
    if (!e) return unexpected(e.error());
    if (!visit(*e)) return {};
  }
  if (!it->status().ok()) return unexpected("cannot read the event log: " + it->status().ToString());
  return {};
}

}  // namespace minitwit::storage
