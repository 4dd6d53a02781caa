// The scenario format of the course's simulator (what it sends, in the order it sends
// it): one action per line, tab-separated,
//   <action id> <delay> <unix ms> register <username> <email> <password>
//   <action id> <delay> <unix ms> tweet    <username> <content>
//   <action id> <delay> <unix ms> follow   <username> <username to follow>
//   <action id> <delay> <unix ms> unfollow <username> <username to unfollow>
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace minitwit::loadgen {

enum class action_kind { register_user, tweet, follow, unfollow };

struct action {
  std::int64_t id = 0;
  double delay = 0;  // as written in the scenario (seconds)
  std::int64_t unix_ms = 0;
  action_kind kind = action_kind::tweet;
  std::string user;
  std::string arg1;  // email, content, or the other user
  std::string arg2;  // password (register only)
};

const char* kind_name(action_kind k);

// Parses a whole scenario; blank lines and lines starting with '#' are skipped. An
// error names the line and what is wrong with it.
result<std::vector<action>> read_scenario(std::istream& in);

// One line, without the newline. Fields must not contain tabs or newlines.
std::string format_action(const action& a);

}  // namespace minitwit::loadgen
