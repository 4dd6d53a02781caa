#include "tools/loadgen/generate.hpp"

#include <fmt/format.h>

#include <ostream>
#include <random>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "tools/loadgen/scenario.hpp"
#include "tools/loadgen/text.hpp"

namespace minitwit::loadgen {
namespace {

// The follow relation, with O(1) random choice and removal.
class follow_set {
 public:
  bool contains(std::uint64_t a, std::uint64_t b) const { return index_.contains(key(a, b)); }
  void add(std::uint64_t a, std::uint64_t b) {
    if (index_.emplace(key(a, b), pairs_.size()).second) pairs_.push_back(key(a, b));
  }
  bool empty() const { return pairs_.empty(); }
  // Removes and returns a random pair.
  std::pair<std::uint64_t, std::uint64_t> take(std::mt19937_64& rng) {
    auto i = std::uniform_int_distribution<std::size_t>(0, pairs_.size() - 1)(rng);
    auto k = pairs_[i];
    index_[pairs_.back()] = i;
    pairs_[i] = pairs_.back();
    pairs_.pop_back();
    index_.erase(k);
    return {k >> 32, k & 0xffffffffu};
  }

 private:
  static std::uint64_t key(std::uint64_t a, std::uint64_t b) { return a << 32 | b; }
  std::vector<std::uint64_t> pairs_;
  std::unordered_map<std::uint64_t, std::size_t> index_;
};

class generator {
 public:
  explicit generator(const generate_options& o) : o_(o), rng_(o.seed) {}

  void run(std::ostream& out) {
    std::exponential_distribution<double> gap(10.0);  // 0.1 s between actions on average
    std::int64_t clock_ms = 1'700'000'000'000;
    for (std::size_t p = 0; p < o_.actions; ++p) {
      action a = next(p);
      a.id = static_cast<std::int64_t>(p + 1);
      a.delay = gap(rng_);
      clock_ms += static_cast<std::int64_t>(a.delay * 1000);
      a.unix_ms = clock_ms;
      out << format_action(a) << '\n';
    }
  }

 private:
  action next(std::size_t position) {
    // Registrations follow an even schedule over the scenario; the first two come first.
    bool behind = registered_ * o_.actions <= position * o_.users;
    if (registered_ < o_.users && (registered_ < 2 || behind)) return register_next();
    double r = std::uniform_real_distribution<double>(0.0, 99.0)(rng_);
    if (r < 45) return tweet();
    if (r < 82) return follow();
    return unfollow();
  }

  std::uint64_t user() { return skewed_index(rng_, registered_); }
  std::string name(std::uint64_t u) const { return person_name(u); }

  action register_next() {
    auto u = registered_++;
    action a{.kind = action_kind::register_user, .user = name(u)};
    a.arg1 = fmt::format("user{}@minitwit.test", u);
    a.arg2 = fmt::format("pw-{:x}", rng_());
    return a;
  }
  action tweet() {
    return {.kind = action_kind::tweet, .user = name(user()), .arg1 = tweet_text(rng_)};
  }
  action follow() {
    auto [a, b] = distinct_pair();
    follows_.add(a, b);
    return {.kind = action_kind::follow, .user = name(a), .arg1 = name(b)};
  }
  action unfollow() {
    bool existing = !follows_.empty() && std::uniform_int_distribution<int>(0, 3)(rng_) != 0;
    auto [a, b] = existing ? follows_.take(rng_) : not_following_pair();
    return {.kind = action_kind::unfollow, .user = name(a), .arg1 = name(b)};
  }
  std::pair<std::uint64_t, std::uint64_t> distinct_pair() {
    std::uint64_t a = std::uniform_int_distribution<std::uint64_t>(0, registered_ - 1)(rng_),
                  b = user();
    while (b == a) b = std::uniform_int_distribution<std::uint64_t>(0, registered_ - 1)(rng_);
    return {a, b};
  }
  std::pair<std::uint64_t, std::uint64_t> not_following_pair() {
    auto p = distinct_pair();
    for (int tries = 0; tries < 16 && follows_.contains(p.first, p.second); ++tries)
      p = distinct_pair();
    return p;
  }

  generate_options o_;
  std::mt19937_64 rng_;
  std::uint64_t registered_ = 0;
  follow_set follows_;
};

}  // namespace

result<void> generate_scenario(const generate_options& o, std::ostream& out) {
  if (o.users < 2) return make_error(errc::invalid_argument, "--users must be at least 2");
  if (o.users > 0xffffffffu)
    return make_error(errc::invalid_argument, "--users must be below 2^32");
  if (o.actions < o.users)
    return make_error(errc::invalid_argument,
                      "--actions must be at least --users (every user registers once)");
  generator(o).run(out);
  if (!out) return make_error(errc::io, "could not write the scenario");
  return {};
}

}  // namespace minitwit::loadgen
