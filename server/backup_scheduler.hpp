// Scheduled backups inside the server: one at start-up, then one every interval,
// each verified (checksums, and opened read-only) and followed by pruning to the
// newest `keep`. Every run is logged and counted in the metrics (last success time,
// failures), so that an alert fires when backups stop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "observability/metrics.hpp"
#include "storage/database.hpp"

namespace minitwit::server {

struct backup_schedule {
  std::string dir;
  std::chrono::seconds every{3 * 3600};
  std::uint32_t keep = 7;
};

// "90s", "15m", "3h", "1d" or plain seconds; nullopt when malformed or zero.
std::optional<std::chrono::seconds> parse_interval(const std::string& s);

class backup_scheduler {
 public:
  backup_scheduler(storage::database& db, observability::server_metrics& metrics,
                   backup_schedule schedule);
  ~backup_scheduler();  // stop()s
  // Lets a running backup finish, then ends the thread.
  void stop();

 private:
  void run();
  void backup_once();
  storage::database& db_;
  observability::server_metrics& metrics_;
  backup_schedule schedule_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace minitwit::server
