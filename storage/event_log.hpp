// The event log: the only source of truth. Every event has a place (seq) in one global
// order, gap-free from 1; a record is that seq and the event's encoded envelope
// (storage/event_codec.hpp). Read models are projections of this log and can be
// rebuilt from it at any time.
//
// This is the seam between the application and where the log lives. The default is
// local (storage/local_event_log.hpp: the `events` column family of the node's own
// RocksDB, written in the same atomic batch as the read-model rows its events cause).
// A replicated log shared by several nodes implements the same interface; it keeps a
// copy of every record it hands out in the node's `events` column family, so that
// backups, snapshots and the tools work the same on any node.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "storage/envelope.hpp"

namespace minitwit::storage {

class write_batch;

struct log_record {
  std::uint64_t seq = 0;
  std::string_view bytes;  // the encoded envelope; valid during the visit only
};

// Called for each record in order; returns false to stop.
using record_visitor = std::function<bool(const log_record&)>;

class event_log {
 public:
  virtual ~event_log() = default;

  // Appends encoded events as the records expected_last_seq + 1, + 2, ... as one unit,
  // or fails with errc::conflict, appending nothing, when the log's last seq is not
  // expected_last_seq (another writer came first: catch up and decide again). The
  // records' copy in this node's `events` column family is added to `local`; where they
  // become durable is the implementation's to say (local: when `local` is written).
  virtual result<void> append(std::uint64_t expected_last_seq, std::span<const std::string> encoded,
                              write_batch& local) = 0;

  // The seq of the last record, 0 when the log is empty.
  virtual result<std::uint64_t> last_seq() const = 0;

  // Visits every record with seq >= from, in order, until visit returns false.
  virtual result<void> scan(std::uint64_t from, const record_visitor& visit) const = 0;

  // Like scan, then keeps visiting records as they are appended (by this node or, for a
  // replicated log, any other), until visit returns false or stop is requested.
  virtual result<void> follow(std::uint64_t from, const record_visitor& visit,
                              std::stop_token stop) const = 0;
};

// Visits decoded envelopes (upcast to the current schema) with seq >= from, in order,
// until visit returns false. Stops with errc::corrupt or errc::unsupported at the first
// record that cannot be decoded, naming its seq.
result<void> scan_events(const event_log& log, std::uint64_t from,
                         const std::function<bool(const envelope&)>& visit);

}  // namespace minitwit::storage
