// Waits for a condition that another system makes true in its own time (Prometheus
// scraping, an alert's state): checks it, then waits `every` on a condition variable,
// until it holds or the deadline passes. Returns whether it held.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace minitwit::test {

inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds every = std::chrono::milliseconds(200)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::mutex mu;
  std::condition_variable never_notified;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::unique_lock lock(mu);
    never_notified.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + every));
  }
}

}  // namespace minitwit::test
