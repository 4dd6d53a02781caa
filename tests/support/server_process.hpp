// Runs the real minitwit-server binary for integration tests: free ports (it binds
// port 0 and the test reads the real ports from its "listening" log line), a
// temporary data directory unless one is given, and its output captured.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace minitwit::test {

class server_process {
 public:
  // Starts the server with --data-dir dir (or a fresh temporary one) plus extra args
  // and waits until it listens; throws with its output when it does not within 20 s.
  explicit server_process(std::vector<std::string> extra_args = {}, std::string data_dir = {});
  ~server_process();  // kills it if still running

  const std::string& api() const { return api_; }      // "127.0.0.1:PORT"
  const std::string& web() const { return web_; }
  const std::string& admin() const { return admin_; }
  const std::string& data_dir() const { return data_dir_; }
  pid_t pid() const { return pid_; }

  // SIGTERM, then waits for the exit; returns the exit status (or 128 + signal).
  int stop();
  // SIGKILL, then waits.
  void kill();
  // Everything it printed so far.
  std::string output() const;

  // The path of a binary built next to minitwit-server.
  static std::string binary(const std::string& name);

 private:
  int wait_exit();
  std::unique_ptr<temp_dir> own_dir_;
  std::string data_dir_;
  std::string api_, web_, admin_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable seen_;  // notified when output arrives or ends
  std::string output_;
};

}  // namespace minitwit::test
