// A set of writes to the database that becomes durable all at once or not at all:
// events, read-model rows and meta values of one batch of commands. Nothing is written
// until database::write(). Callbacks registered with on_commit() run after a
// successful write (the event log uses this to wake its followers).
#pragma once

#include <rocksdb/write_batch.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "storage/database.hpp"

namespace minitwit::storage {

class write_batch {
 public:
  explicit write_batch(database& db) : db_(&db) {}

  void put(column c, std::string_view key, std::string_view value);
  void remove(column c, std::string_view key);
  // A meta value (storage/meta.hpp), stored big-endian.
  void put_meta(std::string_view key, std::uint64_t value);

  // f runs once, after this batch was written successfully.
  void on_commit(std::function<void()> f) { on_commit_.push_back(std::move(f)); }

  std::size_t count() const { return static_cast<std::size_t>(rep_.Count()); }
  bool empty() const { return rep_.Count() == 0; }
  // Forgets every write and callback.
  void clear();

 private:
  friend class database;
  database* db_;
  rocksdb::WriteBatch rep_;
  std::vector<std::function<void()>> on_commit_;
};

}  // namespace minitwit::storage
