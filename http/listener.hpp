// Accepts connections on one endpoint and starts a session for each; beyond the
// connection limit, answers 503 and closes instead.
#pragma once

#include <memory>
#include <string>

#include "http/connection_registry.hpp"
#include "http/message.hpp"
#include "http/net.hpp"
#include "http/server_limits.hpp"

namespace minitwit::http {

class listener : public std::enable_shared_from_this<listener> {
 public:
  // Binds and listens; throws boost::system::system_error when it cannot.
  listener(net::io_context& ioc, const tcp::endpoint& endpoint, handler& h,
           const server_limits& limits, connection_registry& registry);

  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void run();
  void close();  // stops accepting (thread-safe)

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void refuse(tcp::socket socket);

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  handler& handler_;
  const server_limits& limits_;
  connection_registry& registry_;
};

}  // namespace minitwit::http
