// Who may use the simulator API, and how fast: an optional allow-list of networks
// (default: everyone — the course's teams locked the real simulator out by
// hard-coding one address, so a refusal says exactly why and how to fix it) and an
// optional per-client rate limit (token bucket; 429 with Retry-After when exceeded).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "http/message.hpp"

namespace minitwit::http {

struct access_options {
  std::vector<std::string> allow;  // CIDRs ("10.0.0.0/8", "::1/128", "192.0.2.7"); empty: everyone
  double rate_per_second = 0;      // per client address; 0: no limit
  double burst = 0;                // bucket size; 0: max(1, rate)
};

class access_guard final : public handler {
 public:
  // Fails with errc::invalid_argument on a malformed CIDR or a negative rate. inner
  // must outlive the guard.
  static result<std::unique_ptr<access_guard>> create(handler& inner,
                                                      const access_options& options);
  ~access_guard() override;
  void handle(request req, responder done) override;

 private:
  struct network;
  access_guard(handler& inner, access_options options);
  bool allowed(const std::string& client) const;
  // Seconds to wait before the next request, 0 when it may go now.
  double take_token(const std::string& client);

  handler& inner_;
  access_options options_;
  std::vector<network> networks_;
  struct bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  std::mutex mu_;
  std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace minitwit::http
