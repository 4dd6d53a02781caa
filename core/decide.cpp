#include "core/decide.hpp"

#include <type_traits>

namespace minitwit::core {

std::string_view describe(domain_error e) {
  switch (e) {
    case domain_error::username_taken: return "The username is already taken";
    case domain_error::unknown_user: return "User not found";
    case domain_error::unknown_followee: return "The user to follow or unfollow was not found";
    case domain_error::unknown_message: return "Message not found";
  }
  return "Unknown error";
}

namespace {

decision decide_one(const register_user& c, const state_view& s, const decision_context& ctx) {
  if (s.find_user(c.username)) return unexpected(domain_error::username_taken);
  return std::vector<event>{user_registered{ctx.next_user_id, c.username, c.email, c.password_hash}};
}

decision decide_one(const post_message& c, const state_view& s, const decision_context& ctx) {
  auto author = s.find_user(c.author);
  if (!author) return unexpected(domain_error::unknown_user);
  return std::vector<event>{message_posted{ctx.next_message_id, *author, c.text, ctx.now_seconds}};
}

// Resolves both users of a follow/unfollow, or says which one is missing.
expected<std::pair<user_id, user_id>, domain_error> resolve_pair(
    const state_view& s, const std::string& follower, const std::string& followee) {
  auto a = s.find_user(follower);
  if (!a) return unexpected(domain_error::unknown_user);
  auto b = s.find_user(followee);
  if (!b) return unexpected(domain_error::unknown_followee);
  return std::pair{*a, *b};
}

decision decide_one(const follow_user& c, const state_view& s, const decision_context&) {
  auto pair = resolve_pair(s, c.follower, c.followee);
  if (!pair) return unexpected(pair.error());
  auto [a, b] = *pair;
  if (a == b || s.is_following(a, b)) return std::vector<event>{};
  return std::vector<event>{user_followed{a, b}};
}

decision decide_one(const unfollow_user& c, const state_view& s, const decision_context&) {
  auto pair = resolve_pair(s, c.follower, c.followee);
  if (!pair) return unexpected(pair.error());
  auto [a, b] = *pair;
  if (!s.is_following(a, b)) return std::vector<event>{};
  return std::vector<event>{user_unfollowed{a, b}};
}

decision decide_one(const flag_message& c, const state_view& s, const decision_context&) {
  auto m = s.find_message(c.id);
  if (!m) return unexpected(domain_error::unknown_message);
  if (m->flagged == c.flagged) return std::vector<event>{};
  return std::vector<event>{message_flagged{c.id, c.flagged}};
}

decision decide_one(const rehash_password& c, const state_view& s, const decision_context&) {
  auto user = s.find_user(c.username);
  if (!user) return unexpected(domain_error::unknown_user);
  return std::vector<event>{password_rehashed{*user, c.password_hash}};
}

}  // namespace

decision decide(const command& c, const state_view& state, const decision_context& ctx) {
  return std::visit([&](const auto& cmd) { return decide_one(cmd, state, ctx); }, c);
}

std::string_view event_type_name(const event& e) {
  return std::visit(
      [](const auto& ev) -> std::string_view {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, user_registered>) return "user_registered";
        if constexpr (std::is_same_v<T, message_posted>) return "message_posted";
        if constexpr (std::is_same_v<T, user_followed>) return "user_followed";
        if constexpr (std::is_same_v<T, user_unfollowed>) return "user_unfollowed";
        if constexpr (std::is_same_v<T, message_flagged>) return "message_flagged";
        if constexpr (std::is_same_v<T, password_rehashed>) return "password_rehashed";
      },
      e);
}

}  // namespace minitwit::core
