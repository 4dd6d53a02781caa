#include "tools/loadgen/scenario.hpp"

#include <fmt/format.h>

#include <charconv>
#include <istream>

namespace minitwit::loadgen {
namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  for (;;) {
    auto tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) return fields;
    line.remove_prefix(tab + 1);
  }
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

struct kind_info {
  std::string_view name;
  action_kind kind;
  std::size_t fields;  // after the kind
};
constexpr kind_info kinds[] = {{"register", action_kind::register_user, 3},
                               {"tweet", action_kind::tweet, 2},
                               {"follow", action_kind::follow, 2},
                               {"unfollow", action_kind::unfollow, 2}};

result<action> parse_line(std::string_view line) {
  auto f = split_tabs(line);
  if (f.size() < 5)
    return make_error(errc::invalid_argument, "expected at least 5 tab-separated fields");
  action a;
  if (!parse_number(f[0], a.id))
    return make_error(errc::invalid_argument,
                      fmt::format("action id '{}' is not an integer", f[0]));
  if (!parse_number(f[1], a.delay))
    return make_error(errc::invalid_argument, fmt::format("delay '{}' is not a number", f[1]));
  double ms = 0;
  if (!parse_number(f[2], ms))
    return make_error(errc::invalid_argument, fmt::format("timestamp '{}' is not a number", f[2]));
  a.unix_ms = static_cast<std::int64_t>(ms);
  const kind_info* info = nullptr;
  for (const auto& k : kinds)
    if (k.name == f[3]) info = &k;
  if (!info) return make_error(errc::invalid_argument, fmt::format("unknown action '{}'", f[3]));
  if (f.size() != 4 + info->fields)
    return make_error(errc::invalid_argument, fmt::format("'{}' takes {} fields after it, found {}",
                                                          info->name, info->fields, f.size() - 4));
  a.kind = info->kind;
  a.user = f[4];
  a.arg1 = f[5];
  if (info->fields == 3) a.arg2 = f[6];
  if (a.user.empty()) return make_error(errc::invalid_argument, "empty username");
  return a;
}

}  // namespace

const char* kind_name(action_kind k) {
  for (const auto& info : kinds)
    if (info.kind == k) return info.name.data();
  return "?";
}

result<std::vector<action>> read_scenario(std::istream& in) {
  std::vector<action> actions;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    auto a = parse_line(line);
    if (!a) return make_error(a.error().prefixed(fmt::format("line {}: ", number)));
    actions.push_back(std::move(*a));
  }
  return actions;
}

std::string format_action(const action& a) {
  auto line = fmt::format("{}\t{:.3f}\t{}\t{}\t{}\t{}", a.id, a.delay, a.unix_ms, kind_name(a.kind),
                          a.user, a.arg1);
  if (a.kind == action_kind::register_user) line += fmt::format("\t{}", a.arg2);
  return line;
}

}  // namespace minitwit::loadgen
