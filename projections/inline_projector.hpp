// The read models, maintained inline: for every event the writer records, apply()
// adds the rows it causes to the same WriteBatch, so read models never lag or drift
// from the log. It also serves the writer's decisions (core::state_view) from
// committed rows plus the rows pending in the current batch.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "projections/projector.hpp"
#include "projections/public_head.hpp"
#include "projections/rows.hpp"
#include "storage/database.hpp"

namespace minitwit::projections {

inline constexpr std::size_t event_type_count = std::variant_size_v<core::event>;

struct entity_counts {
  std::int64_t users = 0;
  std::int64_t messages = 0;  // visible, i.e. not flagged
  std::int64_t follows = 0;
  std::array<std::int64_t, event_type_count> events_by_type{};  // in variant order
};

// The meta keys of the counters, e.g. "count.users", "count.events.message_posted".
std::vector<std::string> counter_keys();

// The committed counters as stored in db's meta.
result<entity_counts> read_counts(storage::database& db);

// The name of the event type at variant index i, e.g. "message_posted".
std::string_view event_type_name_at(std::size_t i);

class inline_projector final : public projections::projector, private core::state_view {
 public:
  // Loads the committed counters from meta.
  static result<std::unique_ptr<inline_projector>> open(storage::database& db);

  const core::state_view& state() const override { return *this; }
  result<void> apply(const storage::envelope& e, storage::write_batch& batch) override;
  void finish_batch(storage::write_batch& batch) override;
  void end_batch(bool committed) override;

  // Reloads the committed counters from meta (after the read models were reset).
  result<void> reload();

  // Committed counts; safe to call from any thread.
  entity_counts counts() const;

  // Keeps this in-memory head of the public timeline up to date (before the writer
  // answers a batch). Call before the writer starts.
  void attach(public_head& head) { head_ = &head; }

 private:
  explicit inline_projector(storage::database& db) : db_(db) {}

  result<std::optional<core::user_id>> find_user(std::string_view username) const override;
  result<bool> is_following(core::user_id follower, core::user_id followee) const override;
  result<std::optional<core::message_state>> find_message(core::message_id id) const override;

  // Pending-aware lookups.
  result<std::optional<user_row>> user_by_id(core::user_id id) const;
  result<std::optional<message_row>> message_by_id(core::message_id id) const;

  result<void> apply_event(const core::user_registered& e, storage::write_batch& b);
  result<void> apply_event(const core::message_posted& e, storage::write_batch& b);
  result<void> apply_event(const core::user_followed& e, storage::write_batch& b);
  result<void> apply_event(const core::user_unfollowed& e, storage::write_batch& b);
  result<void> apply_event(const core::message_flagged& e, storage::write_batch& b);
  result<void> apply_event(const core::password_rehashed& e, storage::write_batch& b);

  storage::database& db_;
  std::unordered_map<std::string, core::user_id> pending_names_;
  std::unordered_map<core::user_id, user_row> pending_users_;
  std::map<std::pair<core::user_id, core::user_id>, bool> pending_follows_;
  std::unordered_map<core::message_id, message_row> pending_messages_;
  entity_counts pending_;  // committed + this batch's changes
  mutable std::mutex committed_mu_;
  entity_counts committed_;
  public_head* head_ = nullptr;
};

}  // namespace minitwit::projections
