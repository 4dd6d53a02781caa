// Queries over the read models. Every query costs O(page size) (the home timeline
// O(followed users + page size)), never O(database size): each page is a bounded
// iterator scan over keys laid out for it (projections/rows.hpp). Safe to call from
// any number of threads concurrently with the writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "projections/rows.hpp"
#include "storage/database.hpp"

namespace minitwit::projections {

template <class T>
using query_result = result<T>;

// A page of messages, newest first, and the cursor for the next (older) page.
struct message_page {
  std::vector<message_row> messages;
  std::optional<core::message_id> older;  // pass as `before` to get the next page
};

class public_head;

class read_model {
 public:
  explicit read_model(storage::database& db) : db_(db) {}

  // Serves the public timeline's newest pages from this in-memory head when it can.
  void attach(const public_head& head) { head_ = &head; }

  result<std::optional<user_row>> user_by_name(std::string_view username) const;
  result<std::optional<user_row>> user_by_id(core::user_id id) const;

  // Messages with id < before (all when before is empty), newest first, at most limit.
  result<message_page> public_timeline(std::size_t limit,
                                       std::optional<core::message_id> before = {}) const;
  result<message_page> user_timeline(core::user_id author, std::size_t limit,
                                     std::optional<core::message_id> before = {}) const;
  // The user's own messages and those of everyone they follow, merged newest first.
  result<message_page> home_timeline(core::user_id user, std::size_t limit,
                                     std::optional<core::message_id> before = {}) const;

  // Usernames that follower follows, in followee-id order, at most limit.
  result<std::vector<std::string>> follows(core::user_id follower, std::size_t limit) const;
  result<bool> is_following(core::user_id follower, core::user_id followee) const;

  // The stored simulator `latest`, -1 when none was ever stored.
  result<std::int64_t> latest() const;
  // The highest event seq whose projection rows are written.
  result<std::uint64_t> checkpoint() const;

 private:
  result<message_page> scan_messages(storage::column c, const std::string& prefix,
                                     std::size_t limit,
                                     std::optional<core::message_id> before) const;
  result<std::vector<core::user_id>> followee_ids(core::user_id follower) const;
  storage::database& db_;
  const public_head* head_ = nullptr;
};

}  // namespace minitwit::projections
