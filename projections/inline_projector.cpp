#include "projections/inline_projector.hpp"

#include <stdexcept>

#include "storage/keys.hpp"
#include "storage/meta.hpp"

namespace minitwit::projections {

using storage::column;
namespace keys = storage::keys;

namespace {

// Every counter, in one order: users, messages, follows, then events by type.
std::vector<std::int64_t*> counters(entity_counts& c) {
  std::vector<std::int64_t*> out = {&c.users, &c.messages, &c.follows};
  for (auto& n : c.events_by_type) out.push_back(&n);
  return out;
}

std::string_view type_name_at(std::size_t i) {
  static const auto names = [] {
    std::array<std::string_view, event_type_count> n{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((n[I] = core::event_type_name(core::event(std::in_place_index<I>))), ...);
    }(std::make_index_sequence<event_type_count>{});
    return n;
  }();
  return names[i];
}

}  // namespace

std::vector<std::string> counter_keys() {
  std::vector<std::string> keys = {std::string(storage::meta_key::user_count),
                                   std::string(storage::meta_key::message_count),
                                   std::string(storage::meta_key::follow_count)};
  for (std::size_t i = 0; i < event_type_count; ++i)
    keys.push_back("count.events." + std::string(type_name_at(i)));
  return keys;
}

expected<std::unique_ptr<inline_projector>, std::string> inline_projector::open(
    storage::database& db) {
  std::unique_ptr<inline_projector> p(new inline_projector(db));
  auto keys = counter_keys();
  auto slots = counters(p->pending_);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto v = storage::read_meta_u64(db, keys[i]);
    if (!v) return unexpected(v.error());
    *slots[i] = static_cast<std::int64_t>(*v);
  }
  p->end_batch(true);
  return p;
}

entity_counts inline_projector::counts() const {
  std::lock_guard lock(committed_mu_);
  return committed_;
}

std::optional<std::string> inline_projector::get(column c, std::string_view key) const {
  std::string value;
  auto s = db_.db().Get(rocksdb::ReadOptions(), db_.cf(c), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) throw std::runtime_error("read of " + std::string(storage::column_name(c)) + " failed: " + s.ToString());
  return value;
}

std::optional<core::user_id> inline_projector::find_user(std::string_view username) const {
  if (auto it = pending_names_.find(std::string(username)); it != pending_names_.end())
    return it->second;
  auto v = get(column::users, username);
  if (!v) return std::nullopt;
  auto row = decode_user_row(*v);
  if (!row) throw std::runtime_error(row.error());
  return row->id;
}

bool inline_projector::is_following(core::user_id a, core::user_id b) const {
  if (auto it = pending_follows_.find({a, b}); it != pending_follows_.end()) return it->second;
  return get(column::follows, keys::u64_pair(a, b)).has_value();
}

std::optional<core::message_state> inline_projector::find_message(core::message_id id) const {
  auto m = message_by_id(id);
  if (!m) return std::nullopt;
  return core::message_state{m->author, m->flagged};
}

std::optional<user_row> inline_projector::user_by_id(core::user_id id) const {
  if (auto it = pending_users_.find(id); it != pending_users_.end()) return it->second;
  auto v = get(column::users_by_id, keys::u64(id));
  if (!v) return std::nullopt;
  auto row = decode_user_row(*v);
  if (!row) throw std::runtime_error(row.error());
  return *row;
}

std::optional<message_row> inline_projector::message_by_id(core::message_id id) const {
  if (auto it = pending_messages_.find(id); it != pending_messages_.end()) return it->second;
  auto v = get(column::messages, keys::u64(id));
  if (!v) return std::nullopt;
  auto row = decode_message_row(*v);
  if (!row) throw std::runtime_error(row.error());
  return *row;
}

void inline_projector::apply(const storage::envelope& e, rocksdb::WriteBatch& batch) {
  std::visit([&](const auto& ev) { apply_event(ev, batch); }, e.event);
  ++pending_.events_by_type[e.event.index()];
}

void inline_projector::apply_event(const core::password_rehashed& e, rocksdb::WriteBatch& b) {
  auto row = user_by_id(e.id);
  if (!row) throw std::runtime_error("password of unknown user " + std::to_string(e.id));
  row->password_hash = e.password_hash;
  auto bytes = encode_row(*row);
  (void)b.Put(db_.cf(column::users), row->username, bytes);
  (void)b.Put(db_.cf(column::users_by_id), keys::u64(e.id), bytes);
  pending_users_[e.id] = std::move(*row);
}

void inline_projector::apply_event(const core::user_registered& e, rocksdb::WriteBatch& b) {
  user_row row{e.id, e.username, e.email, e.password_hash};
  auto bytes = encode_row(row);
  (void)b.Put(db_.cf(column::users), e.username, bytes);
  (void)b.Put(db_.cf(column::users_by_id), keys::u64(e.id), bytes);
  pending_names_[e.username] = e.id;
  pending_users_[e.id] = std::move(row);
  ++pending_.users;
}

// Puts a visible message into the timelines it belongs to.
static void put_timeline_rows(storage::database& db, rocksdb::WriteBatch& b,
                              const message_row& row, const std::string& bytes) {
  (void)b.Put(db.cf(column::user_msgs), keys::u64_pair(row.author, keys::invert(row.id)), bytes);
  (void)b.Put(db.cf(column::public_msgs), keys::u64(keys::invert(row.id)), bytes);
}

void inline_projector::apply_event(const core::message_posted& e, rocksdb::WriteBatch& b) {
  auto author = user_by_id(e.author);
  if (!author) throw std::runtime_error("message " + std::to_string(e.id) + " has an unknown author");
  message_row row{e.id, e.author, author->username, e.text, e.pub_date, false};
  auto bytes = encode_row(row);
  (void)b.Put(db_.cf(column::messages), keys::u64(e.id), bytes);
  put_timeline_rows(db_, b, row, bytes);
  (void)b.Put(db_.cf(column::author_heads), keys::u64(e.author), keys::u64(e.id));
  pending_messages_[e.id] = std::move(row);
  ++pending_.messages;
}

void inline_projector::apply_event(const core::user_followed& e, rocksdb::WriteBatch& b) {
  auto followee = user_by_id(e.followee);
  if (!followee) throw std::runtime_error("follow of unknown user " + std::to_string(e.followee));
  if (is_following(e.follower, e.followee)) return;
  (void)b.Put(db_.cf(column::follows), keys::u64_pair(e.follower, e.followee), followee->username);
  pending_follows_[{e.follower, e.followee}] = true;
  ++pending_.follows;
}

void inline_projector::apply_event(const core::user_unfollowed& e, rocksdb::WriteBatch& b) {
  if (!is_following(e.follower, e.followee)) return;
  (void)b.Delete(db_.cf(column::follows), keys::u64_pair(e.follower, e.followee));
  pending_follows_[{e.follower, e.followee}] = false;
  --pending_.follows;
}

void inline_projector::apply_event(const core::message_flagged& e, rocksdb::WriteBatch& b) {
  auto row = message_by_id(e.id);
  if (!row) throw std::runtime_error("flag of unknown message " + std::to_string(e.id));
  if (row->flagged == e.flagged) return;
  row->flagged = e.flagged;
  auto bytes = encode_row(*row);
  (void)b.Put(db_.cf(column::messages), keys::u64(e.id), bytes);
  if (e.flagged) {
    (void)b.Delete(db_.cf(column::user_msgs), keys::u64_pair(row->author, keys::invert(row->id)));
    (void)b.Delete(db_.cf(column::public_msgs), keys::u64(keys::invert(row->id)));
    --pending_.messages;
  } else {
    put_timeline_rows(db_, b, *row, bytes);
    ++pending_.messages;
  }
  pending_messages_[e.id] = std::move(*row);
}

void inline_projector::finish_batch(rocksdb::WriteBatch& batch) {
  static const auto keys = counter_keys();
  auto slots = counters(pending_);
  for (std::size_t i = 0; i < keys.size(); ++i)
    storage::put_meta_u64(db_, batch, keys[i], static_cast<std::uint64_t>(*slots[i]));
}

void inline_projector::end_batch(bool committed) {
  if (committed) {
    if (head_ && !pending_messages_.empty()) {
      std::vector<message_row> changed;
      changed.reserve(pending_messages_.size());
      for (auto& [id, row] : pending_messages_) changed.push_back(std::move(row));
      head_->apply(std::move(changed));
    }
    std::lock_guard lock(committed_mu_);
    committed_ = pending_;
  } else {
    pending_ = counts();
  }
  pending_names_.clear();
  pending_users_.clear();
  pending_follows_.clear();
  pending_messages_.clear();
}

}  // namespace minitwit::projections
