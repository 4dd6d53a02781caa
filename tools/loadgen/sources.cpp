#include "tools/loadgen/sources.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

namespace minitwit::loadgen {
namespace {

clock_type::duration ticks(std::chrono::duration<double> d) {
  return std::chrono::duration_cast<clock_type::duration>(d);
}

}  // namespace

closed_loop_source::closed_loop_source(workload& w, timing t, std::uint64_t seed)
    : w_(w),
      rng_(seed),
      measure_from_(clock_type::now() + ticks(t.warmup)),
      end_(measure_from_ + ticks(t.measure)) {}

poll_result closed_loop_source::poll(clock_type::time_point now) {
  if (now >= end_) return {};
  return {poll_result::state::ready, job{w_.next(rng_), std::nullopt, now >= measure_from_}};
}

open_loop_source::open_loop_source(workload& w, timing t, double rate, std::uint64_t seed)
    : w_(w),
      rng_(seed),
      rate_(rate),
      start_(clock_type::now()),
      measure_from_(start_ + ticks(t.warmup)),
      end_(measure_from_ + ticks(t.measure)) {}

poll_result open_loop_source::poll(clock_type::time_point) {
  auto due = start_ + ticks(std::chrono::duration<double>(static_cast<double>(next_) / rate_));
  if (due >= end_) return {};
  if (due > clock_type::now()) return {poll_result::state::wait_until, {}, due};
  ++next_;
  return {poll_result::state::ready, job{w_.next(rng_), due, due >= measure_from_}};
}

request_plan plan_for(const action& a) {
  auto latest = fmt::format("?latest={}", a.id);
  switch (a.kind) {
    case action_kind::register_user: {
      boost::json::object body{{"username", a.user}, {"email", a.arg1}, {"pwd", a.arg2}};
      return {true, "/register" + latest, boost::json::serialize(body), "register", 204, 400};
    }
    case action_kind::tweet:
      return {true, "/msgs/" + path_segment(a.user) + latest,
              boost::json::serialize(boost::json::object{{"content", a.arg1}}), "tweet", 204};
    case action_kind::follow:
    case action_kind::unfollow: {
      const char* key = a.kind == action_kind::follow ? "follow" : "unfollow";
      return {true, "/fllws/" + path_segment(a.user) + latest,
              boost::json::serialize(boost::json::object{{key, a.arg1}}), key, 204};
    }
  }
  return {};
}

replay_source::replay_source(const std::vector<action>& actions, double rate)
    : actions_(actions), rate_(rate) {
  for (std::size_t i = 0; i < actions.size(); ++i)
    for (const auto* u : users_of(i)) pending_by_user_[*u].push_back(i);
  for (std::size_t i = 0; i < actions.size(); ++i)
    if (is_ready(i)) ready_.push(i);
}

std::vector<const std::string*> replay_source::users_of(std::size_t i) const {
  const auto& a = actions_[i];
  std::vector<const std::string*> users{&a.user};
  bool pair = a.kind == action_kind::follow || a.kind == action_kind::unfollow;
  if (pair && a.arg1 != a.user) users.push_back(&a.arg1);
  return users;
}

bool replay_source::is_ready(std::size_t i) const {
  for (const auto* u : users_of(i)) {
    auto it = pending_by_user_.find(*u);
    if (it == pending_by_user_.end() || it->second.empty() || it->second.front() != i) return false;
  }
  return true;
}

poll_result replay_source::poll(clock_type::time_point now) {
  if (!ready_.empty()) {
    auto i = ready_.top();
    if (rate_ > 0) {
      auto due = start_ + ticks(std::chrono::duration<double>(static_cast<double>(i) / rate_));
      if (due > now) return {poll_result::state::wait_until, {}, due};
    }
    ready_.pop();
    return {poll_result::state::ready, job{plan_for(actions_[i]), std::nullopt, true, i}};
  }
  if (completed_ == actions_.size()) return {};
  return {poll_result::state::wait_for_completion};
}

void replay_source::complete(const job& j, outcome) {
  ++completed_;
  for (const auto* u : users_of(j.index)) {
    auto& queue = pending_by_user_[*u];
    queue.pop_front();
    if (!queue.empty() && is_ready(queue.front())) ready_.push(queue.front());
  }
}

}  // namespace minitwit::loadgen
