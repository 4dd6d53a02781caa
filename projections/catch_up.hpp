// Brings the read models up to the end of the event log before the server accepts
// traffic: nothing to do when the projection checkpoint is current; the missing tail
// when it is behind (e.g. the read models were restored from an older copy); a full
// rebuild, after dropping every read model, when they were written by another
// projection_version (a newer binary) or are missing.
#pragma once

#include <cstdint>
#include "core/expected.hpp"
#include <functional>
#include <string>

#include "storage/database.hpp"

namespace minitwit::projections {

struct catch_up_report {
  bool full_rebuild = false;
  std::uint64_t from_seq = 0;  // first event applied
  std::uint64_t to_seq = 0;    // last event in the log
  std::uint64_t events = 0;    // how many were applied
  double seconds = 0;
};

struct catch_up_options {
  bool force_full_rebuild = false;
  std::uint64_t events_per_batch = 20000;
  // Called after every batch with (events applied so far, events to apply).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

[[nodiscard]] expected<catch_up_report, std::string> catch_up(storage::database& db,
                                                                   const catch_up_options& options = {});

}  // namespace minitwit::projections
