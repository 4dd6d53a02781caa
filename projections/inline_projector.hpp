// The read models, maintained inline: for every event the writer records, apply()
// adds the rows it causes to the same WriteBatch, so read models never lag or drift
// from the log. It also serves the writer's decisions (core::state_view) from
// committed rows plus the rows pending in the current batch.
#pragma once

#include <array>
#include <mutex>
#include <variant>
#include <vector>
#include <cstdint>
#include "core/expected.hpp"
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "projections/public_head.hpp"
#include "projections/rows.hpp"
#include "storage/database.hpp"
#include "projections/projector.hpp"

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

class inline_projector final : public projections::projector, private core::state_view {
 public:
  // Loads the committed counters from meta.
  [[nodiscard]] static expected<std::unique_ptr<inline_projector>, std::string> open(
      storage::database& db);

  const core::state_view& state() const override { return *this; }
  void apply(const storage::envelope& e, rocksdb::WriteBatch& batch) override;
  void finish_batch(rocksdb::WriteBatch& batch) override;
  void end_batch(bool committed) override;

  // Committed counts; safe to call from any thread.
  entity_counts counts() const;

  // Keeps this in-memory head of the public timeline up to date (before the writer
  // answers a batch). Call before the writer starts.
  void attach(public_head& head) { head_ = &head; }

 private:
  explicit inline_projector(storage::database& db) : db_(db) {}

  std::optional<core::user_id> find_user(std::string_view username) const override;
  bool is_following(core::user_id follower, core::user_id followee) const override;
  std::optional<core::message_state> find_message(core::message_id id) const override;

  // Pending-aware lookups; throw std::runtime_error on a storage error.
  std::optional<user_row> user_by_id(core::user_id id) const;
  std::optional<message_row> message_by_id(core::message_id id) const;
  std::optional<std::string> get(storage::column c, std::string_view key) const;

  void apply_event(const core::user_registered& e, rocksdb::WriteBatch& b);
  void apply_event(const core::message_posted& e, rocksdb::WriteBatch& b);
  void apply_event(const core::user_followed& e, rocksdb::WriteBatch& b);
  void apply_event(const core::user_unfollowed& e, rocksdb::WriteBatch& b);
  void apply_event(const core::message_flagged& e, rocksdb::WriteBatch& b);
  void apply_event(const core::password_rehashed& e, rocksdb::WriteBatch& b);

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
