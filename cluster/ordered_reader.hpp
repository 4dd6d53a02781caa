// Follows a JetStream stream in order from a start sequence through an ordered push
// consumer (private to cluster/): the server sends every record as it is stored, with
// flow control, so a node receives new records without asking for each batch. The
// consumer is made again from the next seq needed after a gap, an error, a restart far
// back, or waits in which nothing came although the stream holds more (the server it
// lived on died).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cluster/nats_handles.hpp"
#include "storage/shared_log.hpp"

namespace minitwit::cluster {

class ordered_reader {
 public:
  ordered_reader(jsCtx* js, std::string stream, std::string filter,
                 std::chrono::milliseconds timeout)
      : js_(js), stream_(std::move(stream)), filter_(std::move(filter)), timeout_(timeout) {}

  // Appends up to max records with seq >= next to out, in order, and advances next
  // past them; waits up to `wait` for the first. No records is not an error; a failing
  // consumer is when it failed before giving any (it is made again on the next call).
  result<void> fetch(std::uint64_t& next, int max, std::chrono::milliseconds wait,
                     std::vector<storage::received_record>& out);

 private:
  result<void> subscribe(std::uint64_t from);

  jsCtx* js_;
  std::string stream_, filter_;
  std::chrono::milliseconds timeout_;
  nats_ptr<natsSubscription> sub_;
  std::uint64_t sub_next_ = 0;  // the seq the consumer delivers next
  unsigned empty_waits_ = 0;    // waits in a row that brought nothing
};

}  // namespace minitwit::cluster
