// Appends events to the log of an empty database (import, migration, point-in-time
// copies): no decisions, no projections; the caller brings the read models up
// afterwards with projections::catch_up. Sequence numbers must start at 1 and have no
// gaps. Batches are written unsynced and the last one synced, so a crash mid-import
// leaves a prefix of the log, never a torn event.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "storage/database.hpp"
#include "storage/envelope.hpp"
#include "storage/local_event_log.hpp"
#include "storage/write_batch.hpp"

namespace minitwit::storage {

class event_appender {
 public:
  // Fails with errc::not_empty unless db's event log is empty.
  static result<event_appender> open(database& db);

  // Appends e; e.seq must be the next sequence number (0: assign it).
  result<void> append(envelope e);
  // Appends an already-encoded value (copied byte for byte, old schema versions kept).
  result<void> append_encoded(std::uint64_t seq, std::string_view value);
  // Remembers a request's `latest` carried by an appended event; finish() stores the
  // last one noted as the database's `latest` (append() notes it by itself).
  void note_latest(std::int64_t latest) { latest_ = latest; }
  // Writes what is left and syncs. Returns the number of events appended.
  result<std::uint64_t> finish();

 private:
  event_appender(database& db, std::unique_ptr<local_event_log> log)
      : db_(&db), log_(std::move(log)), batch_(db) {}
  result<void> flush(durability d);

  database* db_;
  std::unique_ptr<local_event_log> log_;
  write_batch batch_;
  std::vector<std::string> pending_;  // encoded, from written_ + 1 on
  std::uint64_t written_ = 0;         // the last seq handed to the log
  std::optional<std::int64_t> latest_;
};

}  // namespace minitwit::storage
