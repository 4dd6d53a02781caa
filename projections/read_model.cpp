#include "projections/read_model.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <queue>

#include "projections/public_head.hpp"
#include "storage/keys.hpp"
#include "storage/meta.hpp"

namespace minitwit::projections {

using storage::column;
namespace keys = storage::keys;

namespace {

error read_error(const rocksdb::Status& s) { return {errc::io, "read failed: " + s.ToString()}; }

// The key to seek to for messages older than `before` under prefix.
std::string seek_key(const std::string& prefix, std::optional<core::message_id> before) {
  std::string k = prefix;
  keys::append_u64(k, before ? keys::invert(*before - 1) : 0);
  return k;
}

bool starts_with(const rocksdb::Slice& key, const std::string& prefix) {
  return key.size() >= prefix.size() && key.ToStringView().substr(0, prefix.size()) == prefix;
}

}  // namespace

result<std::optional<user_row>> read_model::user_by_name(std::string_view username) const {
  std::string v;
  auto s = db_.db().Get(rocksdb::ReadOptions(), db_.cf(column::users), username, &v);
  if (s.IsNotFound()) return std::optional<user_row>{};
  if (!s.ok()) return make_error(read_error(s));
  auto row = decode_user_row(v);
  if (!row) return make_error(row.error());
  return std::optional<user_row>{std::move(*row)};
}

result<std::optional<user_row>> read_model::user_by_id(core::user_id id) const {
  std::string v;
  auto s = db_.db().Get(rocksdb::ReadOptions(), db_.cf(column::users_by_id), keys::u64(id), &v);
  if (s.IsNotFound()) return std::optional<user_row>{};
  if (!s.ok()) return make_error(read_error(s));
  auto row = decode_user_row(v);
  if (!row) return make_error(row.error());
  return std::optional<user_row>{std::move(*row)};
}

result<message_page> read_model::scan_messages(column c, const std::string& prefix,
                                               std::size_t limit,
                                               std::optional<core::message_id> before) const {
  message_page page;
  if (limit == 0 || (before && *before <= 1)) return page;
  std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(rocksdb::ReadOptions(), db_.cf(c)));
  for (it->Seek(seek_key(prefix, before)); it->Valid() && starts_with(it->key(), prefix);
       it->Next()) {
    if (page.messages.size() == limit) {
      page.older = page.messages.back().id;
      break;
    }
    auto row = decode_message_row(it->value().ToStringView());
    if (!row) return make_error(row.error());
    page.messages.push_back(std::move(*row));
  }
  if (!it->status().ok()) return make_error(read_error(it->status()));
  return page;
}

result<message_page> read_model::public_timeline(std::size_t limit,
                                                 std::optional<core::message_id> before) const {
  if (head_ && !before)
    if (auto page = head_->page(limit)) return std::move(*page);
  return scan_messages(column::public_msgs, {}, limit, before);
}

result<message_page> read_model::user_timeline(core::user_id author, std::size_t limit,
                                               std::optional<core::message_id> before) const {
  return scan_messages(column::user_msgs, keys::u64(author), limit, before);
}

result<std::vector<core::user_id>> read_model::followee_ids(core::user_id follower) const {
  std::vector<core::user_id> ids;
  auto prefix = keys::u64(follower);
  std::unique_ptr<rocksdb::Iterator> it(
      db_.db().NewIterator(rocksdb::ReadOptions(), db_.cf(column::follows)));
  for (it->Seek(prefix); it->Valid() && starts_with(it->key(), prefix); it->Next())
    ids.push_back(keys::read_u64(it->key().ToStringView().substr(8)));
  if (!it->status().ok()) return make_error(read_error(it->status()));
  return ids;
}

// A k-way merge over the authors' per-user timelines, reading only what can make the
// page. author_heads gives each author's newest message id (an upper bound), fetched
// for all authors in one MultiGet; authors are taken in order of that bound and
// seeked only while their bound could still beat the newest message not yet taken.
// With one iterator and a heap of heads, a page costs one MultiGet plus about
// (page size + a few) seeks, however many users are followed and however large the
// database.
result<message_page> read_model::home_timeline(core::user_id user, std::size_t limit,
                                               std::optional<core::message_id> before) const {
  message_page page;
  if (limit == 0 || (before && *before <= 1)) return page;
  const core::message_id cap = before ? *before - 1 : ~core::message_id{0};
  rocksdb::ManagedSnapshot snapshot(&db_.db());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();

  auto authors = followee_ids(user);
  if (!authors) return make_error(authors.error());
  authors->push_back(user);
  std::sort(authors->begin(), authors->end());
  std::vector<std::string> key_bytes;
  key_bytes.reserve(authors->size());
  for (auto a : *authors) key_bytes.push_back(keys::u64(a));
  std::vector<rocksdb::Slice> key_slices(key_bytes.begin(), key_bytes.end());
  std::vector<rocksdb::PinnableSlice> values(authors->size());
  std::vector<rocksdb::Status> statuses(authors->size());
  db_.db().MultiGet(ro, db_.cf(column::author_heads), key_slices.size(), key_slices.data(),
                    values.data(), statuses.data(), /*sorted_input=*/true);

  using bound = std::pair<core::message_id, core::user_id>;  // (upper bound, author)
  std::vector<bound> candidates;
  for (std::size_t i = 0; i < authors->size(); ++i) {
    if (statuses[i].IsNotFound()) continue;  // never posted
    if (!statuses[i].ok()) return make_error(read_error(statuses[i]));
    if (values[i].size() != 8) return make_error(errc::corrupt, "corrupt author_heads row");
    candidates.emplace_back(std::min(keys::read_u64(values[i].ToStringView()), cap), (*authors)[i]);
  }
  std::sort(candidates.begin(), candidates.end(), std::greater<>());

  std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(ro, db_.cf(column::user_msgs)));
  std::priority_queue<bound> heads;  // (next message id, author), newest on top
  auto push_head = [&](core::user_id author) {
    auto prefix = keys::u64(author);
    if (it->Valid() && starts_with(it->key(), prefix))
      heads.emplace(keys::invert(keys::read_u64(it->key().ToStringView().substr(8))), author);
  };
  std::size_t next_candidate = 0;
  for (;;) {
    // Every author whose newest message could be newer than the best head is loaded.
    while (next_candidate < candidates.size() &&
           (heads.empty() || candidates[next_candidate].first >= heads.top().first)) {
      auto author = candidates[next_candidate++].second;
      it->Seek(seek_key(keys::u64(author), before));
      push_head(author);
    }
    if (heads.empty()) break;
    auto [id, author] = heads.top();
    heads.pop();
    if (page.messages.size() == limit) {
      page.older = page.messages.back().id;
      break;
    }
    it->Seek(keys::u64_pair(author, keys::invert(id)));
    if (!it->Valid()) break;  // only on a read error, reported below
    auto row = decode_message_row(it->value().ToStringView());
    if (!row) return make_error(row.error());
    page.messages.push_back(std::move(*row));
    it->Next();
    push_head(author);
  }
  if (!it->status().ok()) return make_error(read_error(it->status()));
  return page;
}

result<std::vector<std::string>> read_model::follows(core::user_id follower,
                                                     std::size_t limit) const {
  std::vector<std::string> names;
  if (limit == 0) return names;
  auto prefix = keys::u64(follower);
  std::unique_ptr<rocksdb::Iterator> it(
      db_.db().NewIterator(rocksdb::ReadOptions(), db_.cf(column::follows)));
  for (it->Seek(prefix); it->Valid() && starts_with(it->key(), prefix) && names.size() < limit;
       it->Next())
    names.emplace_back(it->value().ToStringView());
  if (!it->status().ok()) return make_error(read_error(it->status()));
  return names;
}

result<bool> read_model::is_following(core::user_id follower, core::user_id followee) const {
  std::string v;
  auto s = db_.db().Get(rocksdb::ReadOptions(), db_.cf(column::follows),
                        keys::u64_pair(follower, followee), &v);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return make_error(read_error(s));
  return true;
}

result<std::int64_t> read_model::latest() const {
  auto v = storage::read_meta_optional(db_, storage::meta_key::latest);
  if (!v) return make_error(v.error());
  return *v ? static_cast<std::int64_t>(**v) : -1;
}

result<std::uint64_t> read_model::checkpoint() const {
  return storage::read_meta_u64(db_, storage::meta_key::checkpoint);
}

}  // namespace minitwit::projections
