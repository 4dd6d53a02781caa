// Brings the read models up to the end of the event log: nothing to do when the
// projection checkpoint is current; the missing tail when it is behind (the read
// models were restored from an older copy, or other nodes appended to a shared log);
// a full rebuild, after dropping every read model, when they were written by another
// projection_version (a newer binary) or are missing.
#pragma once

#include <cstdint>
#include <functional>

#include "core/result.hpp"
#include "projections/inline_projector.hpp"
#include "storage/database.hpp"
#include "storage/event_log.hpp"

namespace minitwit::projections {

struct catch_up_report {
  bool full_rebuild = false;
  bool bulk = false;           // rebuilt as sorted files (projections/bulk_rebuild.hpp)
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

// Applies log's events after db's checkpoint through projector (the server's own, so
// that the heads attached to it stay current; it must not be in the middle of a batch).
result<catch_up_report> catch_up(storage::database& db, const storage::event_log& log,
                                 inline_projector& projector, const catch_up_options& options = {});

// The same with a projector of its own, for a database nothing else serves.
result<catch_up_report> catch_up(storage::database& db, const storage::event_log& log,
                                 const catch_up_options& options = {});

}  // namespace minitwit::projections
