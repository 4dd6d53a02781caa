// A full rebuild of the read models as sorted SST files (RocksDB's SstFileWriter and
// IngestExternalFile) instead of through memtables: one pass over the log, in order.
//   messages        written as they come (message ids rise with the log);
//   public_msgs     the messages file read backwards (newest first);
//   users, users_by_id, author_heads
//                   from the users and authors met, sorted at the end;
//   user_msgs, follows
//                   through external sorters (storage/sorted_files.hpp): sorted in
//                   memory up to a bound, spilled as sorted runs beyond it, merged;
//                   a pair's follows and unfollows are sorted with their seq, and the
//                   last one decides;
//   flags           messages flagged at the end are corrected after the ingest (a few
//                   ordinary writes).
// The result is the same rows as the ordinary path (projections/catch_up) gives.
// Memory: bulk_options::memory_bytes for the sorters together, plus, per user, the user's row, its
// username and newest message id (~150 bytes a user), plus each message ever flagged.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "core/result.hpp"
#include "projections/catch_up.hpp"
#include "storage/database.hpp"
#include "storage/event_log.hpp"

namespace minitwit::projections {

struct bulk_options {
  std::size_t memory_bytes = std::size_t{768} << 20;  // for the sorters, all together
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

// Drops db's read models and builds them from log (the events up to its last seq).
// nullopt: this log does not suit the bulk path (its message ids do not rise with the
// log: an import from another system); nothing was changed beyond the dropped read
// models, and the ordinary path must be used. A crash in the middle leaves read models
// that the next start rebuilds (their version is reset first).
result<std::optional<catch_up_report>> bulk_rebuild(storage::database& db,
                                                    const storage::event_log& log,
                                                    const bulk_options& options = {});

// Whether opening db needs a full rebuild: its read models are of another version, or
// it has none (checkpoint 0) for a log that has events.
result<bool> full_rebuild_due(storage::database& db, const storage::event_log& log);

// bulk_rebuild, or the ordinary full rebuild where the bulk path does not suit the log.
result<catch_up_report> full_rebuild(storage::database& db, const storage::event_log& log,
                                     const bulk_options& options = {});

}  // namespace minitwit::projections
