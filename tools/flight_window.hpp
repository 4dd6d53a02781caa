// Submitting many commands to the writer without overflowing its bounded queue: for the
// tools that seed or load a database through the real writer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <stdexcept>

#include "app/writer.hpp"

namespace minitwit::tools {

// Keeps at most `limit` writes in flight, so the writer's bounded queue never refuses.
class flight_window {
 public:
  explicit flight_window(std::size_t limit) : limit_(limit) {}
  void submit(app::writer& w, core::command c) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return in_flight_ < limit_; });
      ++in_flight_;
    }
    bool ok = w.submit({std::move(c), std::nullopt, [this](const app::write_result& r) {
                          if (r.status == app::write_status::unavailable) failed_ = true;
                          std::lock_guard lock(mu_);
                          --in_flight_;
                          cv_.notify_all();
                        }});
    if (!ok) throw std::runtime_error("writer refused a write");
  }
  void drain() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
    if (failed_) throw std::runtime_error("a write failed");
  }

 private:
  std::size_t limit_, in_flight_ = 0;
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace minitwit::tools
