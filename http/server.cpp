#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/signal_set.hpp>
#include <thread>
#include <vector>

#include "http/connection_registry.hpp"
#include "http/host_port.hpp"
#include "http/listener.hpp"
#include "http/net.hpp"

namespace minitwit::http {

struct server::impl {
  impl(unsigned threads, server_limits l)
      : io_threads(threads == 0 ? 1 : threads),
        limits(l),
        ioc(static_cast<int>(io_threads)),
        work(net::make_work_guard(ioc)),
        signals(ioc, SIGINT, SIGTERM) {}

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

result<std::string> server::listen(const std::string& host_port, handler& h) {
  auto hp = parse_host_port(host_port);
  if (!hp) return make_error(hp.error());
  beast::error_code ec;
  auto address = net::ip::make_address(hp->host, ec);
  if (ec) return make_error(errc::invalid_argument, "'" + hp->host + "' is not an IP address");
  try {
    auto l = std::make_shared<listener>(impl_->ioc, tcp::endpoint(address, hp->port), h,
                                        impl_->limits, impl_->registry);
    auto ep = l->local_endpoint();
    impl_->listeners.push_back(l);
    l->run();
    return http::host_port{ep.address().to_string(), ep.port()}.to_string();
  } catch (const boost::system::system_error& e) {
    return make_error(errc::io, "cannot listen on " + host_port + ": " + e.code().message());
  }
}

void server::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop_requested = true;
  }
  impl_->stop_cv.notify_all();
}

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

void server::wait_for_stop() {
  auto& d = *impl_;
  std::unique_lock lock(d.mu);
  d.stop_cv.wait(lock, [&] { return d.stop_requested; });
}

void server::drain() {
  auto& d = *impl_;
  auto& threads = d.threads;
  for (auto& l : d.listeners) l->close();
  d.registry.stop_all();
  auto deadline = std::chrono::steady_clock::now() + d.limits.shutdown_grace;
  if (!d.registry.wait_empty(deadline))
    spdlog::warn("{} connections still open after the grace period; closing them",
                 d.registry.size());
  net::post(d.ioc, [&d] {
    beast::error_code ignored;
    d.signals.cancel(ignored);
  });
  d.work.reset();
  if (d.registry.size() > 0) d.ioc.stop();
  for (auto& t : threads) t.join();
}

}  // namespace minitwit::http
