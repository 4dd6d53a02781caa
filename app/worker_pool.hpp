// A fixed set of threads with a bounded queue, for CPU-heavy work (password hashing)
// that must never run on an I/O thread or in the writer. Its threads run at the normal
// scheduling priority unless nice_increment lowers it. The server passes --hash-nice,
// 0 by default: with a lower priority (or fewer threads than cores), registrations
// starved while other requests kept the cores busy, and timed out in the benchmark's
// scenario replay (see BENCHMARKS.md, "Registrations").
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace minitwit::app {

class worker_pool {
 public:
  // threads >= 1; nice_increment is added to each worker's nice value (Linux).
  worker_pool(std::size_t threads, std::size_t capacity, int nice_increment = 0);
  ~worker_pool();  // stop()s

  // Queues job; false when the queue is full or the pool is stopping.
  [[nodiscard]] bool try_submit(std::function<void()> job);

  // Runs every queued job, then joins the threads. Idempotent.
  void stop();

  std::size_t queue_depth() const;

  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

 private:
  void run(int nice_increment);

  std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace minitwit::app
