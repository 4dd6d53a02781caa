// What an operator asks first: how much is in this database and how far along it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "storage/database.hpp"

namespace minitwit::projections {

struct database_stats {
  std::uint64_t last_seq = 0;
  std::uint64_t projection_checkpoint = 0;
  std::optional<std::int64_t> latest;  // the simulator's, when ever stored
  std::int64_t users = 0, messages = 0, follows = 0;
  std::vector<std::pair<std::string, std::int64_t>> events_by_type;
  std::uint64_t disk_bytes = 0;  // every file in the data directory
};

result<database_stats> collect_stats(storage::database& db);

}  // namespace minitwit::projections
