// An empty node's first catch-up in cluster mode, the bulk way: the shared log's records
// up to its head become this node's log as a sorted SST file (each event numbered and
// its order-given ids resolved as the writer does when it applies: app/order_ids.hpp),
// ingested together with the shared log's position, the id counters and `latest`, all
// or nothing. The read models are then built by the bulk rebuild
// (projections/bulk_rebuild.hpp), and the writer applies what came after the copy.
#pragma once

#include <cstdint>
#include <functional>

#include "core/result.hpp"
#include "storage/database.hpp"
#include "storage/shared_log.hpp"

namespace minitwit::app {

struct copy_report {
  std::uint64_t records = 0;  // of the shared log
  std::uint64_t events = 0;
  double seconds = 0;
};

// Copies when this node's log is empty and the shared log holds at least min_records;
// otherwise copies nothing (the writer's ordinary apply is as quick for a short log).
result<copy_report> copy_shared_log(
    storage::database& db, const storage::event_log& local, const storage::shared_log& shared,
    std::uint64_t min_records,
    const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

}  // namespace minitwit::app
