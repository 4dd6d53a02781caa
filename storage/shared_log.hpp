// A replicated event log that several nodes share (cluster mode; the implementation
// is cluster/jetstream_log). Its order is the global order: every node applies its
// records in that order, into its own database, through the same projection, so that
// every node derives the same read models from the same prefix.
//
// Unlike the local log, nodes append concurrently and no node's state is ever exactly
// current, so a record is published without a seq of its own and without the ids that
// depend on the order (user and message ids are given by the applying node, in log
// order: storage/resolve.hpp). What must be decided once for the whole cluster is
// decided by the log: a record may carry a claim (a username), which the log stores
// only if no earlier record made the same claim.
//
// A record of the shared log holds one event or, batched, several: the events a node
// decided together travel as one record (a frame: see frame_events), so that the log
// stores, replicates and delivers one record per batch, not one per event. A record
// with a claim is never batched. The log's seq counts records; each node numbers the
// events it applies itself (its local log), in the log's order, the same on every node.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/event_log.hpp"

namespace minitwit::storage {

struct outgoing_record {
  std::string bytes;       // the encoded envelope
  std::string claim;       // non-empty: stored only if no earlier record claimed the same
  std::string publish_id;  // unique per record: a retried publish is recognised by it
};

enum class publish_status { stored, claimed_already };

struct publish_outcome {
  publish_status status = publish_status::stored;
  std::uint64_t seq = 0;  // when stored
};

struct received_record {
  std::uint64_t seq = 0;  // the record's position in the shared log
  std::string bytes;      // one encoded envelope, or (batched) a frame of them
  bool batched = false;
};

// A batch's events as one record's bytes: each event's length (4 bytes, big-endian),
// then its bytes.
std::string frame_events(std::span<const outgoing_record> events);
// The events of a received record, in order: views into r.bytes; errc::corrupt when a
// batched record's frame is cut short.
result<std::vector<std::string_view>> events_of(const received_record& r);

class shared_log : public event_log {
 public:
  // Publishes records, in order, each stored once a majority of the log's replicas has
  // it, and (when given) the cluster-wide `latest` with them. Consecutive records
  // without a claim may be stored as one batched record: their outcomes then name the
  // same seq. Fails as a whole (errc::unavailable) when the log cannot answer within
  // its time bound; some of the records may then be stored nonetheless.
  virtual result<std::vector<publish_outcome>> publish(std::span<const outgoing_record> records,
                                                       std::optional<std::int64_t> latest) = 0;

  // Starts receiving, on a thread of the log's, every record after `after`, in order;
  // calls wake() whenever new records are there for take_received(). Once.
  virtual result<void> start_receiving(std::uint64_t after, std::function<void()> wake) = 0;

  // Moves up to max received records, in order, to the end of out.
  virtual void take_received(std::vector<received_record>& out, std::size_t max) = 0;

  // The cluster-wide `latest` (the simulator's last processed action): store, and read
  // what any node stored last (nullopt: none ever).
  virtual result<void> store_latest(std::int64_t value) = 0;
  virtual result<std::optional<std::int64_t>> load_latest() const = 0;

  // Whether the node is connected to the log now, and a line about its state.
  virtual bool connected() const = 0;
  virtual std::string describe() const = 0;
};

}  // namespace minitwit::storage
