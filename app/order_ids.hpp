// The ids that depend on the shared log's order (cluster mode, private to app/): given
// by the applying node, the same on every node, since every node applies the same
// records in the same order. Records that carry ids already (imported from a
// single-node log) keep them.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/events.hpp"

namespace minitwit::app {

struct id_counters {
  std::uint64_t user = 1, message = 1;
  void resolve(core::event& e) {
    if (auto* r = std::get_if<core::user_registered>(&e)) {
      if (r->id == 0) r->id = user;
      user = std::max(user, r->id + 1);
    } else if (auto* m = std::get_if<core::message_posted>(&e)) {
      if (m->id == 0) m->id = message;
      message = std::max(message, m->id + 1);
    }
  }
};

}  // namespace minitwit::app
