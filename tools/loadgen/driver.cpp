#include "tools/loadgen/driver.hpp"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace minitwit::loadgen {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct shared_state {
  const driver_options& options;
  request_source& source;
  recorder& rec;
  tcp::resolver::results_type endpoints;
  net::steady_timer completed;  // cancelled whenever a request completes: wakes waiters
};

struct connection {
  explicit connection(net::any_io_executor ex) : stream(std::move(ex)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool open = false;

  void close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    open = false;
  }

  // True when the server has closed this kept-alive connection since its last answer
  // (its idle timeout): a request sent on it would be answered by end of stream. Looks
  // without consuming anything; the socket is non-blocking for synchronous calls from
  // its connect on (asynchronous ones do not care).
  bool closed_by_peer() {
    char byte = 0;
    beast::error_code ec;
    auto n = stream.socket().receive(net::buffer(&byte, 1), tcp::socket::message_peek, ec);
    return ec ? ec != net::error::would_block : n == 0;
  }
};

http::request<http::string_body> make_request(const driver_options& o, const request_plan& r) {
  http::request<http::string_body> req{r.post ? http::verb::post : http::verb::get, r.target, 11};
  req.set(http::field::host, o.server.to_string());
  if (!o.authorization.empty()) req.set(http::field::authorization, o.authorization);
  if (r.post) {
    req.set(http::field::content_type, "application/json");
    req.body() = r.body;
    req.prepare_payload();
  }
  req.keep_alive(o.keep_alive);
  return req;
}

// One request and its answer. Returns the status, or what went wrong.
net::awaitable<result<unsigned>> exchange(shared_state& st, connection& c, const request_plan& r) {
  beast::error_code ec;
  auto with_ec = net::redirect_error(net::use_awaitable, ec);
  c.stream.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double, std::milli>(st.options.timeout_ms)));
  if (c.open && c.closed_by_peer()) c.close();
  if (!c.open) {
    c.buffer.clear();
    co_await c.stream.async_connect(st.endpoints, with_ec);
    if (ec) co_return make_error(errc::unavailable, "connect: " + ec.message());
    c.stream.socket().non_blocking(true, ec);
    if (ec) co_return make_error(errc::unavailable, "connect: " + ec.message());
    c.open = true;
  }
  auto req = make_request(st.options, r);
  co_await http::async_write(c.stream, req, with_ec);
  if (ec) {
    c.close();
    co_return make_error(errc::unavailable, "write: " + ec.message());
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  co_await http::async_read(c.stream, c.buffer, parser, with_ec);
  if (ec) {
    c.close();
    co_return make_error(errc::unavailable, "read: " + ec.message());
  }
  if (!st.options.keep_alive || !parser.get().keep_alive()) c.close();
  co_return parser.get().result_int();
}

outcome classify(const driver_options& o, const request_plan& r, const result<unsigned>& answer,
                 double ms) {
  if (!answer) return outcome::connection_error;
  if (*answer != r.expect && (r.also_ok == 0 || *answer != r.also_ok))
    return outcome::unexpected_status;
  return ms > o.slow_ms ? outcome::slow : outcome::ok;
}

net::awaitable<void> worker(shared_state& st) {
  auto ex = co_await net::this_coro::executor;
  connection c(ex);
  net::steady_timer pause(ex);
  for (;;) {
    auto p = st.source.poll(clock_type::now());
    beast::error_code ec;
    using state = poll_result::state;
    if (p.what == state::done) break;
    if (p.what == state::wait_until) {
      pause.expires_at(p.until);
      co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
      continue;
    }
    if (p.what == state::wait_for_completion) {
      co_await st.completed.async_wait(net::redirect_error(net::use_awaitable, ec));
      continue;
    }
    const job& j = p.next;
    auto start = j.intended.value_or(clock_type::now());
    auto answer = co_await exchange(st, c, j.request);
    double ms = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
    auto o = classify(st.options, j.request, answer, ms);
    if (j.measured) {
      st.rec.record(j.request.label, ms, o);
      if (o == outcome::connection_error)
        st.rec.note_error(
            fmt::format("{} {}: {}", j.request.label, j.request.target, answer.error().message));
      if (o == outcome::unexpected_status)
        st.rec.note_error(fmt::format("{} {}: status {}, expected {}", j.request.label,
                                      j.request.target, *answer, j.request.expect));
    }
    st.source.complete(j, o);
    st.completed.cancel();
  }
  if (c.open) c.close();
}

}  // namespace

result<double> drive(const driver_options& o, request_source& source, recorder& rec) {
  net::io_context io(1);
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto endpoints = resolver.resolve(o.server.host, o.server.port_text(), ec);
  if (ec)
    return make_error(errc::unavailable,
                      fmt::format("cannot resolve {}: {}", o.server.to_string(), ec.message()));
  shared_state st{o, source, rec, endpoints, net::steady_timer(io, clock_type::time_point::max())};
  for (std::size_t i = 0; i < o.connections; ++i) net::co_spawn(io, worker(st), net::detached);
  auto t0 = clock_type::now();
  io.run();
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

}  // namespace minitwit::loadgen
