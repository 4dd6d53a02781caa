#include "http/target.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <random>

#include "observability/json_text.hpp"

using namespace minitwit::http;

namespace {

// A query parameter of target, after parse_target; nullopt when absent or when the
// query is malformed.
std::optional<std::string> param_of(std::string target, std::string_view name) {
  auto v = parse_target(target);
  if (!v.query_ok) return std::nullopt;
  return query_value(target, v.query_begin, name);
}

target_view view_of(std::string target) { return parse_target(target); }

}  // namespace

TEST_CASE("percent-decoding in queries: escapes, '+' as a space, malformed escapes") {
  CHECK(*param_of("/x?a=Roger%20Histand", "a") == "Roger Histand");
  CHECK(*param_of("/x?a=a+b", "a") == "a b");
  CHECK(*param_of("/x?a=%C3%A6%2f", "a") == "\xc3\xa6/");
  CHECK(*param_of("/x?%6eo=5", "no") == "5");  // keys are decoded too
  for (const char* bad : {"/x?a=%zz", "/x?a=%4", "/x?abc%"}) CHECK_FALSE(view_of(bad).query_ok);
  for (const char* bad : {"/x/%zz", "/x/%4", "/abc%"}) CHECK_FALSE(view_of(bad).path_ok);
}

TEST_CASE("targets split into a path and query parameters, the first of duplicates wins") {
  std::string target = "/msgs/Roger%20Histand?no=20&latest=-3&no=5";
  auto v = parse_target(target);
  REQUIRE(v.ok());
  CHECK(v.path(target) == "/msgs/Roger%20Histand");
  CHECK(v.query(target) == "no=20&latest=-3&no=5");
  CHECK(*query_value(target, v.query_begin, "no") == "20");
  CHECK(*query_value(target, v.query_begin, "latest") == "-3");
  CHECK_FALSE(query_value(target, v.query_begin, "missing"));
  CHECK(*param_of("/x?flag&no=3&&=4", "flag") == "");
  CHECK(*param_of("/x?no=1=2", "no") == "1=2");
  CHECK_FALSE(param_of("/x", "no"));
  CHECK_FALSE(param_of("/x?", "no"));
  CHECK_FALSE(view_of("/x?a=%G1").ok());
  CHECK(view_of("/x?a=%G1").path_ok);  // a bad query does not make the path unreadable
  for (const char* not_origin_form : {"no-slash", "*", "http://evil.example/latest"})
    CHECK_FALSE(view_of(not_origin_form).path_ok);
}

TEST_CASE("bytes that RFC 3986 forbids but HTTP lets through keep their meaning") {
  std::string raw = "/msgs/J\xc3\xbcrgen|x\"y?no=7&q=a|b#frag%zz";
  auto v = parse_target(raw);
  CHECK(v.ok());
  CHECK(v.path(raw) == "/msgs/J%C3%BCrgen%7Cx%22y");
  CHECK(*query_value(raw, v.query_begin, "no") == "7");
  CHECK(*query_value(raw, v.query_begin, "q") == "a|b");
  std::string hash_in_path = "/latest#x";
  v = parse_target(hash_in_path);
  CHECK(v.ok());
  CHECK(v.path(hash_in_path) == "/latest%23x");  // a segment "latest#x", not "/latest"
  std::string bad_escape = "/msgs/a|b%zz";
  CHECK_FALSE(parse_target(bad_escape).path_ok);
  std::string bad_query = "/msgs?x=\xff%4";
  v = parse_target(bad_query);
  CHECK(v.path_ok);
  CHECK_FALSE(v.query_ok);
}

TEST_CASE("form bodies: decoded fields, raw bytes accepted, malformed escapes refused") {
  auto f = form_fields::parse("username=Roger+Histand&text=a%26b%23c&text=second&raw=\xc3\xa6#1");
  REQUIRE(f);
  CHECK(*f->get("username") == "Roger Histand");
  CHECK(*f->get("text") == "a&b#c");
  CHECK(*f->get("raw") == "\xc3\xa6#1");
  CHECK_FALSE(f->get("password"));
  CHECK_FALSE(form_fields::parse("text=%zz"));
  CHECK_FALSE(form_fields{}.get("text"));
}

TEST_CASE("percent-encoding leaves only unreserved characters") {
  CHECK(percent_encode("Roger Histand") == "Roger%20Histand");
  CHECK(percent_encode("a-b.c_d~e") == "a-b.c_d~e");
  CHECK(percent_encode("ø/?#%+") == "%C3%B8%2F%3F%23%25%2B");
}

TEST_CASE("latest: whole signed 64-bit integers only") {
  CHECK(parse_latest("42") == 42);
  CHECK(parse_latest("-7") == -7);
  CHECK(parse_latest("+7") == 7);
  CHECK(parse_latest("9223372036854775807") == INT64_MAX);
  CHECK_FALSE(parse_latest("9223372036854775808"));
  CHECK_FALSE(parse_latest("abc"));
  CHECK_FALSE(parse_latest("1.5"));
  CHECK_FALSE(parse_latest("12abc"));
  CHECK_FALSE(parse_latest(""));
  CHECK_FALSE(parse_latest(std::nullopt));
}

TEST_CASE("no: default, negative, cap and overflow") {
  CHECK(parse_count(std::nullopt, 100, 10000) == 100);
  CHECK(parse_count("abc", 100, 10000) == 100);
  CHECK(parse_count("20", 100, 10000) == 20);
  CHECK(parse_count("-5", 100, 10000) == 0);
  CHECK(parse_count("0", 100, 10000) == 0);
  CHECK(parse_count("999999", 100, 10000) == 10000);
  CHECK(parse_count("99999999999999999999999", 100, 10000) == 10000);
  CHECK(parse_count("-99999999999999999999999", 100, 10000) == 0);
}

TEST_CASE("JSON strings written directly are what Boost.JSON writes") {
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    auto n = std::uniform_int_distribution<int>(0, 40)(rng);
    for (int k = 0; k < n; ++k)
      s += static_cast<char>(std::uniform_int_distribution<int>(0, 127)(rng));
    if (i % 2) s += "Zoë 😀 日本語";
    std::string direct;
    minitwit::observability::append_json_string(direct, s);
    CHECK(direct == boost::json::serialize(boost::json::string_view(s)));
  }
}
