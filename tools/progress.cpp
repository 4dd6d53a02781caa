#include "tools/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace minitwit::tools {

progress::progress(std::string what, std::string unit)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      tty_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void progress::update(std::uint64_t done, std::uint64_t total) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000)))
    return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0 ? done / secs : 0;
  std::string eta =
      total > done && rate > 0 ? fmt::format(", ETA {:.0f} s", (total - done) / rate) : "";
  if (tty_) {
    int width = 30;
    int filled = total ? static_cast<int>(width * std::min(1.0, double(done) / total)) : 0;
    fmt::print(stderr, "\r{} [{}{}] {}/{} {} ({:.0f} {}/s{})   ", what_, std::string(filled, '#'),
               std::string(width - filled, '.'), done, total, unit_, rate, unit_, eta);
  } else {
    fmt::print(stderr, "{}: {} of {} {} ({:.0f} {}/s{})\n", what_, done, total, unit_, rate, unit_,
               eta);
  }
}

void progress::finish(std::uint64_t done) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (tty_) fmt::print(stderr, "\r\033[K");
  fmt::print(stderr, "{}: {} {} in {:.2f} s ({:.0f} {}/s)\n", what_, done, unit_, secs,
             secs > 0 ? done / secs : 0.0, unit_);
}

}  // namespace minitwit::tools
