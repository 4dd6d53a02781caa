// Domain events of MiniTwit: the only facts the system ever records. An event, once
// written to the log, is never changed; a change of shape is a new schema version plus
// an upcaster in storage/event_codec.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace minitwit::core {

using user_id = std::uint64_t;
using message_id = std::uint64_t;

// Personal data (username, email, password hash, text) stays inside these structs so
// that sealing it later ("crypto-shredding") is a change to one codec.
struct user_registered {
  user_id id = 0;
  std::string username;
  std::string email;
  std::string password_hash;  // Argon2id string with its own parameters; never a password
  bool operator==(const user_registered&) const = default;
};

struct message_posted {
  message_id id = 0;
  user_id author = 0;
  std::string text;
  std::int64_t pub_date = 0;  // unix seconds, UTC, chosen by the writer
  bool operator==(const message_posted&) const = default;
};

struct user_followed {
  user_id follower = 0;
  user_id followee = 0;
  bool operator==(const user_followed&) const = default;
};

struct user_unfollowed {
  user_id follower = 0;
  user_id followee = 0;
  bool operator==(const user_unfollowed&) const = default;
};

// Moderation: flagged = true hides the message everywhere, false shows it again.
struct message_flagged {
  message_id id = 0;
  bool flagged = true;
  bool operator==(const message_flagged&) const = default;
};

// A user's stored password hash was replaced: a legacy (Werkzeug) hash upgraded to
// Argon2id on a successful login, or an Argon2id hash whose cost was raised.
struct password_rehashed {
  user_id id = 0;
  std::string password_hash;
  bool operator==(const password_rehashed&) const = default;
};

// The order is the storage type tag minus one; append only.
using event = std::variant<user_registered, message_posted, user_followed, user_unfollowed,
                           message_flagged, password_rehashed>;

// The stable type tag of an event, e.g. "user_registered" (used in logs and exports).
std::string_view event_type_name(const event& e);

}  // namespace minitwit::core
