// One HTTP/1.1 connection: reads a request with a fresh parser (explicit header and
// body limits, a read timeout), hands it to the handler, writes the answer, and reads
// the next one unless the client or the server wants to close.
#pragma once

#include <memory>
#include <optional>

#include "http/connection_registry.hpp"
#include "http/message.hpp"
#include "http/net.hpp"
#include "http/server_limits.hpp"

namespace minitwit::http {

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket&& socket, handler& h, const server_limits& limits,
          connection_registry& registry);
  ~session();

  void run();

 private:
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void dispatch(bhttp::request<bhttp::string_body>&& req);
  void do_write(response r);
  void on_write(beast::error_code ec, std::size_t bytes);
  void reply_and_close(unsigned status, std::string_view message);
  void do_close();
  void drain();
  void close_if_idle();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
  handler& handler_;
  const server_limits& limits_;
  connection_registry& registry_;
  std::optional<connection_registry::handle> entry_;
  std::string client_;
  bool reading_ = false;
  bool close_after_write_ = false;
  unsigned version_ = 11;
  std::size_t drained_ = 0;
};

}  // namespace minitwit::http
