#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <stdexcept>

#include "http/host_port.hpp"

namespace minitwit::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

std::string http_result::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string{} : it->second;
}

struct connection::impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  std::string host;
};

connection::connection(const std::string& host_port) : impl_(std::make_unique<impl>()) {
  auto at = http::parse_host_port(host_port);
  if (!at) throw std::runtime_error(at.error().message);
  tcp::resolver resolver(impl_->ioc);
  impl_->host = host_port;
  impl_->stream.expires_after(std::chrono::seconds(30));
  impl_->stream.connect(resolver.resolve(at->host, at->port_text()));
}

connection::~connection() {
  beast::error_code ec;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

http_result connection::send(const std::string& method, const std::string& target,
                             const std::string& body,
                             const std::vector<std::pair<std::string, std::string>>& headers) {
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  if (req.method() == bhttp::verb::unknown) req.method_string(method);
  req.set(bhttp::field::host, impl_->host);
  for (auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST") {
    req.body() = body;
    req.prepare_payload();
  }
  impl_->stream.expires_after(std::chrono::seconds(30));
  bhttp::write(impl_->stream, req);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64u << 20);
  bhttp::read(impl_->stream, impl_->buffer, parser);
  auto& res = parser.get();
  http_result r;
  r.status = res.result_int();
  for (auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = res.body();
  return r;
}

std::string connection::raw(const std::string& bytes, std::chrono::milliseconds timeout) {
  impl_->stream.expires_after(timeout);
  // The server may answer (413, 431) and stop reading before all is sent: keep going
  // and read its answer.
  beast::error_code write_error;
  net::write(impl_->stream.socket(), net::buffer(bytes), write_error);
  std::string out;
  char buf[4096];
  for (;;) {
    beast::error_code ec;
    impl_->stream.expires_after(timeout);
    auto n = impl_->stream.read_some(net::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

void connection::raw_write(const std::string& bytes) {
  impl_->stream.socket().set_option(tcp::no_delay(true));
  net::write(impl_->stream.socket(), net::buffer(bytes));
}

std::string connection::raw_read_some() {
  char buf[1];
  beast::error_code ec;
  impl_->stream.expires_after(std::chrono::seconds(30));
  auto n = impl_->stream.read_some(net::buffer(buf), ec);
  return std::string(buf, n);
}

bool connection::closed_by_peer(std::chrono::milliseconds timeout) {
  impl_->stream.expires_after(timeout);
  char buf[256];
  beast::error_code ec;
  for (;;) {
    impl_->stream.read_some(net::buffer(buf), ec);
    if (ec == net::error::eof || ec == net::error::connection_reset) return true;
    if (ec) return false;  // timeout: still open
  }
}

http_result request(const std::string& host_port, const std::string& method,
                    const std::string& target, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  connection c(host_port);
  auto h = headers;
  h.emplace_back("Connection", "close");
  return c.send(method, target, body, h);
}

http_result sim(const std::string& host_port, const std::string& method, const std::string& target,
                const std::string& body) {
  std::vector<std::pair<std::string, std::string>> h = {{"Authorization", sim_auth}};
  if (!body.empty()) h.emplace_back("Content-Type", "application/json");
  return request(host_port, method, target, body, h);
}

http::response call_handler(http::handler& h, http::request req,
                            std::chrono::milliseconds timeout) {
  auto answered = std::make_shared<std::promise<http::response>>();
  auto future = answered->get_future();
  h.handle(std::move(req), [answered](http::response r) { answered->set_value(std::move(r)); });
  if (future.wait_for(timeout) != std::future_status::ready)
    throw std::runtime_error("the handler gave no answer within the timeout");
  return future.get();
}

}  // namespace minitwit::test
