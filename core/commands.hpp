// Commands: what a client asks for. A command is decided (core/decide.hpp) into zero or
// more events, or refused with a domain error.
#pragma once

#include <string>
#include <variant>

#include "core/events.hpp"

namespace minitwit::core {

// The password is hashed before the command is queued: the writer never hashes.
struct register_user {
  std::string username;
  std::string email;
  std::string password_hash;
};

struct post_message {
  std::string author;
  std::string text;
};

struct follow_user {
  std::string follower;
  std::string followee;
};

struct unfollow_user {
  std::string follower;
  std::string followee;
};

struct flag_message {
  message_id id = 0;
  bool flagged = true;
};

// Replaces a user's password hash (computed before queuing, like register_user's).
struct rehash_password {
  std::string username;
  std::string password_hash;
};

using command = std::variant<register_user, post_message, follow_user, unfollow_user, flag_message,
                             rehash_password>;

}  // namespace minitwit::core
