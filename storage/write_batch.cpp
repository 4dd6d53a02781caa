#include "storage/write_batch.hpp"

#include "storage/keys.hpp"

namespace minitwit::storage {

void write_batch::put(column c, std::string_view key, std::string_view value) {
  (void)rep_.Put(db_->cf(c), key, value);
}

void write_batch::remove(column c, std::string_view key) { (void)rep_.Delete(db_->cf(c), key); }

void write_batch::put_meta(std::string_view key, std::uint64_t value) {
  put(column::meta, key, keys::u64(value));
}

void write_batch::clear() {
  rep_.Clear();
  on_commit_.clear();
}

}  // namespace minitwit::storage
