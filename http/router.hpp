// A listener's routes, declared once by its handler: methods, a template such as
// "/msgs/:user", and the member function that serves it. A request's target is parsed
// (http/target.hpp) and matched once, by the first layer that asks — the listener's
// observed_handler, or the handler itself when it runs alone (tests, fuzzers) — into
// request::match, which names the route for metrics and logs and carries the decoded
// path parameters. The first template whose segments fit the path decides: a method it
// does not declare is a 405 there, never a later template's match.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.hpp"

namespace minitwit::http {

struct route_options {
  // false: fixed segments must arrive exactly as declared, not percent-encoded (the
  // admin listener compares its paths as sent).
  bool decode_fixed = true;
  // false: an empty segment ("/msgs/") fills no parameter; such a path is not found,
  // yet keeps the template as its route label.
  bool empty_params = true;
};

class route_table {
 public:
  static constexpr std::size_t max_segments = 4;

  explicit route_table(route_options options = {}) : options_(options) {}

  // Declares route number size(): methods separated by spaces ("GET HEAD"), a template
  // of "/"-separated segments, each fixed or ":name" (at most two parameters), whether
  // the handler's own access rule (credentials, a token, the cross-site check) applies
  // (to a wrong method when it does to any route of the template), and its name in
  // metrics and logs (default: the template; a template's first route names it).
  // Throws std::logic_error on a bad template. Every route is added before the first
  // match (matches point into the table).
  void add(std::string_view methods, std::string_view pattern, bool restricted = false,
           std::string_view label = {});
  std::size_t size() const { return routes_; }

  // Parses req.target and matches it into req.match, unless this table did already.
  void match(request& req) const;

 private:
  struct pattern {
    std::string text;
    std::vector<std::string> segments;  // fixed text, or ":name"
    std::string label;
    std::string allow;        // "GET, POST"
    bool restricted = false;  // any of its routes is
    struct route {
      std::string method;
      std::uint16_t number = 0;
      bool restricted = false;
    };
    std::vector<route> methods;
  };
  static pattern parse_pattern(std::string_view text, std::string_view label);
  bool fits(const pattern& p, const std::string_view* segments) const;

  route_options options_;
  std::vector<pattern> patterns_;  // in declaration order
  std::size_t routes_ = 0;
  std::size_t longest_ = 0;  // segments of the longest template
};

// A route table whose routes are member functions of Handler taking its Exchange (the
// state of one request: at least the request and its responder).
template <class Handler, class Exchange>
class router {
 public:
  using action = void (Handler::*)(Exchange&);
  struct route {
    std::string_view methods;
    std::string_view pattern;
    action serve;
    bool restricted = false;
    std::string_view label = {};  // in metrics and logs; empty: the template
  };

  explicit router(std::initializer_list<route> routes, route_options options = {})
      : table_(options) {
    for (const auto& r : routes) add(r);
  }

  void add(const route& r) {
    table_.add(r.methods, r.pattern, r.restricted, r.label);
    actions_.push_back(r.serve);
  }

  const route_table& table() const { return table_; }
  void match(request& req) const { table_.match(req); }
  // Calls the route that m found (m.result == found).
  void serve(Handler& h, Exchange& x, const route_match& m) const { (h.*actions_[m.index])(x); }

 private:
  route_table table_;
  std::vector<action> actions_;
};

}  // namespace minitwit::http
