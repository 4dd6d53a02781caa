#include "http/connection_registry.hpp"

#include <vector>

namespace minitwit::http {

connection_registry::handle connection_registry::add(closer close_if_idle) {
  std::lock_guard lock(mu_);
  return open_.insert(open_.end(), std::move(close_if_idle));
}

void connection_registry::remove(handle h) {
  std::lock_guard lock(mu_);
  open_.erase(h);
  if (open_.empty()) empty_.notify_all();
}

std::size_t connection_registry::size() const {
  std::lock_guard lock(mu_);
  return open_.size();
}

void connection_registry::stop_all() {
  std::vector<closer> closers;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    closers.assign(open_.begin(), open_.end());
  }
  for (auto& c : closers) c();
}

bool connection_registry::wait_empty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return empty_.wait_until(lock, deadline, [&] { return open_.empty(); });
}

}  // namespace minitwit::http
