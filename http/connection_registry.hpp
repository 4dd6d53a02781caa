// Keeps count of open connections (for the connection limit) and lets the server ask
// every idle one to close when it shuts down.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>

namespace minitwit::http {

class connection_registry {
 public:
  using closer = std::function<void()>;
  using handle = std::list<closer>::iterator;

  // Registers a connection; close_if_idle is called (once) when the server stops.
  handle add(closer close_if_idle);
  void remove(handle h);

  std::size_t size() const;
  bool stopping() const { return stopping_.load(); }

  // Marks the registry stopping and calls every closer.
  void stop_all();
  // Waits until no connection is left or the deadline passes; true when none is left.
  bool wait_empty(std::chrono::steady_clock::time_point deadline);

 private:
  mutable std::mutex mu_;
  std::condition_variable empty_;
  std::list<closer> open_;
  std::atomic<bool> stopping_{false};
};

}  // namespace minitwit::http
