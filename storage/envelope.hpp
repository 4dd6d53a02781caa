// The envelope around every event in the log: its place (seq), when it was recorded
// and the simulator's `latest` of the request that caused it.
#pragma once

#include <cstdint>
#include <optional>

#include "core/events.hpp"

namespace minitwit::storage {

struct envelope {
  std::uint64_t seq = 0;               // global, gap-free, starts at 1
  std::int64_t recorded_at_ms = 0;     // writer's clock, unix milliseconds
  std::optional<std::int64_t> latest;  // the request's `latest`, when it had one
  core::event event;
  bool operator==(const envelope&) const = default;
};

}  // namespace minitwit::storage
