#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

extern char** environ;

namespace minitwit::test {

child_process::child_process(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Close-on-exec: the child gets the write end as its stdout and stderr only, so that
  // the daemons a script starts do not hold it open after the script has exited.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  int rc = ::posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw std::runtime_error("cannot start " + args[0]);
  }
  out_fd_ = fds[0];
  reader_ = std::thread([this] {
    char buf[4096];
    for (;;) {
      auto n = ::read(out_fd_, buf, sizeof buf);
      std::lock_guard lock(mu_);
      if (n <= 0) {
        eof_ = true;
        changed_.notify_all();
        return;
      }
      output_.append(buf, static_cast<std::size_t>(n));
      changed_.notify_all();
    }
  });
}

child_process::~child_process() {
  if (running()) ::kill(pid_, SIGKILL);
  reap(true);
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) ::close(out_fd_);
}

int child_process::reap(bool block) {
  if (status_) return *status_;
  int status = 0;
  if (::waitpid(pid_, &status, block ? 0 : WNOHANG) != pid_) return -1;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return *status_;
}

bool child_process::running() { return reap(false) < 0; }

std::optional<std::vector<std::string>> child_process::wait_for(const std::regex& pattern,
                                                                std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::optional<std::vector<std::string>> groups;
  auto matched = [&] {
    std::smatch m;
    if (!std::regex_search(output_, m, pattern)) return false;
    groups.emplace(m.begin(), m.end());  // copies, before output_ can grow again
    return true;
  };
  changed_.wait_until(lock, std::chrono::steady_clock::now() + timeout,
                      [&] { return matched() || eof_; });
  return groups;
}

int child_process::signal_and_wait(int sig) {
  if (running()) ::kill(pid_, sig);
  int code = reap(true);
  if (reader_.joinable()) reader_.join();
  return code;
}

int child_process::wait_exit(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return eof_; });
  lock.unlock();
  if (!eof_) ::kill(pid_, SIGKILL);
  int code = reap(true);
  if (reader_.joinable()) reader_.join();
  return code;
}

std::string child_process::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

}  // namespace minitwit::test
