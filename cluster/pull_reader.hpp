// Reads a JetStream stream in order from a start sequence, in batches, through an
// ephemeral pull consumer (private to cluster/). The consumer is made on first use
// and again whenever the sequence asked for is not the one it would deliver next
// (after an error, a gap, or a reconnect), and when it has stopped delivering what the
// stream holds (the server it lived on died).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cluster/nats_handles.hpp"
#include "storage/shared_log.hpp"

namespace minitwit::cluster {

class pull_reader {
 public:
  pull_reader(jsCtx* js, std::string stream, std::string filter, std::chrono::milliseconds timeout)
      : js_(js), stream_(std::move(stream)), filter_(std::move(filter)), timeout_(timeout) {}

  // Appends up to max records with seq >= next to out, in order, and advances next
  // past them. When none are there, waits up to `wait` for one. No records is not an
  // error; a failing consumer is (it is made again on the next call).
  result<void> fetch(std::uint64_t& next, int max, std::chrono::milliseconds wait,
                     std::vector<storage::received_record>& out);

 private:
  result<void> subscribe(std::uint64_t from);

  jsCtx* js_;
  std::string stream_, filter_;
  std::chrono::milliseconds timeout_;
  nats_ptr<natsSubscription> sub_;
  std::uint64_t sub_next_ = 0;  // the seq the consumer delivers next
};

}  // namespace minitwit::cluster
