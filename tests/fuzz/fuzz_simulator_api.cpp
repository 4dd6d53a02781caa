// The simulator API over a real store: any method, target, credentials and body get
// an answer, never a 500 and never a crash. Input: byte 0 picks the method and
// whether to authenticate; the target runs to the first newline; the rest is the body.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "app/passwords.hpp"
#include "http/simulator_api.hpp"
#include "server/store.hpp"

using namespace minitwit;

namespace {

struct store {
  std::unique_ptr<server::store> data;
  std::unique_ptr<app::worker_pool> hashers;
  std::unique_ptr<http::simulator_api> api;
  store() {
    auto dir =
        std::filesystem::temp_directory_path() / ("minitwit-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    data = std::move(*server::store::open(dir));
    (void)data->start();
    hashers = std::make_unique<app::worker_pool>(2, 64);
    api = std::make_unique<http::simulator_api>(data->reads(), data->writer(), *hashers,
                                                http::simulator_api_options{});
  }
};

store& the_store() {
  static store s;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)app::init_crypto();
  (void)the_store();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* methods[] = {"GET", "POST", "PUT", "DELETE"};
  http::request req;
  req.method = methods[data[0] & 3];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  auto nl = rest.find('\n');
  req.target = std::string(rest.substr(0, nl));
  if (nl != std::string_view::npos) req.body = std::string(rest.substr(nl + 1));
  if (data[0] & 4) req.headers.emplace_back("authorization", "Basic c2ltdWxhdG9yOnN1cGVyX3NhZmUh");
  req.client = "127.0.0.1";
  std::promise<http::response> answered;
  the_store().api->handle(std::move(req),
                          [&answered](http::response r) { answered.set_value(std::move(r)); });
  auto r = answered.get_future().get();
  if (r.status >= 500 && r.status != 503) __builtin_trap();
  if (r.status < 200) __builtin_trap();
  return 0;
}
