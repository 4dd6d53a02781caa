// "HOST:PORT", as the listener flags, the admin tool's --server, the load generator's
// --target and the tests write it: parsed in one place. Header-only, so that the test
// client, which links none of the server's libraries, uses the same parse.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace minitwit::http {

struct host_port {
  std::string host;  // without brackets: "0.0.0.0", "::1", "localhost"
  std::uint16_t port = 0;

  // "host:port", an IPv6 host in brackets ("[::1]:5002").
  std::string to_string() const {
    auto p = std::to_string(port);
    return host.find(':') == std::string::npos ? host + ":" + p : "[" + host + "]:" + p;
  }
  std::string port_text() const { return std::to_string(port); }
  // 127.x.y.z, ::1 or localhost.
  bool is_loopback() const {
    return host.starts_with("127.") || host == "localhost" || host == "::1";
  }
};

// Splits at the last colon: "0.0.0.0:5001", "[::1]:0", "localhost:5002". Fails with
// errc::invalid_argument when the host is empty, a bracket is unbalanced or the port is
// not a number from 0 to 65535.
inline result<host_port> parse_host_port(std::string_view text) {
  auto bad = [&] {
    return make_error(errc::invalid_argument, "'" + std::string(text) + "' is not HOST:PORT");
  };
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad();
  auto host = text.substr(0, colon);
  auto port = text.substr(colon + 1);
  if (host.starts_with('[') != host.ends_with(']')) return bad();
  if (host.starts_with('[')) host = host.substr(1, host.size() - 2);
  unsigned n = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
  if (host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() ||
      n > 65535)
    return bad();
  return host_port{std::string(host), static_cast<std::uint16_t>(n)};
}

}  // namespace minitwit::http
