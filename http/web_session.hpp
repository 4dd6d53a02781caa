// The web UI's login session and flash messages, kept client-side in one cookie:
// base64url(JSON payload) "." base64url(HMAC-SHA-256 of it). A missing, tampered,
// malformed or expired cookie decodes to "logged out, no flashes", never an error.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "core/result.hpp"

namespace minitwit::http {

inline constexpr std::string_view session_cookie_name = "session";
inline constexpr std::size_t max_flashes = 5;

struct web_session {
  core::user_id user = 0;  // 0: logged out
  std::vector<std::string> flashes;
  bool operator==(const web_session&) const = default;
};

using session_key = std::array<unsigned char, 32>;

class session_codec {
 public:
  session_codec(const session_key& key, std::chrono::seconds lifetime)
      : key_(key), lifetime_(lifetime) {}

  // The cookie value for s, valid until now + lifetime.
  std::string encode(const web_session& s, std::int64_t now_seconds) const;
  // The session in a cookie value; logged out and empty when it is not valid.
  web_session decode(std::string_view value, std::int64_t now_seconds) const;
  std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  session_key key_;
  std::chrono::seconds lifetime_;
};

// The signing key: derived from `secret` when configured (MINITWIT_SECRET_KEY), else
// read from data_dir/session.key, which is created with 32 random bytes and mode 0600
// on first use, so that sessions survive restarts and redeploys. Fails with
// errc::invalid_argument (a short secret, a key file others can read), errc::corrupt
// (a key file of the wrong size) or errc::io.
result<session_key> load_session_key(const std::optional<std::string>& secret,
                                     const std::filesystem::path& data_dir);

// The value of cookie `name` in a Cookie header, nullopt when absent.
std::optional<std::string_view> cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace minitwit::http
