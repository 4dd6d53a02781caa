#include "http/web_session.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "app/passwords.hpp"
#include "tests/support/temp_dir.hpp"

using namespace minitwit;
using namespace minitwit::http;

namespace {

constexpr std::int64_t now = 1'700'000'000;

session_codec codec(unsigned char fill = 7) {
  REQUIRE(app::init_crypto());
  session_key key;
  key.fill(fill);
  return session_codec(key, std::chrono::hours(1));
}

}  // namespace

TEST_CASE("a session cookie round-trips its user and flashes") {
  web_session s{42, {"You were logged in", "Zoë 😀 \"quoted\";"}};
  auto value = codec().encode(s, now);
  CHECK(value.find_first_of(" ;,\"") == std::string::npos);  // a cookie value as it is
  CHECK(codec().decode(value, now) == s);
  CHECK(codec().decode(value, now + 3600) == s);
  CHECK(codec().decode(codec().encode(web_session{}, now), now) == web_session{});
}

TEST_CASE("flashes are capped in number and size") {
  web_session s{1, {}};
  for (int i = 0; i < 8; ++i) s.flashes.emplace_back(1000, 'f');
  auto back = codec().decode(codec().encode(s, now), now);
  CHECK(back.flashes.size() == max_flashes);
  CHECK(back.flashes[0].size() == 512);
}

TEST_CASE("tampered, foreign, expired and garbage cookies mean logged out") {
  auto value = codec().encode(web_session{42, {"hi"}}, now);
  auto tampered = value;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  CHECK(codec().decode(tampered, now) == web_session{});
  CHECK(codec(8).decode(value, now) == web_session{});  // signed with another key
  CHECK(codec().decode(value, now + 3601) == web_session{});
  for (const auto& garbage : std::vector<std::string>{"", ".", "abc", "abc.def", "!!!.???",
                                                      std::string(5000, 'a') + ".b"})
    CHECK(codec().decode(garbage, now) == web_session{});
  auto dot = value.find('.');
  CHECK(codec().decode(value.substr(0, dot), now) == web_session{});  // no signature
  CHECK(codec().decode(value.substr(0, dot) + "." + value.substr(0, dot), now) == web_session{});
}

TEST_CASE("the cookie header: the named value, wherever it stands") {
  CHECK(*cookie_value("session=abc", "session") == "abc");
  CHECK(*cookie_value("a=1; session=x.y; b=2", "session") == "x.y");
  CHECK(*cookie_value("mysession=1;session=2", "session") == "2");
  CHECK_FALSE(cookie_value("a=1; b=2", "session"));
  CHECK_FALSE(cookie_value("", "session"));
}

TEST_CASE("the signing key: from the secret, or a private key file made once") {
  test::temp_dir dir;
  auto from_secret = load_session_key(std::string("a secret of 16+ chars"), dir.path());
  REQUIRE(from_secret);
  CHECK(*load_session_key(std::string("a secret of 16+ chars"), dir.path()) == *from_secret);
  auto short_secret = load_session_key(std::string("short"), dir.path());
  REQUIRE_FALSE(short_secret);
  CHECK(short_secret.error().code == errc::invalid_argument);

  auto made = load_session_key(std::nullopt, dir.path());
  REQUIRE(made);
  struct stat st {};
  REQUIRE(::stat((dir.path() / "session.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(*load_session_key(std::nullopt, dir.path()) == *made);  // the same key after a restart

  ::chmod((dir.path() / "session.key").c_str(), 0644);
  auto readable = load_session_key(std::nullopt, dir.path());
  REQUIRE_FALSE(readable);
  CHECK(readable.error().code == errc::invalid_argument);
  CHECK(readable.error().message.find("chmod 600") != std::string::npos);

  std::ofstream(dir.path() / "session.key", std::ios::trunc) << "short";
  ::chmod((dir.path() / "session.key").c_str(), 0600);
  auto wrong_size = load_session_key(std::nullopt, dir.path());
  REQUIRE_FALSE(wrong_size);
  CHECK(wrong_size.error().code == errc::corrupt);
}
