#include "tools/loadgen/workloads.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "http/target.hpp"
#include "tools/loadgen/text.hpp"

namespace minitwit::loadgen {
namespace {

using request_maker = request_plan (*)(std::mt19937_64&, const workload_options&,
                                       std::uint64_t& counter);

std::string any_user(std::mt19937_64& rng, const workload_options& o) {
  return path_segment(
      seed_username(std::uniform_int_distribution<std::size_t>(0, o.users - 1)(rng)));
}
std::string author(std::mt19937_64& rng, const workload_options& o) {
  return path_segment(seed_username(skewed_index(rng, o.users)));
}
std::string json_body(std::string_view key, std::string_view value) {
  return boost::json::serialize(boost::json::object{{key, value}});
}

request_plan latest(std::mt19937_64&, const workload_options&, std::uint64_t&) {
  return {.target = "/latest", .label = "latest"};
}
request_plan public_msgs(std::mt19937_64&, const workload_options& o, std::uint64_t&) {
  return {.target = fmt::format("/msgs?no={}", o.page), .label = "msgs"};
}
request_plan user_msgs(std::mt19937_64& rng, const workload_options& o, std::uint64_t&) {
  return {.target = fmt::format("/msgs/{}?no={}", author(rng, o), o.page), .label = "user-msgs"};
}
request_plan follows(std::mt19937_64& rng, const workload_options& o, std::uint64_t&) {
  return {.target = fmt::format("/fllws/{}?no={}", any_user(rng, o), o.page), .label = "fllws"};
}
request_plan web_public(std::mt19937_64&, const workload_options&, std::uint64_t&) {
  return {.target = "/public", .label = "web-public"};
}
request_plan web_user(std::mt19937_64& rng, const workload_options& o, std::uint64_t&) {
  return {.target = "/" + author(rng, o), .label = "web-user"};
}
request_plan post(std::mt19937_64& rng, const workload_options& o, std::uint64_t& counter) {
  return {.post = true,
          .target = fmt::format("/msgs/{}?latest={}", author(rng, o), ++counter),
          .body = json_body("content", tweet_text(rng)),
          .label = "post",
          .expect = 204};
}
request_plan follow_or_unfollow(std::mt19937_64& rng, const workload_options& o,
                                std::uint64_t& counter, std::string_view key) {
  auto other = seed_username(skewed_index(rng, o.users));
  return {.post = true,
          .target = fmt::format("/fllws/{}?latest={}", any_user(rng, o), ++counter),
          .body = json_body(key, other),
          .label = std::string(key),
          .expect = 204};
}
request_plan follow(std::mt19937_64& rng, const workload_options& o, std::uint64_t& counter) {
  return follow_or_unfollow(rng, o, counter, "follow");
}
request_plan unfollow(std::mt19937_64& rng, const workload_options& o, std::uint64_t& counter) {
  return follow_or_unfollow(rng, o, counter, "unfollow");
}
request_plan register_user(std::mt19937_64& rng, const workload_options& o,
                           std::uint64_t& counter) {
  auto name = fmt::format("burst {}-{}-{:x}", o.stream, ++counter, rng() & 0xffffff);
  boost::json::object body{
      {"username", name}, {"email", "burst@minitwit.test"}, {"pwd", "burst password"}};
  return {.post = true,
          .target = fmt::format("/register?latest={}", counter),
          .body = boost::json::serialize(body),
          .label = "register",
          .expect = 204};
}

struct weighted {
  request_maker make;
  double weight;
};

struct workload_def {
  const char* name;
  const char* what;
  std::vector<weighted> mix;
};

const std::vector<workload_def>& definitions() {
  static const std::vector<workload_def> defs = {
      {"latest", "GET /latest", {{latest, 1}}},
      {"msgs", "GET /msgs?no=N", {{public_msgs, 1}}},
      {"user-msgs", "GET /msgs/<user>?no=N (popular users more often)", {{user_msgs, 1}}},
      {"fllws", "GET /fllws/<user>?no=N", {{follows, 1}}},
      {"web-public", "GET /public (web UI, HTML)", {{web_public, 1}}},
      {"web-user", "GET /<user> (web UI, HTML)", {{web_user, 1}}},
      {"read-mix",
       "API reads: 30% msgs, 30% user-msgs, 20% fllws, 20% latest",
       {{public_msgs, 30}, {user_msgs, 30}, {follows, 20}, {latest, 20}}},
      {"post", "POST /msgs/<user> (fsynced before the 204)", {{post, 1}}},
      {"follow", "POST /fllws/<user> follow", {{follow, 1}}},
      {"write-mix",
       "the simulator's writes: 45% post, 37% follow, 18% unfollow",
       {{post, 45}, {follow, 37}, {unfollow, 18}}},
      {"register", "POST /register with fresh names (Argon2id)", {{register_user, 1}}},
      {"mixed",
       "reads and writes: 25% post, 20% follow, 10% unfollow, 15% msgs, 15% user-msgs, 10% fllws, "
       "5% latest",
       {{post, 25},
        {follow, 20},
        {unfollow, 10},
        {public_msgs, 15},
        {user_msgs, 15},
        {follows, 10},
        {latest, 5}}},
  };
  return defs;
}

class mixed_workload final : public workload {
 public:
  mixed_workload(const workload_def& def, workload_options o) : def_(def), o_(o) {
    std::vector<double> weights;
    for (const auto& w : def.mix) weights.push_back(w.weight);
    pick_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
  }
  request_plan next(std::mt19937_64& rng) override {
    return def_.mix[pick_(rng)].make(rng, o_, counter_);
  }

 private:
  const workload_def& def_;
  workload_options o_;
  std::discrete_distribution<std::size_t> pick_;
  std::uint64_t counter_ = 0;
};

}  // namespace

std::string seed_username(std::size_t i) { return fmt::format("seed user {}", i); }

std::string path_segment(std::string_view s) { return http::percent_encode(s); }

std::vector<std::pair<std::string, std::string>> workload_names() {
  std::vector<std::pair<std::string, std::string>> names;
  for (const auto& d : definitions()) names.emplace_back(d.name, d.what);
  return names;
}

result<std::unique_ptr<workload>> make_workload(const std::string& name,
                                                const workload_options& o) {
  if (o.users == 0) return make_error(errc::invalid_argument, "--users must be at least 1");
  for (const auto& d : definitions())
    if (d.name == name) return std::make_unique<mixed_workload>(d, o);
  std::string known;
  for (const auto& d : definitions()) known += std::string(known.empty() ? "" : ", ") + d.name;
  return make_error(errc::invalid_argument,
                    fmt::format("unknown workload '{}' (known: {})", name, known));
}

}  // namespace minitwit::loadgen
