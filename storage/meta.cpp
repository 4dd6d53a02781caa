#include "storage/meta.hpp"

#include "storage/database.hpp"
#include "storage/keys.hpp"

namespace minitwit::storage {

result<std::optional<std::uint64_t>> read_meta_optional(database& db, std::string_view key) {
  auto value = db.get(column::meta, key);
  if (!value)
    return make_error(value.error().prefixed("cannot read meta '" + std::string(key) + "': "));
  if (!*value) return std::optional<std::uint64_t>{};
  if ((*value)->size() != 8)
    return make_error(errc::corrupt, "meta '" + std::string(key) + "' is corrupt (" +
                                         std::to_string((*value)->size()) + " bytes)");
  return std::optional<std::uint64_t>{keys::read_u64(**value)};
}

result<std::uint64_t> read_meta_u64(database& db, std::string_view key) {
  auto v = read_meta_optional(db, key);
  if (!v) return make_error(v.error());
  return v->value_or(0);
}

}  // namespace minitwit::storage
