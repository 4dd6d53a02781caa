// The event log in this node's own RocksDB: column family `events`, key = seq (u64
// big-endian), value = the encoded envelope. Appends join the caller's write batch, so
// that events and the read-model rows they cause are written by one synced write: a
// crash keeps all of them or none. One instance per database; the writer is its only
// appender (imports into an empty database aside).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

#include "storage/database.hpp"
#include "storage/event_log.hpp"

namespace minitwit::storage {

class local_event_log final : public event_log {
 public:
  // Reads the log's end from db.
  static result<std::unique_ptr<local_event_log>> open(database& db);
  // Reads the log's end again, after records came in around append() (ingested files).
  result<void> reload();

  result<void> append(std::uint64_t expected_last_seq, std::span<const std::string> encoded,
                      write_batch& local) override;
  result<std::uint64_t> last_seq() const override;
  result<void> scan(std::uint64_t from, const record_visitor& visit) const override;
  result<void> follow(std::uint64_t from, const record_visitor& visit,
                      std::stop_token stop) const override;

 private:
  explicit local_event_log(database& db) : db_(db) {}
  // Called once the batch holding records up to seq is written.
  void committed(std::uint64_t seq);
  // Visits records in [from, up_to]; returns the next seq to visit, or nullopt when visit said
  // stop.
  result<std::optional<std::uint64_t>> scan_range(std::uint64_t from, std::uint64_t up_to,
                                                  const record_visitor& visit) const;

  database& db_;
  mutable std::mutex mu_;
  mutable std::condition_variable_any appended_;
  std::uint64_t last_seq_ = 0;  // of the last written batch
};

// The last seq of the log in a database's `events` column family, read from RocksDB.
result<std::uint64_t> read_last_seq(database& db);

}  // namespace minitwit::storage
