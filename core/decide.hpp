// The business rules: pure functions from (command, state, context) to events or a
// domain error. No I/O, no clock, no threads: time and fresh ids come in through
// decision_context, so that deciding is deterministic and trivially testable.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/commands.hpp"
#include "core/events.hpp"
#include "core/result.hpp"

namespace minitwit::core {

enum class domain_error {
  username_taken,    // register: the name is registered already
  unknown_user,      // the acting user (or the timeline's owner) does not exist
  unknown_followee,  // follow/unfollow: the other user does not exist
  unknown_message,   // flag: no message with that id
};

// A human-readable text for a domain error, e.g. "The username is already taken".
std::string_view describe(domain_error e);

struct message_state {
  user_id author = 0;
  bool flagged = false;
};

// Read-only view of the current state that decisions need. The writer implements it
// as committed state plus the not-yet-written part of its own batch; a lookup fails
// only when that state cannot be read.
class state_view {
 public:
  virtual ~state_view() = default;
  virtual result<std::optional<user_id>> find_user(std::string_view username) const = 0;
  virtual result<bool> is_following(user_id follower, user_id followee) const = 0;
  virtual result<std::optional<message_state>> find_message(message_id id) const = 0;
};

// What the writer supplies to a decision: the time and the next free ids.
struct decision_context {
  std::int64_t now_seconds = 0;
  user_id next_user_id = 1;
  message_id next_message_id = 1;
};

// The events a command causes, or the rule it breaks.
using decision = tl::expected<std::vector<event>, domain_error>;

// Decides a command. An empty vector means "accepted, nothing changes" (following a
// user twice, unfollowing a stranger, following oneself, flagging a flagged message).
// Fails (the outer result) only when the state could not be read.
result<decision> decide(const command& c, const state_view& state, const decision_context& ctx);

}  // namespace minitwit::core
