// The append-only event log: column family `events`, key = seq (u64 big-endian),
// value = storage/event_codec encoding. Only the writer appends, always inside the
// same WriteBatch as the projection rows the events cause, so a crash keeps all or
// nothing. A replicated log (e.g. NATS JetStream) would be another implementation of
// this small surface.
#pragma once

#include <cstdint>
#include "core/expected.hpp"
#include <functional>
#include <string>

#include <rocksdb/write_batch.h>

#include "storage/database.hpp"
#include "storage/envelope.hpp"

namespace minitwit::storage {

class event_log {
 public:
  explicit event_log(database& db) : db_(db) {}

  // Adds the envelope at key e.seq to batch; nothing is written until the batch is.
  void append(rocksdb::WriteBatch& batch, const envelope& e);

  // The highest seq in the log, 0 when it is empty.
  [[nodiscard]] expected<std::uint64_t, std::string> last_seq() const;

  // Calls visit for every event with seq >= from, in order, until visit returns false.
  // Stops with an error naming the seq at the first event that cannot be decoded.
  using visitor = std::function<bool(const envelope&)>;
  [[nodiscard]] expected<void, std::string> scan(std::uint64_t from, const visitor& visit) const;

 private:
  database& db_;
};

}  // namespace minitwit::storage
