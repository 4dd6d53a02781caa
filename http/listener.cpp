#include "http/listener.hpp"

#include <spdlog/spdlog.h>

#include "http/session.hpp"

namespace minitwit::http {

listener::listener(net::io_context& ioc, const tcp::endpoint& endpoint, handler& h,
                   const server_limits& limits, connection_registry& registry)
    : ioc_(ioc),
      acceptor_(net::make_strand(ioc)),
      handler_(h),
      limits_(limits),
      registry_(registry) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

void listener::run() { do_accept(); }

void listener::close() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
  });
}

void listener::do_accept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // E.g. EMFILE: log, and keep accepting (the condition may pass).
    spdlog::warn("accept failed: {}", ec.message());
  } else if (registry_.size() >= limits_.max_connections) {
    refuse(std::move(socket));
  } else {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<session>(std::move(socket), handler_, limits_, registry_)->run();
  }
  do_accept();
}

void listener::refuse(tcp::socket socket) {
  static const std::string answer = [] {
    std::string body =
        R"({"status":503,"error_msg":"Too many open connections, try again shortly"})";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  auto s = std::make_shared<tcp::socket>(std::move(socket));
  net::async_write(*s, net::buffer(answer), [s](beast::error_code, std::size_t) {
    beast::error_code ignored;
    s->shutdown(tcp::socket::shutdown_both, ignored);
    s->close(ignored);
  });
}

}  // namespace minitwit::http
