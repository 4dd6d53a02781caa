#include "projections/stats.hpp"

#include <filesystem>

#include "projections/inline_projector.hpp"
#include "storage/event_log.hpp"
#include "storage/meta.hpp"

namespace minitwit::projections {

expected<database_stats, std::string> collect_stats(storage::database& db) {
  database_stats s;
  auto last = storage::event_log(db).last_seq();
  auto checkpoint = storage::read_meta_u64(db, storage::meta_key::checkpoint);
  auto latest = storage::read_meta_optional(db, storage::meta_key::latest);
  if (!last) return unexpected(last.error());
  if (!checkpoint) return unexpected(checkpoint.error());
  if (!latest) return unexpected(latest.error());
  s.last_seq = *last;
  s.projection_checkpoint = *checkpoint;
  if (*latest) s.latest = static_cast<std::int64_t>(**latest);
  auto keys = counter_keys();
  std::vector<std::int64_t> values;
  for (const auto& k : keys) {
    auto v = storage::read_meta_u64(db, k);
    if (!v) return unexpected(v.error());
    values.push_back(static_cast<std::int64_t>(*v));
  }
  s.users = values[0];
  s.messages = values[1];
  s.follows = values[2];
  for (std::size_t i = 3; i < keys.size(); ++i)
    s.events_by_type.emplace_back(keys[i].substr(std::string_view("count.events.").size()), values[i]);
  std::error_code ec;
  for (auto& f : std::filesystem::recursive_directory_iterator(db.dir(), ec))
    if (f.is_regular_file(ec)) s.disk_bytes += f.file_size(ec);
  return s;
}

}  // namespace minitwit::projections
