// The newest visible public messages, in memory: `GET /msgs` and the first page of the
// public timeline without a RocksDB iterator (the hottest read of the simulator API).
// A projection like the others: loaded from the public timeline at start-up, and
// updated by the writer thread with the messages each committed batch posted or
// (un)flagged, before the batch's requests are answered, so a client sees its own
// message once answered. Readers take an immutable snapshot.
//
// It always holds the newest k visible messages, newest first, with k at most
// `capacity`; below `floor` (the newest message it had to drop) it knows nothing, so a
// page that would reach below the floor is read from RocksDB instead.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "projections/read_model.hpp"

namespace minitwit::projections {

class public_head {
 public:
  explicit public_head(std::size_t capacity = 256) : capacity_(capacity) {}

  result<void> load(const read_model& reads);
  // Rows posted or whose flag changed in one committed batch, in any order.
  void apply(std::vector<message_row> changed);
  // The newest `limit` messages, or nullopt when they are not all held here.
  std::optional<message_page> page(std::size_t limit) const;

 private:
  struct snapshot {
    std::vector<message_row> rows;  // newest first
    core::message_id floor = 0;     // 0: every visible message is in rows
  };
  std::shared_ptr<const snapshot> current() const;

  std::size_t capacity_;
  mutable std::mutex mu_;
  std::shared_ptr<const snapshot> current_ = std::make_shared<snapshot>();
};

}  // namespace minitwit::projections
