#include "core/decide.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>

using namespace minitwit::core;

namespace {

struct fake_state final : state_view {
  std::map<std::string, user_id, std::less<>> users;
  std::set<std::pair<user_id, user_id>> follows;
  std::map<message_id, message_state> messages;
  minitwit::result<std::optional<user_id>> find_user(std::string_view n) const override {
    auto it = users.find(n);
    return it == users.end() ? std::nullopt : std::optional(it->second);
  }
  minitwit::result<bool> is_following(user_id a, user_id b) const override {
    return follows.count({a, b}) > 0;
  }
  minitwit::result<std::optional<message_state>> find_message(message_id id) const override {
    auto it = messages.find(id);
    return it == messages.end() ? std::nullopt : std::optional(it->second);
  }
};

const decision_context ctx{1700000000, 7, 42};

// The decision itself: these states never fail to read.
decision decided(const command& c, const state_view& s, const decision_context& x) {
  return *decide(c, s, x);
}

}  // namespace

TEST_CASE("register: a new name becomes user_registered with the next id") {
  fake_state s;
  auto d = decided(register_user{"Roger Histand", "r@h.dk", "$argon2id$x"}, s, ctx);
  REQUIRE(d);
  REQUIRE(d->size() == 1);
  CHECK(std::get<user_registered>(d->front()) ==
        user_registered{7, "Roger Histand", "r@h.dk", "$argon2id$x"});
}

TEST_CASE("register: a taken name is refused, byte for byte and case-sensitively") {
  fake_state s;
  s.users["alice"] = 1;
  CHECK(decided(register_user{"alice", "a@b", "h"}, s, ctx).error() ==
        domain_error::username_taken);
  CHECK(decided(register_user{"Alice", "a@b", "h"}, s, ctx).has_value());
}

TEST_CASE("post: the author must exist and pub_date and id come from the context") {
  fake_state s;
  CHECK(decided(post_message{"ghost", "boo"}, s, ctx).error() == domain_error::unknown_user);
  s.users["bob"] = 3;
  auto d = decided(post_message{"bob", "hej"}, s, ctx);
  REQUIRE(d);
  CHECK(std::get<message_posted>(d->front()) == message_posted{42, 3, "hej", 1700000000});
}

TEST_CASE("follow: unknown users, idempotence, self-follow") {
  fake_state s;
  s.users = {{"a", 1}, {"b", 2}};
  CHECK(decided(follow_user{"x", "b"}, s, ctx).error() == domain_error::unknown_user);
  CHECK(decided(follow_user{"a", "x"}, s, ctx).error() == domain_error::unknown_followee);
  auto first = decided(follow_user{"a", "b"}, s, ctx);
  REQUIRE(first);
  CHECK(std::get<user_followed>(first->front()) == user_followed{1, 2});
  s.follows.insert({1, 2});
  CHECK(decided(follow_user{"a", "b"}, s, ctx)->empty());
  CHECK(decided(follow_user{"a", "a"}, s, ctx)->empty());
}

TEST_CASE("unfollow: only an existing follow produces an event") {
  fake_state s;
  s.users = {{"a", 1}, {"b", 2}};
  CHECK(decided(unfollow_user{"a", "b"}, s, ctx)->empty());
  CHECK(decided(unfollow_user{"a", "zz"}, s, ctx).error() == domain_error::unknown_followee);
  s.follows.insert({1, 2});
  auto d = decided(unfollow_user{"a", "b"}, s, ctx);
  REQUIRE(d->size() == 1);
  CHECK(std::get<user_unfollowed>(d->front()) == user_unfollowed{1, 2});
}

TEST_CASE("flag: unknown messages are refused and flagging twice changes nothing") {
  fake_state s;
  CHECK(decided(flag_message{5, true}, s, ctx).error() == domain_error::unknown_message);
  s.messages[5] = {1, false};
  CHECK(std::get<message_flagged>(decided(flag_message{5, true}, s, ctx)->front()).flagged);
  s.messages[5].flagged = true;
  CHECK(decided(flag_message{5, true}, s, ctx)->empty());
  CHECK_FALSE(std::get<message_flagged>(decided(flag_message{5, false}, s, ctx)->front()).flagged);
}

TEST_CASE("event type names are the stable tags") {
  CHECK(event_type_name(user_registered{}) == "user_registered");
  CHECK(event_type_name(message_flagged{}) == "message_flagged");
}

TEST_CASE("a state that cannot be read fails the decision, which is no refusal") {
  struct broken_state final : state_view {
    minitwit::result<std::optional<user_id>> find_user(std::string_view) const override {
      return minitwit::make_error(minitwit::errc::io, "disk on fire");
    }
    minitwit::result<bool> is_following(user_id, user_id) const override { return false; }
    minitwit::result<std::optional<message_state>> find_message(message_id) const override {
      return std::nullopt;
    }
  } s;
  auto d = decide(post_message{"ann", "hi"}, s, ctx);
  REQUIRE_FALSE(d);
  CHECK(d.error().code == minitwit::errc::io);
  CHECK(d.error().message == "disk on fire");
  CHECK_FALSE(decide(register_user{"ann", "a@b", "h"}, s, ctx));
  CHECK_FALSE(decide(follow_user{"a", "b"}, s, ctx));
  CHECK(decide(flag_message{1, true}, s, ctx)->error() == domain_error::unknown_message);
}
