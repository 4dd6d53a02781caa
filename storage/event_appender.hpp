// Writes events straight into the log of an empty database (import, migration,
// point-in-time copies): no decisions, no projections; the caller brings the read
// models up afterwards with projections::catch_up. Sequence numbers must start at 1
// and have no gaps. Batches are written unsynced and the last one synced, so a crash
// mid-import leaves a prefix of the log, never a torn event.
#pragma once

#include <cstdint>
#include "core/expected.hpp"
#include <optional>
#include <string>
#include <string_view>

#include <rocksdb/write_batch.h>

#include "storage/database.hpp"
#include "storage/envelope.hpp"

namespace minitwit::storage {

class event_appender {
 public:
  // Fails unless db's event log is empty.
  [[nodiscard]] static expected<event_appender, std::string> open(database& db);

  // Appends e; e.seq must be the next sequence number (0: assign it).
  [[nodiscard]] expected<void, std::string> append(envelope e);
  // Appends an already-encoded value (copied byte for byte, old schema versions kept).
  [[nodiscard]] expected<void, std::string> append_encoded(std::uint64_t seq, std::string_view value);
  // Remembers a request's `latest` carried by an appended event; finish() stores the
  // last one noted as the database's `latest` (append() notes it by itself).
  void note_latest(std::int64_t latest) { latest_ = latest; }
  // Writes what is left and syncs. Returns the number of events appended.
  [[nodiscard]] expected<std::uint64_t, std::string> finish();

 private:
  explicit event_appender(database& db) : db_(&db) {}
  expected<void, std::string> flush(bool sync);
  database* db_;
  rocksdb::WriteBatch batch_;
  std::uint64_t next_seq_ = 1;
  std::size_t in_batch_ = 0;
  std::optional<std::int64_t> latest_;
};

}  // namespace minitwit::storage
