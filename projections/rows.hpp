// The read-model rows and their keys.
//
// | column family | key                          | value        |
// |---------------|------------------------------|--------------|
// | users         | username (raw bytes)         | user_row     |
// | users_by_id   | id (u64 BE)                  | user_row     |
// | follows       | follower id . followee id    | followee's username |
// | messages      | message id (u64 BE)          | message_row (with flag) |
// | user_msgs     | author id . ~message id      | message_row  |
// | public_msgs   | ~message id                  | message_row  |
// | author_heads  | author id                    | newest message id ever posted (u64 BE) |
//
// author_heads bounds each author's newest visible message from above (flagging does
// not lower it), which lets the home timeline skip authors that cannot make the page.
// Usernames never change, so the author's name is copied into every message row and
// the followee's name into every follow: a page is one scan with no joins.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/events.hpp"
#include "core/result.hpp"

namespace minitwit::projections {

// Bumped whenever the rows' layout or meaning changes: a server that finds another
// version in meta drops the read models and rebuilds them from the log.
inline constexpr std::uint64_t projection_version = 1;

struct user_row {
  core::user_id id = 0;
  std::string username;
  std::string email;
  std::string password_hash;
  bool operator==(const user_row&) const = default;
};

struct message_row {
  core::message_id id = 0;
  core::user_id author = 0;
  std::string author_name;
  std::string text;
  std::int64_t pub_date = 0;
  bool flagged = false;
  bool operator==(const message_row&) const = default;
};

std::string encode_row(const user_row& r);
std::string encode_row(const message_row& r);
// Decoding errors name the row kind, e.g. "corrupt user row: string length 9 is invalid".
result<user_row> decode_user_row(std::string_view bytes);
result<message_row> decode_message_row(std::string_view bytes);

}  // namespace minitwit::projections
