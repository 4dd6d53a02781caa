// Runs the real minitwit-server binary for integration tests: free ports (it binds
// port 0 and the test reads the real ports from its "listening" log line), a
// temporary data directory unless one is given, and its output captured.
#pragma once

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace minitwit::test {

class server_process {
 public:
  // Starts the server with --data-dir dir (or a fresh temporary one) plus extra args
  // and waits until it listens; throws with its output when it does not within 30 s.
  // With early = true it returns as soon as the admin listener is up (before the
  // read models have caught up): api() and web() are then empty.
  explicit server_process(std::vector<std::string> extra_args = {}, std::string data_dir = {},
                          bool early = false);

  const std::string& api() const { return api_; }  // "127.0.0.1:PORT"
  const std::string& web() const { return web_; }
  const std::string& admin() const { return admin_; }
  const std::string& data_dir() const { return data_dir_; }

  // Waits for the "listening" line after an early start; throws with the server's
  // output when it does not come within the timeout.
  void wait_listening(std::chrono::seconds timeout = std::chrono::seconds(30));
  // SIGTERM, then waits for the exit; returns the exit status (or 128 + signal).
  int stop() { return child_->signal_and_wait(SIGTERM); }
  // SIGKILL, then waits.
  void kill() { child_->signal_and_wait(SIGKILL); }
  std::string output() const { return child_->output(); }
  // Waits until the output matches pattern; the match and its groups, or nullopt.
  std::optional<std::vector<std::string>> wait_for_output(const std::string& pattern,
                                                          std::chrono::milliseconds timeout) {
    return child_->wait_for(std::regex(pattern), timeout);
  }

  // The path of a binary built next to minitwit-server.
  static std::string binary(const std::string& name);

 private:
  std::unique_ptr<temp_dir> own_dir_;
  std::string data_dir_;
  std::string api_, web_, admin_;
  std::unique_ptr<child_process> child_;
};

}  // namespace minitwit::test
