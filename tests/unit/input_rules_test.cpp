#include "core/input_rules.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace minitwit::core;

TEST_CASE("registration checks come in the contract's order") {
  CHECK(check_registration("", "", "") == "You have to enter a username");
  CHECK(check_registration("a", "", "") == "You have to enter a valid email address");
  CHECK(check_registration("a", "no-at-sign", "x") == "You have to enter a valid email address");
  CHECK(check_registration("a", "a@b", "") == "You have to enter a password");
  CHECK_FALSE(check_registration("Roger Histand", "a@b", "p").has_value());
  CHECK_FALSE(check_registration("Jürgen 東京", "j@b", "p").has_value());
}

TEST_CASE("usernames refuse control characters, invalid UTF-8 and excess length") {
  CHECK(check_registration(std::string("a\0b", 3), "a@b", "p").has_value());
  CHECK(check_registration("a\nb", "a@b", "p").has_value());
  CHECK(check_registration("\xff\xfe", "a@b", "p").has_value());
  CHECK(check_registration(std::string(129, 'x'), "a@b", "p").has_value());
  CHECK_FALSE(check_registration(std::string(128, 'x'), "a@b", "p").has_value());
}

TEST_CASE("UTF-8 validation rejects overlongs, surrogates and truncation") {
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("\xc3\xa6\xe2\x82\xac\xf0\x9f\x98\x80"));  // æ € 😀
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));                        // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));                    // surrogate
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));                        // truncated
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));                // beyond U+10FFFF
}

TEST_CASE("message texts: UTF-8, no NUL, bounded") {
  CHECK_FALSE(check_message_text("").has_value());
  CHECK_FALSE(check_message_text("line\nbreak ok").has_value());
  CHECK(check_message_text(std::string("a\0b", 3)).has_value());
  CHECK(check_message_text(std::string(4097, 'x')).has_value());
}
