// The RocksDB database of MiniTwit-ES: one directory, one column family per kind of
// data. The layout is documented where the data is written: the event log
// (storage/event_log.hpp), meta (storage/meta.hpp) and the read models
// (projections/rows.hpp).
#pragma once

#include <rocksdb/db.h>

#include <array>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace minitwit::storage {

enum class column : std::size_t {
  events,        // seq (u64 BE) -> event envelope
  meta,          // name -> value (counters, latest, checkpoint, format version)
  users,         // username -> user row
  users_by_id,   // user id (u64 BE) -> user row
  follows,       // follower id . followee id -> followee username
  messages,      // message id (u64 BE) -> message row (with its flag)
  user_msgs,     // author id . ~message id -> message row
  public_msgs,   // ~message id -> message row
  author_heads,  // author id -> newest message id ever posted (an upper bound)
  count_
};

inline constexpr std::size_t column_count = static_cast<std::size_t>(column::count_);

// The RocksDB name of a column family, e.g. "user_msgs".
std::string_view column_name(column c);

// True for column families that hold read models (rebuildable from the event log).
bool is_projection_column(column c);

struct database_options {
  std::size_t block_cache_bytes = 128u << 20;
  std::size_t write_buffer_bytes = 64u << 20;  // all memtables together
  bool create_if_missing = true;
  bool read_only = false;       // column families missing from the directory stay closed
  rocksdb::Env* env = nullptr;  // nullptr: the default; a backup is opened through its own
};

class write_batch;

// How a write reaches the disk: `synced` returns only after fsync (every write a client
// is answered for); `buffered` leaves it to the OS (bulk jobs, synced at their end).
enum class durability { synced, buffered };

class database {
 public:
  // Opens (or creates) the database in dir. Fails with errc::locked when another
  // process holds it, errc::not_found when it is missing and may not be created,
  // errc::unsupported when a newer format wrote it, errc::io otherwise.
  static result<std::unique_ptr<database>> open(const std::filesystem::path& dir,
                                                const database_options& options = {});

  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  rocksdb::DB& db() { return *db_; }
  // The handle of c; nullptr only for a column family a read-only open did not find.
  rocksdb::ColumnFamilyHandle* cf(column c) { return handles_[static_cast<std::size_t>(c)]; }
  const std::filesystem::path& dir() const { return dir_; }

  // The value stored under key in c, nullopt when there is none.
  result<std::optional<std::string>> get(column c, std::string_view key);

  // Writes batch atomically; on success runs its on_commit callbacks and clears it.
  result<void> write(write_batch& batch, durability d);

  // The options an SST file for column c is written with (storage/sorted_files.hpp).
  rocksdb::Options sst_options(column c) const;
  // Moves finished SST files into column c (RocksDB's IngestExternalFile).
  result<void> ingest(column c, const std::vector<std::string>& files);
  // Moves one finished SST file into each of several columns, all or none (also
  // across a crash).
  result<void> ingest_together(const std::vector<std::pair<column, std::string>>& files);

  // Drops and recreates every projection column family (used before a full rebuild).
  result<void> reset_projections();

  // Flushes memtables and closes the database; called by the destructor if needed.
  result<void> close();

 private:
  database() = default;
  std::filesystem::path dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, column_count> handles_{};
  rocksdb::ColumnFamilyOptions cf_options_;
};

}  // namespace minitwit::storage
