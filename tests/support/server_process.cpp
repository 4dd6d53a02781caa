#include "tests/support/server_process.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <regex>
#include <stdexcept>

extern char** environ;

namespace minitwit::test {

std::string server_process::binary(const std::string& name) {
  return std::string(MINITWIT_BIN_DIR) + "/" + name;
}

server_process::server_process(std::vector<std::string> extra_args, std::string data_dir) {
  if (data_dir.empty()) {
    own_dir_ = std::make_unique<temp_dir>();
    data_dir = (own_dir_->path() / "data").string();
  }
  data_dir_ = data_dir;
  std::vector<std::string> args = {binary("minitwit-server"), "--data-dir", data_dir_,
                                   "--api-listen", "127.0.0.1:0", "--web-listen", "127.0.0.1:0",
                                   "--admin-listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw std::runtime_error("cannot start " + args[0]);
  }
  out_fd_ = fds[0];

  // A reader thread drains the output so that the server never blocks on a full pipe.
  auto& seen = seen_;
  reader_ = std::thread([this] {
    auto& seen = seen_;
    char buf[4096];
    for (;;) {
      auto n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      {
        std::lock_guard lock(mu_);
        output_.append(buf, static_cast<std::size_t>(n));
      }
      seen.notify_all();
    }
    seen.notify_all();
  });

  static const std::regex ready(R"(listening api=(\S+) web=(\S+) admin=(\S+))");
  std::unique_lock lock(mu_);
  std::smatch m;
  bool ok = seen.wait_for(lock, std::chrono::seconds(20), [&] {
    return std::regex_search(output_, m, ready) || ::waitpid(pid_, nullptr, WNOHANG) != 0;
  });
  if (ok && !m.empty()) {
    api_ = m[1];
    web_ = m[2];
    admin_ = m[3];
    return;
  }
  auto out = output_;
  lock.unlock();
  kill();
  throw std::runtime_error("minitwit-server did not become ready; it printed:\n" + out);
}

server_process::~server_process() { kill(); }

int server_process::wait_exit() {
  int status = 0;
  if (pid_ > 0) {
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) ::close(out_fd_), out_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int server_process::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  return wait_exit();
}

void server_process::kill() {
  if (pid_ > 0) ::kill(pid_, SIGKILL);
  if (pid_ > 0 || reader_.joinable()) wait_exit();
}

std::string server_process::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

}  // namespace minitwit::test
