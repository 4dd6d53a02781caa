#include "storage/meta.hpp"

#include "storage/database.hpp"
#include "storage/keys.hpp"

namespace minitwit::storage {

expected<std::optional<std::uint64_t>, std::string> read_meta_optional(database& db,
                                                                            std::string_view key) {
  std::string value;
  auto s = db.db().Get(rocksdb::ReadOptions(), db.cf(column::meta), key, &value);
  if (s.IsNotFound()) return std::optional<std::uint64_t>{};
  if (!s.ok()) return unexpected("cannot read meta '" + std::string(key) + "': " + s.ToString());
  if (value.size() != 8)
    return unexpected("meta '" + std::string(key) + "' is corrupt (" +
                           std::to_string(value.size()) + " bytes)");
  return std::optional<std::uint64_t>{keys::read_u64(value)};
}

expected<std::uint64_t, std::string> read_meta_u64(database& db, std::string_view key) {
  auto v = read_meta_optional(db, key);
  if (!v) return unexpected(v.error());
  return v->value_or(0);
}

void put_meta_u64(database& db, rocksdb::WriteBatch& batch, std::string_view key,
                  std::uint64_t value) {
  (void)batch.Put(db.cf(column::meta), key, keys::u64(value));
}

}  // namespace minitwit::storage
