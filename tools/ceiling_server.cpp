// minitwit-ceiling: the ceiling of HTTP on this machine. A trivial Beast server that
// answers every GET with 200 and a fixed small JSON body and every other request with
// 204, keep-alive and all, doing nothing else. The benchmark runs the same workloads
// against it and MiniTwit-ES and reports the ratio.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

net::awaitable<void> serve(tcp::socket socket) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  auto with_ec = net::redirect_error(net::use_awaitable, ec);
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(socket, buffer, req, with_ec);
    if (ec) break;
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    if (req.method() == http::verb::get) {
      res.result(http::status::ok);
      res.set(http::field::content_type, "application/json");
      res.body() = R"({"latest": 1234})";
    } else {
      res.result(http::status::no_content);
    }
    res.prepare_payload();
    co_await http::async_write(socket, res, with_ec);
    if (ec || !res.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

net::awaitable<void> accept(tcp::acceptor& acceptor) {
  for (;;) {
    beast::error_code ec;
    auto socket = co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted) co_return;
    if (!ec) net::co_spawn(acceptor.get_executor(), serve(std::move(socket)), net::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  unsigned threads = 0;
  CLI::App app{"minitwit-ceiling: a trivial Beast server, the HTTP ceiling of this machine"};
  app.add_option("--host", host, "Address to listen on")->capture_default_str();
  app.add_option("--port", port, "Port (0: any free port)")->capture_default_str();
  app.add_option("--threads", threads, "Threads (0: one per core)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());

  net::io_context io(static_cast<int>(threads));
  tcp::acceptor acceptor(io);
  beast::error_code ec;
  tcp::endpoint endpoint(net::ip::make_address(host, ec), port);
  if (ec) return fmt::print(stderr, "minitwit-ceiling: bad address {}\n", host), 2;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fmt::print(stderr, "minitwit-ceiling: cannot listen on {}:{}: {}\n", host, port,
                      ec.message()),
           1;
  auto bound = acceptor.local_endpoint();
  fmt::print("listening api={}:{}\n", bound.address().to_string(), bound.port());
  std::fflush(stdout);

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { io.stop(); });
  net::co_spawn(io, accept(acceptor), net::detached);
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}
