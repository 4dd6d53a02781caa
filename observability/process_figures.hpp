// Figures about this process, read at scrape time for /metrics: from /proc, and from
// the allocator when it is jemalloc (minitwit-server links it; see CMakeLists.txt).
#pragma once

#include <optional>

namespace minitwit::observability {

struct process_figures {
  double resident_bytes = 0, cpu_seconds = 0, open_fds = 0, start_unix = 0;
};

process_figures read_process();

struct allocator_figures {
  double allocated_bytes = 0;  // what the program holds through malloc/new
  double resident_bytes = 0;   // what the allocator keeps in physical memory
};

// jemalloc's statistics, or nothing when the process does not run on jemalloc (other
// tools, sanitizer builds): looked up at run time, no build dependency.
std::optional<allocator_figures> read_allocator();

}  // namespace minitwit::observability
