#include "app/worker_pool.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace minitwit::app {

worker_pool::worker_pool(std::size_t threads, std::size_t capacity, int nice_increment)
    : capacity_(capacity) {
  if (threads == 0) threads = 1;
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this, nice_increment] { run(nice_increment); });
}

worker_pool::~worker_pool() { stop(); }

bool worker_pool::try_submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || jobs_.size() >= capacity_) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void worker_pool::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

std::size_t worker_pool::queue_depth() const {
  std::lock_guard lock(mu_);
  return jobs_.size();
}

void worker_pool::run(int nice_increment) {
  // On Linux, nice values are per thread: this lowers only the worker's priority.
  auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  (void)::setpriority(PRIO_PROCESS, tid, ::getpriority(PRIO_PROCESS, tid) + nice_increment);
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace minitwit::app
