// Request targets, query strings and form bodies: parsing and matching never crash, a
// match stays inside its table and keeps its escapes valid, and percent-encoding
// round-trips.
#include <boost/url/pct_string_view.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/router.hpp"
#include "http/target.hpp"

using namespace minitwit::http;

namespace {

// The shapes of the listeners' tables: fixed segments, parameters, shared templates.
route_table make_table(route_options options) {
  route_table t(options);
  t.add("GET HEAD", "/");
  t.add("GET", "/latest");
  t.add("GET", "/msgs", true);
  t.add("GET", "/msgs/:user", true);
  t.add("POST", "/msgs/:user", true);
  t.add("GET", "/static/:file", false, "/static");
  t.add("GET HEAD", "/:user");
  t.add("GET HEAD", "/:user/follow", true);
  return t;
}

const route_table& api_like() {
  static const route_table t = make_table({.empty_params = false});
  return t;
}

const route_table& web_like() {
  static const route_table t = make_table({});
  return t;
}

void check_match(const route_table& table, std::string_view method, std::string_view target) {
  request req;
  req.method = std::string(method);
  req.target = std::string(target);
  table.match(req);
  const auto& m = req.match;
  if (m.table != &table) __builtin_trap();
  if (m.result == route_match::outcome::found && m.index >= table.size()) __builtin_trap();
  if (m.target.path_size > req.target.size() ||
      m.target.query_begin + m.target.query_size > req.target.size())
    __builtin_trap();
  (void)parse_latest(req.query_param("latest"));
  if (parse_count(req.query_param("no"), 100, 10000) > 10000) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_match(api_like(), "GET", input);
  check_match(web_like(), "POST", input);
  if (auto form = form_fields::parse(std::string(input))) (void)form->get("text");
  auto encoded = percent_encode(input);
  auto decoded = boost::urls::make_pct_string_view(encoded);
  if (!decoded || decoded->decode() != input) __builtin_trap();
  return 0;
}
