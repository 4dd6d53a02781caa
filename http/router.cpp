#include "http/router.hpp"

#include <algorithm>
#include <array>
#include <boost/url/decode_view.hpp>
#include <boost/url/pct_string_view.hpp>
#include <stdexcept>

namespace minitwit::http {

namespace urls = boost::urls;

namespace {

bool is_param(std::string_view segment) { return segment.starts_with(':'); }

// Segments of a path already validated by parse_target: every escape is well-formed.
bool decoded_equals(std::string_view segment, std::string_view fixed) {
  if (segment.find('%') == std::string_view::npos) return segment == fixed;
  return urls::decode_view(urls::pct_string_view(segment)) == fixed;
}

}  // namespace

void route_table::add(std::string_view methods, std::string_view text, bool restricted,
                      std::string_view label) {
  auto p = std::find_if(patterns_.begin(), patterns_.end(),
                        [&](const pattern& known) { return known.text == text; });
  if (p == patterns_.end())
    p = patterns_.insert(p, parse_pattern(text, label.empty() ? text : label));
  longest_ = std::max(longest_, p->segments.size());
  for (auto rest = methods; !rest.empty();) {
    auto space = rest.find(' ');
    auto method = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    if (method.empty()) continue;
    p->methods.push_back({std::string(method), static_cast<std::uint16_t>(routes_), restricted});
    p->allow += (p->allow.empty() ? "" : ", ") + std::string(method);
  }
  p->restricted = p->restricted || restricted;
  ++routes_;
}

route_table::pattern route_table::parse_pattern(std::string_view text, std::string_view label) {
  if (!text.starts_with('/'))
    throw std::logic_error("route template must start with '/': " + std::string(text));
  pattern p{std::string(text), {}, std::string(label)};
  std::size_t params = 0;
  for (auto rest = text.substr(1);;) {
    auto slash = rest.find('/');
    params += is_param(p.segments.emplace_back(rest.substr(0, slash)));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (p.segments.size() > max_segments || params > route_match{}.params.size())
    throw std::logic_error("route template too long: " + std::string(text));
  return p;
}

bool route_table::fits(const pattern& p, const std::string_view* segments) const {
  for (std::size_t i = 0; i < p.segments.size(); ++i) {
    const auto& fixed = p.segments[i];
    if (is_param(fixed)) continue;
    if (options_.decode_fixed ? !decoded_equals(segments[i], fixed) : segments[i] != fixed)
      return false;
  }
  return true;
}

void route_table::match(request& req) const {
  auto& m = req.match;
  if (m.table == this) return;
  m = route_match{};
  m.table = this;
  m.target = parse_target(req.target);
  if (!m.target.path_ok) return;

  // Split by hand rather than with url_view::segments(), which hides a leading "/.":
  // "/./msgs" must not be "/msgs".
  std::array<std::string_view, max_segments> segments;
  std::size_t n = 0;
  for (auto rest = m.target.path(req.target).substr(1);;) {
    if (n == longest_) return;  // longer than every template
    auto slash = rest.find('/');
    segments[n++] = rest.substr(0, slash);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }

  for (const auto& p : patterns_) {
    if (p.segments.size() != n || !fits(p, segments.data())) continue;
    m.route = p.label;
    if (!options_.empty_params)
      for (std::size_t i = 0; i < n; ++i)
        if (is_param(p.segments[i]) && segments[i].empty()) return;
    m.restricted = p.restricted;
    m.allow = p.allow;
    m.result = route_match::outcome::wrong_method;
    for (const auto& r : p.methods) {
      if (r.method != req.method) continue;
      m.result = route_match::outcome::found;
      m.index = r.number;
      m.restricted = r.restricted;
      std::size_t k = 0;
      for (std::size_t i = 0; i < n; ++i)
        if (is_param(p.segments[i])) m.params[k++] = urls::pct_string_view(segments[i]).decode();
      return;
    }
    return;
  }
}

}  // namespace minitwit::http
