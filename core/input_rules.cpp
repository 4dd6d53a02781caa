#include "core/input_rules.hpp"

#include <algorithm>

namespace minitwit::core {

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    char32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else
      return false;
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

namespace {

bool has_control_characters(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

}  // namespace

std::optional<std::string_view> check_registration(std::string_view username,
                                                   std::string_view email,
                                                   std::string_view password) {
  if (username.empty()) return "You have to enter a username";
  if (username.size() > max_username_bytes) return "The username is too long (at most 128 bytes)";
  if (!is_valid_utf8(username) || has_control_characters(username))
    return "The username must be UTF-8 text without control characters";
  if (email.empty() || email.find('@') == std::string_view::npos ||
      email.size() > max_email_bytes || !is_valid_utf8(email) || has_control_characters(email))
    return "You have to enter a valid email address";
  if (password.empty()) return "You have to enter a password";
  if (password.size() > max_password_bytes) return "The password is too long (at most 1024 bytes)";
  return std::nullopt;
}

std::optional<std::string_view> check_message_text(std::string_view text) {
  if (text.size() > max_message_bytes) return "The message is too long (at most 4096 bytes)";
  if (!is_valid_utf8(text) || text.find('\0') != std::string_view::npos)
    return "The message must be UTF-8 text without NUL characters";
  return std::nullopt;
}

}  // namespace minitwit::core
