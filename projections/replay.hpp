// Rebuilding read models from the event log: in place, or into a new data directory
// holding the log up to a point in time (the way back from a bad event or deploy),
// and checking live read models against a fresh rebuild.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "projections/catch_up.hpp"
#include "storage/database.hpp"

namespace minitwit::projections {

using progress_fn = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct replay_options {
  std::optional<std::uint64_t> until_seq;     // keep events with seq <= this
  std::optional<std::int64_t> until_time_ms;  // keep events recorded at or before this
  progress_fn progress;
  // Rebuild through memtables, event by event, instead of as sorted files: slower; the
  // reference the bulk path is tested against.
  bool ordinary = false;
};

struct replay_report {
  std::uint64_t events_copied = 0;
  catch_up_report rebuild;
  double seconds = 0;
};

// Copies source's events (within the limits; encoded bytes kept as they are, old
// schema versions included) into a new database in `to` (absent or empty), then
// builds its read models. Every event is decoded on the way: an unknown type or
// version stops the copy with an error naming its sequence number.
result<replay_report> replay_into(storage::database& source, const std::filesystem::path& to,
                                  const replay_options& options);

// Drops and rebuilds every read model of db from its own log (ordinary: through
// memtables, see replay_options).
result<catch_up_report> rebuild_in_place(storage::database& db, const progress_fn& progress,
                                         bool ordinary = false);

struct drift {
  std::string column;  // e.g. "users", or "meta" for counters
  std::string key;     // printable, or hex
  std::string what;    // "missing from the live read model", "not in the rebuild", "value differs"
};

struct verify_report {
  std::uint64_t rows_compared = 0;
  std::uint64_t differences = 0;  // may exceed listed.size()
  std::vector<drift> listed;
};

// Compares every read model (and the counters and checkpoint) of live with rebuilt.
result<verify_report> compare_read_models(storage::database& live, storage::database& rebuilt,
                                          std::size_t max_listed = 100);

}  // namespace minitwit::projections
