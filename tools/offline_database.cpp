#include "tools/offline_database.hpp"

#include <filesystem>

namespace minitwit::tools {

expected<std::unique_ptr<storage::database>, offline_error> open_offline_database(const std::string& dir,
                                                                                       bool read_only) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT"))
    return unexpected(offline_error{offline_failure::missing, dir + " holds no MiniTwit-ES database"});
  storage::database_options o;
  o.create_if_missing = false;
  o.read_only = read_only;
  auto db = storage::database::open(dir, o);
  if (db) return std::move(*db);
  // RocksDB reports another process's lock as an I/O error on the LOCK file.
  if (db.error().find("lock") != std::string::npos)
    return unexpected(offline_error{offline_failure::in_use, "the database in " + dir + " is in use by a running server"});
  return unexpected(offline_error{offline_failure::other, db.error()});
}

}  // namespace minitwit::tools
