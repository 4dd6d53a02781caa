#include "http/server.hpp"

#include <charconv>
#include <thread>
#include <vector>

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "http/connection_registry.hpp"
#include "http/listener.hpp"
#include "http/net.hpp"

namespace minitwit::http {

std::optional<std::pair<std::string, unsigned short>> split_host_port(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto p = s.substr(colon + 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port > 65535) return std::nullopt;
  return std::pair{host, static_cast<unsigned short>(port)};
}

struct server::impl {
  impl(unsigned threads, server_limits l)
      : io_threads(threads == 0 ? 1 : threads), limits(l), ioc(static_cast<int>(io_threads)),
        work(net::make_work_guard(ioc)), signals(ioc, SIGINT, SIGTERM) {}

  unsigned io_threads;
  server_limits limits;
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work;
  net::signal_set signals;
  connection_registry registry;
  std::vector<std::shared_ptr<listener>> listeners;
  std::mutex mu;
  std::condition_variable stop_cv;
  bool stop_requested = false;
  std::vector<std::thread> threads;
};

server::server(unsigned io_threads, server_limits limits)
    : impl_(std::make_unique<impl>(io_threads, limits)) {}

server::~server() {
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
}

expected<std::string, std::string> server::listen(const std::string& host_port, handler& h) {
  auto hp = split_host_port(host_port);
  if (!hp) return unexpected("'" + host_port + "' is not HOST:PORT");
  beast::error_code ec;
  auto address = net::ip::make_address(hp->first, ec);
  if (ec) return unexpected("'" + hp->first + "' is not an IP address");
  try {
    auto l = std::make_shared<listener>(impl_->ioc, tcp::endpoint(address, hp->second), h,
                                        impl_->limits, impl_->registry);
    auto ep = l->local_endpoint();
    impl_->listeners.push_back(l);
    l->run();
    auto a = ep.address();
    return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
  } catch (const boost::system::system_error& e) {
    return unexpected("cannot listen on " + host_port + ": " + e.code().message());
  }
}

void server::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop_requested = true;
  }
  impl_->stop_cv.notify_all();
}

std::size_t server::open_connections() const { return impl_->registry.size(); }

void server::start() {
  auto& d = *impl_;
  d.signals.async_wait([this](beast::error_code ec, int signo) {
    if (!ec) {
      spdlog::info("received signal {}, shutting down", signo);
      stop();
    }
  });
  for (unsigned i = 0; i < d.io_threads; ++i) d.threads.emplace_back([&d] { d.ioc.run(); });
}

void server::wait() {
  auto& d = *impl_;
  auto& threads = d.threads;
  {
    std::unique_lock lock(d.mu);
    d.stop_cv.wait(lock, [&] { return d.stop_requested; });
  }
  for (auto& l : d.listeners) l->close();
  d.registry.stop_all();
  auto deadline = std::chrono::steady_clock::now() + d.limits.shutdown_grace;
  if (!d.registry.wait_empty(deadline))
    spdlog::warn("{} connections still open after the grace period; closing them", d.registry.size());
  net::post(d.ioc, [&d] {
    beast::error_code ignored;
    d.signals.cancel(ignored);
  });
  d.work.reset();
  if (d.registry.size() > 0) d.ioc.stop();
  for (auto& t : threads) t.join();
}

}  // namespace minitwit::http
