// Request targets: splitting path and query, percent-decoding, and reading query
// parameters the way the simulator API needs them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minitwit::http {

// Decodes %XX escapes (and '+' as a space when plus_is_space). Returns nullopt on a
// malformed escape such as "%4" or "%zz".
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// Percent-encodes everything but RFC 3986's unreserved characters, e.g. for a
// username inside a link: "Roger Histand" -> "Roger%20Histand".
std::string percent_encode(std::string_view s);

using query_params = std::vector<std::pair<std::string, std::string>>;

// Parses "a=1&b=x+y" (a query string or an application/x-www-form-urlencoded body)
// into decoded pairs, in order; nullopt on a malformed escape.
std::optional<query_params> parse_query(std::string_view query);

// The first value of name in params, nullopt when absent.
std::optional<std::string_view> find_param(const query_params& params, std::string_view name);

struct parsed_target {
  std::string path;  // still percent-encoded
  query_params query;  // decoded

  // The first value of a query parameter, nullopt when absent.
  std::optional<std::string_view> param(std::string_view name) const;
};

// Splits "/a/b?x=1&y=2"; nullopt when the query has a malformed escape.
std::optional<parsed_target> parse_target(std::string_view target);

// Splits a path into its percent-decoded segments: "/msgs/a%20b" -> {"msgs", "a b"}.
// Empty segments are kept ("/msgs/" -> {"msgs", ""}). nullopt on a malformed escape.
std::optional<std::vector<std::string>> path_segments(std::string_view path);

// `latest`: a whole 64-bit integer, optionally signed; anything else is ignored.
std::optional<std::int64_t> parse_latest(std::optional<std::string_view> value);

// `no`: missing or unparseable -> fallback; negative -> 0; larger than cap (or beyond
// 64 bits) -> cap.
std::size_t parse_count(std::optional<std::string_view> value, std::size_t fallback,
                        std::size_t cap);

}  // namespace minitwit::http
