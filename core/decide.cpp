#include "core/decide.hpp"

#include <type_traits>

namespace minitwit::core {

std::string_view describe(domain_error e) {
  switch (e) {
    case domain_error::username_taken:
      return "The username is already taken";
    case domain_error::unknown_user:
      return "User not found";
    case domain_error::unknown_followee:
      return "The user to follow or unfollow was not found";
    case domain_error::unknown_message:
      return "Message not found";
  }
  return "Unknown error";
}

namespace {

using outcome = result<decision>;

outcome accept(std::vector<event> events = {}) { return decision(std::move(events)); }
outcome refuse(domain_error e) { return decision(tl::make_unexpected(e)); }

outcome decide_one(const register_user& c, const state_view& s, const decision_context& ctx) {
  auto existing = s.find_user(c.username);
  if (!existing) return make_error(existing.error());
  if (*existing) return refuse(domain_error::username_taken);
  return accept({user_registered{ctx.next_user_id, c.username, c.email, c.password_hash}});
}

outcome decide_one(const post_message& c, const state_view& s, const decision_context& ctx) {
  auto author = s.find_user(c.author);
  if (!author) return make_error(author.error());
  if (!*author) return refuse(domain_error::unknown_user);
  return accept({message_posted{ctx.next_message_id, **author, c.text, ctx.now_seconds}});
}

// Both users of a follow/unfollow and whether the first follows the second, or which
// one is missing.
struct follow_pair {
  user_id follower = 0, followee = 0;
  bool following = false;
};
result<tl::expected<follow_pair, domain_error>> resolve_pair(const state_view& s,
                                                             const std::string& follower,
                                                             const std::string& followee) {
  using resolved = tl::expected<follow_pair, domain_error>;
  auto a = s.find_user(follower);
  if (!a) return make_error(a.error());
  if (!*a) return resolved(tl::make_unexpected(domain_error::unknown_user));
  auto b = s.find_user(followee);
  if (!b) return make_error(b.error());
  if (!*b) return resolved(tl::make_unexpected(domain_error::unknown_followee));
  auto following = s.is_following(**a, **b);
  if (!following) return make_error(following.error());
  return resolved(follow_pair{**a, **b, *following});
}

outcome decide_one(const follow_user& c, const state_view& s, const decision_context&) {
  auto pair = resolve_pair(s, c.follower, c.followee);
  if (!pair) return make_error(pair.error());
  if (!*pair) return refuse(pair->error());
  auto [a, b, following] = **pair;
  if (a == b || following) return accept();
  return accept({user_followed{a, b}});
}

outcome decide_one(const unfollow_user& c, const state_view& s, const decision_context&) {
  auto pair = resolve_pair(s, c.follower, c.followee);
  if (!pair) return make_error(pair.error());
  if (!*pair) return refuse(pair->error());
  auto [a, b, following] = **pair;
  if (!following) return accept();
  return accept({user_unfollowed{a, b}});
}

outcome decide_one(const flag_message& c, const state_view& s, const decision_context&) {
  auto m = s.find_message(c.id);
  if (!m) return make_error(m.error());
  if (!*m) return refuse(domain_error::unknown_message);
  if ((*m)->flagged == c.flagged) return accept();
  return accept({message_flagged{c.id, c.flagged}});
}

outcome decide_one(const rehash_password& c, const state_view& s, const decision_context&) {
  auto user = s.find_user(c.username);
  if (!user) return make_error(user.error());
  if (!*user) return refuse(domain_error::unknown_user);
  return accept({password_rehashed{**user, c.password_hash}});
}

}  // namespace

result<decision> decide(const command& c, const state_view& state, const decision_context& ctx) {
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
