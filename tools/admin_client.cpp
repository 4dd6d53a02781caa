#include "tools/admin_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <stdexcept>

#include "http/host_port.hpp"
#include "server/server_config.hpp"

namespace minitwit::tools {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

admin_client::admin_client(std::string host_port) : host_port_(std::move(host_port)) {
  token_ = server::secret_from_env("MINITWIT_ADMIN_TOKEN");
}

namespace {

// Throws std::runtime_error when hp is not HOST:PORT.
http::host_port parse_or_throw(const std::string& hp) {
  auto parsed = http::parse_host_port(hp);
  if (!parsed) throw std::runtime_error(parsed.error().message);
  return *parsed;
}

}  // namespace

bool admin_client::reachable(std::chrono::milliseconds timeout) const {
  try {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    auto at = parse_or_throw(host_port_);
    tcp::resolver resolver(ioc);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(at.host, at.port_text()));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

admin_reply admin_client::send(const std::string& method, const std::string& path,
                               const std::string& body) const {
  try {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    auto at = parse_or_throw(host_port_);
    tcp::resolver resolver(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(resolver.resolve(at.host, at.port_text()));
    bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), path, 11);
    req.set(bhttp::field::host, host_port_);
    req.set(bhttp::field::connection, "close");
    if (token_) req.set(bhttp::field::authorization, "Bearer " + *token_);
    if (method == "POST") {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    // Snapshots and backups of a large database take a while.
    stream.expires_after(std::chrono::hours(2));
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    return {res.result_int(), res.body()};
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot reach the admin listener at " + host_port_ + ": " +
                             e.code().message());
  }
}

admin_reply admin_client::get(const std::string& path) const { return send("GET", path, {}); }
admin_reply admin_client::post(const std::string& path, const std::string& json_body) const {
  return send("POST", path, json_body);
}

}  // namespace minitwit::tools
