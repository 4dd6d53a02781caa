#include "server/backup_scheduler.hpp"

#include <charconv>
#include <ctime>

#include "observability/json_log.hpp"
#include "storage/backup.hpp"

namespace minitwit::server {

std::optional<std::chrono::seconds> parse_interval(const std::string& s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || n == 0) return std::nullopt;
  std::string_view unit(end, s.data() + s.size() - end);
  std::uint64_t factor = unit.empty() || unit == "s" ? 1
                         : unit == "m"               ? 60
                         : unit == "h"               ? 3600
                         : unit == "d"               ? 86400
                                                     : 0;
  if (factor == 0 || n > 365ull * 86400 / factor) return std::nullopt;
  return std::chrono::seconds(n * factor);
}

backup_scheduler::backup_scheduler(storage::database& db, observability::server_metrics& metrics,
                                   backup_schedule schedule)
    : db_(db), metrics_(metrics), schedule_(std::move(schedule)) {
  metrics_.set_backup_interval(double(schedule_.every.count()));
  thread_ = std::thread([this] { run(); });
}

backup_scheduler::~backup_scheduler() { stop(); }

void backup_scheduler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void backup_scheduler::run() {
  for (;;) {
    backup_once();
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, schedule_.every, [&] { return stopping_; })) return;
  }
}

void backup_scheduler::backup_once() {
  auto started = std::chrono::steady_clock::now();
  auto fail = [&](const std::string& step, const std::string& error) {
    metrics_.backup_finished(false, std::time(nullptr));
    observability::log_fields(spdlog::level::err, "backup_failed",
                              {{"dir", schedule_.dir}, {"step", step}, {"error", error}});
  };
  auto made = storage::create_backup(db_, schedule_.dir);
  if (!made) return fail("create", made.error().message);
  auto verified = storage::verify_backup(schedule_.dir, made->id);
  if (!verified) return fail("verify", verified.error().message);
  auto pruned = storage::prune_backups(schedule_.dir, schedule_.keep);
  if (!pruned) return fail("prune", pruned.error().message);
  metrics_.backup_finished(true, std::time(nullptr));
  boost::json::array deleted;
  for (auto id : *pruned) deleted.emplace_back(id);
  observability::log_fields(spdlog::level::info, "backup",
                            {{"dir", schedule_.dir},
                             {"backup_id", made->id},
                             {"last_seq", verified->last_seq},
                             {"bytes", made->bytes},
                             {"pruned", std::move(deleted)},
                             {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - started)
                                        .count()}});
}

}  // namespace minitwit::server
