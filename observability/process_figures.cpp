#include "observability/process_figures.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace minitwit::observability {

process_figures read_process() {
  process_figures f;
  long page = ::sysconf(_SC_PAGESIZE), ticks = ::sysconf(_SC_CLK_TCK);
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  if (statm >> size >> resident) f.resident_bytes = double(resident) * page;
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (std::getline(stat, line)) {
    // Fields after the ")" of the command name: state is field 3; utime 14, stime 15, starttime 22.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    double utime = 0, stime = 0, starttime = 0;
    for (int i = 3; rest >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
      if (i == 22) {
        starttime = std::stod(field);
        break;
      }
    }
    f.cpu_seconds = (utime + stime) / ticks;
    std::ifstream uptime_file("/proc/uptime");
    double uptime = 0;
    if (uptime_file >> uptime)
      f.start_unix = double(std::time(nullptr)) - uptime + starttime / ticks;
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++f.open_fds;
  return f;
}

std::optional<allocator_figures> read_allocator() {
  using mallctl_fn = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
  static const auto mallctl = reinterpret_cast<mallctl_fn>(::dlsym(RTLD_DEFAULT, "mallctl"));
  if (!mallctl) return std::nullopt;
  std::uint64_t epoch = 1;
  std::size_t len = sizeof epoch;
  if (mallctl("epoch", &epoch, &len, &epoch, len) != 0)
    return std::nullopt;  // refreshes the statistics
  std::size_t allocated = 0, resident = 0;
  len = sizeof allocated;
  if (mallctl("stats.allocated", &allocated, &len, nullptr, 0) != 0) return std::nullopt;
  len = sizeof resident;
  if (mallctl("stats.resident", &resident, &len, nullptr, 0) != 0) return std::nullopt;
  return allocator_figures{double(allocated), double(resident)};
}

}  // namespace minitwit::observability
