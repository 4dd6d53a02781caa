#include "projections/inline_projector.hpp"

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

}  // namespace

std::string_view event_type_name_at(std::size_t i) {
  static const auto names = [] {
    std::array<std::string_view, event_type_count> n{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((n[I] = core::event_type_name(core::event(std::in_place_index<I>))), ...);
    }
    (std::make_index_sequence<event_type_count>{});
    return n;
  }();
  return names[i];
}

std::vector<std::string> counter_keys() {
  std::vector<std::string> keys = {std::string(storage::meta_key::user_count),
                                   std::string(storage::meta_key::message_count),
                                   std::string(storage::meta_key::follow_count)};
  for (std::size_t i = 0; i < event_type_count; ++i)
    keys.push_back("count.events." + std::string(event_type_name_at(i)));
  return keys;
}

result<std::unique_ptr<inline_projector>> inline_projector::open(storage::database& db) {
  std::unique_ptr<inline_projector> p(new inline_projector(db));
  if (auto r = p->reload(); !r) return make_error(r.error());
  return p;
}

result<entity_counts> read_counts(storage::database& db) {
  auto keys = counter_keys();
  entity_counts loaded;
  auto slots = counters(loaded);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto v = storage::read_meta_u64(db, keys[i]);
    if (!v) return make_error(v.error());
    *slots[i] = static_cast<std::int64_t>(*v);
  }
  return loaded;
}

result<void> inline_projector::reload() {
  auto loaded = read_counts(db_);
  if (!loaded) return make_error(loaded.error());
  pending_ = *loaded;
  end_batch(true);
  return {};
}

entity_counts inline_projector::counts() const {
  std::lock_guard lock(committed_mu_);
  return committed_;
}

namespace {

// Reads and decodes one row: nullopt when there is none.
template <class Row, class Decode>
result<std::optional<Row>> read_row(storage::database& db, column c, std::string_view key,
                                    Decode decode) {
  auto v = db.get(c, key);
  if (!v) return make_error(v.error());
  if (!*v) return std::optional<Row>{};
  auto row = decode(**v);
  if (!row) return make_error(row.error());
  return std::optional<Row>(std::move(*row));
}

error missing(std::string what) { return {errc::corrupt, std::move(what)}; }

}  // namespace

result<std::optional<core::user_id>> inline_projector::find_user(std::string_view username) const {
  if (auto it = pending_names_.find(std::string(username)); it != pending_names_.end())
    return std::optional<core::user_id>(it->second);
  auto row = read_row<user_row>(db_, column::users, username, decode_user_row);
  if (!row) return make_error(row.error());
  if (!*row) return std::optional<core::user_id>{};
  return std::optional<core::user_id>((*row)->id);
}

result<bool> inline_projector::is_following(core::user_id a, core::user_id b) const {
  if (auto it = pending_follows_.find({a, b}); it != pending_follows_.end()) return it->second;
  auto v = db_.get(column::follows, keys::u64_pair(a, b));
  if (!v) return make_error(v.error());
  return v->has_value();
}

result<std::optional<core::message_state>> inline_projector::find_message(
    core::message_id id) const {
  auto m = message_by_id(id);
  if (!m) return make_error(m.error());
  if (!*m) return std::optional<core::message_state>{};
  return std::optional(core::message_state{(*m)->author, (*m)->flagged});
}

result<std::optional<user_row>> inline_projector::user_by_id(core::user_id id) const {
  if (auto it = pending_users_.find(id); it != pending_users_.end())
    return std::optional(it->second);
  return read_row<user_row>(db_, column::users_by_id, keys::u64(id), decode_user_row);
}

result<std::optional<message_row>> inline_projector::message_by_id(core::message_id id) const {
  if (auto it = pending_messages_.find(id); it != pending_messages_.end())
    return std::optional(it->second);
  return read_row<message_row>(db_, column::messages, keys::u64(id), decode_message_row);
}

result<void> inline_projector::apply(const storage::envelope& e, storage::write_batch& batch) {
  auto applied = std::visit([&](const auto& ev) { return apply_event(ev, batch); }, e.event);
  if (!applied)
    return make_error(applied.error().prefixed("event " + std::to_string(e.seq) + ": "));
  ++pending_.events_by_type[e.event.index()];
  return {};
}

result<void> inline_projector::apply_event(const core::password_rehashed& e,
                                           storage::write_batch& b) {
  auto row = user_by_id(e.id);
  if (!row) return make_error(row.error());
  if (!*row) return make_error(missing("password of unknown user " + std::to_string(e.id)));
  auto& user = **row;
  user.password_hash = e.password_hash;
  auto bytes = encode_row(user);
  b.put(column::users, user.username, bytes);
  b.put(column::users_by_id, keys::u64(e.id), bytes);
  pending_users_[e.id] = std::move(user);
  return {};
}

result<void> inline_projector::apply_event(const core::user_registered& e,
                                           storage::write_batch& b) {
  user_row row{e.id, e.username, e.email, e.password_hash};
  auto bytes = encode_row(row);
  b.put(column::users, e.username, bytes);
  b.put(column::users_by_id, keys::u64(e.id), bytes);
  pending_names_[e.username] = e.id;
  pending_users_[e.id] = std::move(row);
  ++pending_.users;
  return {};
}

namespace {

// Puts a visible message into the timelines it belongs to.
void put_timeline_rows(storage::write_batch& b, const message_row& row, const std::string& bytes) {
  b.put(column::user_msgs, keys::u64_pair(row.author, keys::invert(row.id)), bytes);
  b.put(column::public_msgs, keys::u64(keys::invert(row.id)), bytes);
}

}  // namespace

result<void> inline_projector::apply_event(const core::message_posted& e, storage::write_batch& b) {
  auto author = user_by_id(e.author);
  if (!author) return make_error(author.error());
  if (!*author)
    return make_error(missing("message " + std::to_string(e.id) + " has an unknown author"));
  message_row row{e.id, e.author, (*author)->username, e.text, e.pub_date, false};
  auto bytes = encode_row(row);
  b.put(column::messages, keys::u64(e.id), bytes);
  put_timeline_rows(b, row, bytes);
  b.put(column::author_heads, keys::u64(e.author), keys::u64(e.id));
  pending_messages_[e.id] = std::move(row);
  ++pending_.messages;
  return {};
}

result<void> inline_projector::apply_event(const core::user_followed& e, storage::write_batch& b) {
  auto followee = user_by_id(e.followee);
  if (!followee) return make_error(followee.error());
  if (!*followee)
    return make_error(missing("follow of unknown user " + std::to_string(e.followee)));
  auto following = is_following(e.follower, e.followee);
  if (!following) return make_error(following.error());
  if (*following) return {};
  b.put(column::follows, keys::u64_pair(e.follower, e.followee), (*followee)->username);
  pending_follows_[{e.follower, e.followee}] = true;
  ++pending_.follows;
  return {};
}

result<void> inline_projector::apply_event(const core::user_unfollowed& e,
                                           storage::write_batch& b) {
  auto following = is_following(e.follower, e.followee);
  if (!following) return make_error(following.error());
  if (!*following) return {};
  b.remove(column::follows, keys::u64_pair(e.follower, e.followee));
  pending_follows_[{e.follower, e.followee}] = false;
  --pending_.follows;
  return {};
}

result<void> inline_projector::apply_event(const core::message_flagged& e,
                                           storage::write_batch& b) {
  auto found = message_by_id(e.id);
  if (!found) return make_error(found.error());
  if (!*found) return make_error(missing("flag of unknown message " + std::to_string(e.id)));
  auto& row = **found;
  if (row.flagged == e.flagged) return {};
  row.flagged = e.flagged;
  auto bytes = encode_row(row);
  b.put(column::messages, keys::u64(e.id), bytes);
  if (e.flagged) {
    b.remove(column::user_msgs, keys::u64_pair(row.author, keys::invert(row.id)));
    b.remove(column::public_msgs, keys::u64(keys::invert(row.id)));
    --pending_.messages;
  } else {
    put_timeline_rows(b, row, bytes);
    ++pending_.messages;
  }
  pending_messages_[e.id] = std::move(row);
  return {};
}

void inline_projector::finish_batch(storage::write_batch& batch) {
  static const auto keys = counter_keys();
  auto slots = counters(pending_);
  for (std::size_t i = 0; i < keys.size(); ++i)
    batch.put_meta(keys[i], static_cast<std::uint64_t>(*slots[i]));
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
