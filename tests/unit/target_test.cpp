#include <doctest/doctest.h>

#include <random>

#include <boost/json.hpp>

#include "observability/json_text.hpp"
#include "http/target.hpp"

using namespace minitwit::http;

TEST_CASE("percent-decoding") {
  CHECK(*percent_decode("Roger%20Histand", false) == "Roger Histand");
  CHECK(*percent_decode("a+b", false) == "a+b");
  CHECK(*percent_decode("a+b", true) == "a b");
  CHECK(*percent_decode("%C3%A6%2f", false) == "\xc3\xa6/");
  CHECK_FALSE(percent_decode("%zz", false));
  CHECK_FALSE(percent_decode("%4", false));
  CHECK_FALSE(percent_decode("abc%", false));
}

TEST_CASE("targets split into decoded segments and query parameters") {
  auto t = parse_target("/msgs/Roger%20Histand?no=20&latest=-3&no=5");
  REQUIRE(t);
  CHECK(t->path == "/msgs/Roger%20Histand");
  CHECK(*t->param("no") == "20");  // the first of duplicates wins
  CHECK(*t->param("latest") == "-3");
  CHECK_FALSE(t->param("missing"));
  auto segs = path_segments(t->path);
  REQUIRE(segs);
  CHECK(*segs == std::vector<std::string>{"msgs", "Roger Histand"});
  CHECK(*path_segments("/msgs/") == std::vector<std::string>{"msgs", ""});
  CHECK(*path_segments("/msgs/..%2F..%2Fetc") == std::vector<std::string>{"msgs", "../../etc"});
  CHECK_FALSE(parse_target("/x?a=%G1"));
  CHECK_FALSE(path_segments("no-slash"));
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
    for (int k = 0; k < n; ++k) s += static_cast<char>(std::uniform_int_distribution<int>(0, 127)(rng));
    if (i % 2) s += "Zoë 😀 日本語";
    std::string direct;
    minitwit::observability::append_json_string(direct, s);
    CHECK(direct == boost::json::serialize(boost::json::string_view(s)));
  }
}
