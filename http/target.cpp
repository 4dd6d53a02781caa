#include "http/target.hpp"

#include <algorithm>
#include <boost/url/encode.hpp>
#include <boost/url/parse_path.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>

namespace minitwit::http {

namespace urls = boost::urls;

namespace {

// Boost.URL 1.81's parse_query takes its input's length from a NUL (it makes a view of
// s.data() alone): q must end where a std::string ends.
bool valid_query(std::string_view q) { return urls::parse_query(q).has_value(); }

// RFC 3986's characters of a path and of a query, besides escapes.
constexpr auto path_chars = urls::pchars + '/';
constexpr auto query_chars = urls::pchars + '/' + '?';

// Percent-encodes every byte cs does not allow, except '%': escapes already there, valid
// or not, stay as they were sent (and Boost.URL's encode must not be asked to keep '%').
std::string escape_all_but_escapes(std::string_view s, const urls::grammar::lut_chars& cs) {
  std::string out;
  for (;;) {
    auto percent = s.find('%');
    auto piece = s.substr(0, percent);
    auto at = out.size();
    out.resize(at + urls::encoded_size(piece, cs));
    urls::encode(out.data() + at, out.size() - at, piece, cs);
    if (percent == std::string_view::npos) return out;
    out += '%';
    s.remove_prefix(percent + 1);
  }
}

// Parses an optionally signed decimal; reports overflow through `overflow`.
std::optional<std::int64_t> parse_i64(std::string_view s, bool& overflow) {
  overflow = false;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (end != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    overflow = true;
    return std::nullopt;
  }
  if (ec != std::errc()) return std::nullopt;
  return v;
}

// An origin-form path ("/a/b") with valid escapes and nothing RFC 3986 forbids.
bool valid_path(std::string_view p) {
  return p.starts_with('/') && urls::parse_path(p).has_value();
}

// The rare target Boost.URL refuses as it is: escaped first, then checked again.
target_view parse_escaped(std::string& target) {
  std::string_view sent(target);
  auto q = sent.find('?');
  std::string path = escape_all_but_escapes(sent.substr(0, q), path_chars);
  target_view v;
  v.path_ok = valid_path(path);
  v.path_size = static_cast<std::uint32_t>(path.size());
  if (q == std::string_view::npos) {
    target = std::move(path);
    v.query_begin = v.path_size;
    return v;
  }
  auto rest = sent.substr(q + 1);
  std::string query = escape_all_but_escapes(rest.substr(0, rest.find('#')), query_chars);
  v.query_ok = valid_query(query);
  v.query_begin = v.path_size + 1;
  v.query_size = static_cast<std::uint32_t>(query.size());
  target = path + '?' + query;
  return v;
}

}  // namespace

// Path and query are checked apart (Boost.URL's parse_path and parse_query: three times
// faster than parse_origin_form, which also builds what nobody reads here), so that a bad
// query does not hide which route the path names.
target_view parse_target(std::string& target) {
  std::string_view sent(target);
  auto q = sent.find('?');
  target_view v;
  v.path_ok = valid_path(sent.substr(0, q));
  v.path_size = static_cast<std::uint32_t>(std::min(q, sent.size()));
  v.query_begin = static_cast<std::uint32_t>(q == std::string_view::npos ? sent.size() : q + 1);
  v.query_size = static_cast<std::uint32_t>(sent.size() - v.query_begin);
  if (q != std::string_view::npos) v.query_ok = valid_query(sent.substr(q + 1));
  return v.ok() ? v : parse_escaped(target);
}

std::optional<std::string> query_value(const std::string& text, std::size_t from,
                                       std::string_view name) {
  if (from >= text.size()) return std::nullopt;
  auto params = urls::parse_query(std::string_view(text).substr(from));
  if (!params) return std::nullopt;
  auto it = params->find(name);
  if (it == params->end()) return std::nullopt;
  return (*it).value.decode(urls::encoding_opts(/*space_as_plus=*/true));
}

std::optional<form_fields> form_fields::parse(const std::string& body) {
  form_fields f;
  // Browsers send RFC 3986 already; scripts may not, and '#' is data here.
  f.text_ = valid_query(body) ? body : escape_all_but_escapes(body, query_chars);
  if (!valid_query(f.text_)) return std::nullopt;
  return f;
}

std::string percent_encode(std::string_view s) { return urls::encode(s, urls::unreserved_chars); }

std::optional<std::int64_t> parse_latest(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  bool overflow = false;
  return parse_i64(*value, overflow);
}

std::size_t parse_count(const std::optional<std::string>& value, std::size_t fallback,
                        std::size_t cap) {
  if (!value) return std::min(fallback, cap);
  bool overflow = false;
  auto v = parse_i64(*value, overflow);
  if (overflow) return value->front() == '-' ? 0 : cap;
  if (!v) return std::min(fallback, cap);
  if (*v < 0) return 0;
  return std::min(static_cast<std::size_t>(*v), cap);
}

}  // namespace minitwit::http
