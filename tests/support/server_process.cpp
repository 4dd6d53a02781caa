#include "tests/support/server_process.hpp"

#include <signal.h>

#include <stdexcept>

namespace minitwit::test {

std::string server_process::binary(const std::string& name) {
  return std::string(MINITWIT_BIN_DIR) + "/" + name;
}

server_process::server_process(std::vector<std::string> extra_args, std::string data_dir,
                               bool early) {
  if (data_dir.empty()) {
    own_dir_ = std::make_unique<temp_dir>();
    data_dir = (own_dir_->path() / "data").string();
  }
  data_dir_ = data_dir;
  std::vector<std::string> args = {binary("minitwit-server"),
                                   "--data-dir",
                                   data_dir_,
                                   "--api-listen",
                                   "127.0.0.1:0",
                                   "--web-listen",
                                   "127.0.0.1:0",
                                   "--admin-listen",
                                   "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  child_ = std::make_unique<child_process>(args);
  if (early) {
    auto m = child_->wait_for(std::regex(R"re("event":"admin_listening","admin":"([^"]+)")re"),
                              std::chrono::seconds(30));
    if (!m) {
      auto out = child_->output();
      kill();
      throw std::runtime_error("minitwit-server's admin listener did not come up; it printed:\n" +
                               out);
    }
    admin_ = (*m)[1];
    return;
  }
  wait_listening();
}

void server_process::wait_listening(std::chrono::seconds timeout) {
  auto m = child_->wait_for(std::regex(R"(listening api=(\S+) web=(\S+) admin=(\S+))"), timeout);
  if (!m) {
    auto out = child_->output();
    kill();
    throw std::runtime_error("minitwit-server did not become ready; it printed:\n" + out);
  }
  api_ = (*m)[1];
  web_ = (*m)[2];
  admin_ = (*m)[3];
}

}  // namespace minitwit::test
