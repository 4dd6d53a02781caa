// Request targets, validated once per request by Boost.URL: where the path and the
// query are, and whether their escapes are valid; reading query parameters and form
// bodies by name; the simulator's numeric parameters; percent-encoding for links.
// Boost.URL stays inside target.cpp and router.cpp: no handler includes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minitwit::http {

// The parts of a target, as offsets into it (they survive moving the request). The
// query, if any, runs to the end of the target.
struct target_view {
  bool path_ok = false;         // an origin-form path ("/a/b") whose escapes are valid
  bool query_ok = true;         // the query's escapes are valid (true when there is none)
  std::uint32_t path_size = 0;  // the path is target[0, path_size), valid or not
  std::uint32_t query_begin = 0, query_size = 0;  // without '?' and any fragment

  bool ok() const { return path_ok && query_ok; }
  std::string_view path(std::string_view target) const { return target.substr(0, path_size); }
  std::string_view query(std::string_view target) const {
    return target.substr(query_begin, query_size);
  }
};

// Validates target. Bytes that HTTP lets through but RFC 3986 does not (raw UTF-8, '|',
// '"', a '#' in the path) are first percent-encoded in place, which decodes to the
// same, and a fragment after the query is dropped: such targets mean what they meant
// before Boost.URL. Only malformed escapes ("%zz", "%4") and a target that does not
// start with '/' ("*", "http://host/x") are invalid.
target_view parse_target(std::string& target);

// The first value of name in the query that runs from `from` to the end of text (a
// target after parse_target, or a form body), decoded with '+' as a space; nullopt when
// absent or when the query is malformed. To the end of a std::string: Boost.URL 1.81's
// parse_query finds its input's end by its NUL.
std::optional<std::string> query_value(const std::string& text, std::size_t from,
                                       std::string_view name);

// An application/x-www-form-urlencoded body, read by field name.
class form_fields {
 public:
  // nullopt when an escape is malformed; raw bytes are accepted, as in targets.
  static std::optional<form_fields> parse(const std::string& body);
  // The first value of name, decoded ('+' is a space); nullopt when absent.
  std::optional<std::string> get(std::string_view name) const {
    return query_value(text_, 0, name);
  }

 private:
  std::string text_;  // the body in RFC 3986 form
};

// Percent-encodes everything but RFC 3986's unreserved characters, e.g. for a
// username inside a link: "Roger Histand" -> "Roger%20Histand".
std::string percent_encode(std::string_view s);

// `latest`: a whole 64-bit integer, optionally signed; anything else is ignored.
std::optional<std::int64_t> parse_latest(const std::optional<std::string>& value);

// `no`: missing or unparseable -> fallback; negative -> 0; larger than cap (or beyond
// 64 bits) -> cap.
std::size_t parse_count(const std::optional<std::string>& value, std::size_t fallback,
                        std::size_t cap);

}  // namespace minitwit::http
