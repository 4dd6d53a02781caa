#include "http/access_guard.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <cmath>

namespace minitwit::http {

namespace ip = boost::asio::ip;

struct access_guard::network {
  ip::address base;
  unsigned prefix = 0;
  std::string text;

  bool contains(const ip::address& a) const {
    if (a.is_v4() && base.is_v4())
      return ip::network_v4(a.to_v4(), prefix).canonical() ==
             ip::network_v4(base.to_v4(), prefix).canonical();
    if (a.is_v6() && base.is_v6())
      return ip::network_v6(a.to_v6(), prefix).canonical() ==
             ip::network_v6(base.to_v6(), prefix).canonical();
    return false;
  }
};

result<std::unique_ptr<access_guard>> access_guard::create(handler& inner,
                                                           const access_options& options) {
  std::unique_ptr<access_guard> g(new access_guard(inner, options));
  for (const auto& cidr : options.allow) {
    auto slash = cidr.find('/');
    boost::system::error_code ec;
    auto base = ip::make_address(cidr.substr(0, slash), ec);
    if (ec)
      return make_error(
          errc::invalid_argument,
          "--api-allow: '" + cidr + "' is not an address or network (like 10.0.0.0/8)");
    unsigned max = base.is_v4() ? 32 : 128, prefix = max;
    if (slash != std::string::npos) {
      try {
        std::size_t used = 0;
        prefix = static_cast<unsigned>(std::stoul(cidr.substr(slash + 1), &used));
        if (used != cidr.size() - slash - 1 || prefix > max) throw std::out_of_range("prefix");
      } catch (const std::exception&) {
        return make_error(errc::invalid_argument,
                          "--api-allow: '" + cidr + "' has an invalid prefix length");
      }
    }
    g->networks_.push_back({base, prefix, cidr});
  }
  if (options.rate_per_second < 0)
    return make_error(errc::invalid_argument, "the rate limit must not be negative");
  if (g->options_.burst <= 0) g->options_.burst = std::max(1.0, options.rate_per_second);
  return g;
}

access_guard::access_guard(handler& inner, access_options options)
    : inner_(inner), options_(std::move(options)) {}
access_guard::~access_guard() = default;

bool access_guard::allowed(const std::string& client) const {
  if (networks_.empty()) return true;
  boost::system::error_code ec;
  auto a = ip::make_address(client, ec);
  if (ec) return false;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  for (const auto& n : networks_)
    if (n.contains(a)) return true;
  return false;
}

double access_guard::take_token(const std::string& client) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (buckets_.size() > 100000) {  // forget idle clients so the map stays bounded
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = now - it->second.last > std::chrono::minutes(1) ? buckets_.erase(it) : std::next(it);
  }
  auto [it, fresh] = buckets_.try_emplace(client, bucket{options_.burst, now});
  auto& b = it->second;
  if (!fresh) {
    b.tokens =
        std::min(options_.burst, b.tokens + std::chrono::duration<double>(now - b.last).count() *
                                                options_.rate_per_second);
    b.last = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return (1 - b.tokens) / options_.rate_per_second;
}

void access_guard::handle(request req, responder done) {
  if (!allowed(req.client)) {
    std::string list;
    for (const auto& n : networks_) list += (list.empty() ? "" : ", ") + n.text;
    return done(json_error(
        403, "Access denied: your address " + req.client +
                 " is not in this server's --api-allow list (" + list +
                 "). The operator must add it (or remove --api-allow) for you to use this API."));
  }
  if (options_.rate_per_second > 0) {
    if (double wait = take_token(req.client); wait > 0) {
      auto r = json_error(429, "Too many requests from " + req.client + ": the limit is " +
                                   std::to_string(options_.rate_per_second) +
                                   " per second; retry later");
      r.headers.emplace_back("Retry-After", std::to_string(static_cast<long>(std::ceil(wait))));
      return done(std::move(r));
    }
  }
  inner_.handle(std::move(req), std::move(done));
}

}  // namespace minitwit::http
