// Stateless checks of user input, shared by the simulator API and the web UI so that
// both refuse the same things with the same words.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace minitwit::core {

inline constexpr std::size_t max_username_bytes = 128;
inline constexpr std::size_t max_email_bytes = 254;
inline constexpr std::size_t max_password_bytes = 1024;
inline constexpr std::size_t max_message_bytes = 4096;

// True when s is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Checks a registration in the contract's order (username, email, password) and returns
// the first problem's text, e.g. "You have to enter a username"; nullopt when it is fine.
// The uniqueness of the username is a domain rule, decided by the writer, not here.
std::optional<std::string_view> check_registration(std::string_view username,
                                                   std::string_view email,
                                                   std::string_view password);

// Checks a message text: valid UTF-8, no NUL, at most max_message_bytes.
std::optional<std::string_view> check_message_text(std::string_view text);

}  // namespace minitwit::core
