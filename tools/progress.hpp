// Progress of a long operation on stderr: on a terminal a bar with rate and ETA,
// redrawn in place; otherwise a plain line every few seconds, so that logs stay
// readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace minitwit::tools {

class progress {
 public:
  progress(std::string what, std::string unit);
  // Reports done of total (total 0: unknown).
  void update(std::uint64_t done, std::uint64_t total);
  // Ends the bar and prints a summary line: what, count, seconds, rate.
  void finish(std::uint64_t done);

 private:
  std::string what_, unit_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace minitwit::tools
