// A child process for tests: started without a shell, its stdout and stderr captured
// by a reader thread (so it never blocks on a full pipe), waited for by condition
// with a deadline, and killed on destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace minitwit::test {

class child_process {
 public:
  // Throws std::runtime_error when the program cannot be started.
  explicit child_process(std::vector<std::string> argv);
  ~child_process();  // SIGKILL if still running
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  // Waits until the output matches pattern and returns the match and its groups, or
  // nullopt when the process ends or the timeout passes first.
  std::optional<std::vector<std::string>> wait_for(const std::regex& pattern,
                                                   std::chrono::milliseconds timeout);
  // Sends sig and waits for the exit; returns the exit status (128 + signal if killed).
  int signal_and_wait(int sig);
  // Waits for the process to end by itself within timeout; SIGKILL after it.
  int wait_exit(std::chrono::milliseconds timeout);
  bool running();
  std::string output() const;
  pid_t pid() const { return pid_; }

 private:
  int reap(bool block);
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::optional<int> status_;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::string output_;
  bool eof_ = false;
};

}  // namespace minitwit::test
