#include "projections/stats.hpp"

#include <filesystem>

#include "projections/inline_projector.hpp"
#include "storage/local_event_log.hpp"
#include "storage/meta.hpp"

namespace minitwit::projections {

result<database_stats> collect_stats(storage::database& db) {
  database_stats s;
  auto last = storage::read_last_seq(db);
  auto checkpoint = storage::read_meta_u64(db, storage::meta_key::checkpoint);
  auto latest = storage::read_meta_optional(db, storage::meta_key::latest);
  if (!last) return make_error(last.error());
  if (!checkpoint) return make_error(checkpoint.error());
  if (!latest) return make_error(latest.error());
  s.last_seq = *last;
  s.projection_checkpoint = *checkpoint;
  if (*latest) s.latest = static_cast<std::int64_t>(**latest);
  auto counts = read_counts(db);
  if (!counts) return make_error(counts.error());
  s.users = counts->users;
  s.messages = counts->messages;
  s.follows = counts->follows;
  for (std::size_t i = 0; i < event_type_count; ++i)
    s.events_by_type.emplace_back(event_type_name_at(i), counts->events_by_type[i]);
  std::error_code ec;
  for (auto& f : std::filesystem::recursive_directory_iterator(db.dir(), ec))
    if (f.is_regular_file(ec)) s.disk_bytes += f.file_size(ec);
  return s;
}

}  // namespace minitwit::projections
