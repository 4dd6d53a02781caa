// Opening the database of a stopped server for the command-line tools: never creates
// one. Fails with errc::not_found when there is none, errc::locked when a running
// server holds it.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "storage/database.hpp"

namespace minitwit::tools {

inline storage::database_options offline_options(bool read_only) {
  storage::database_options o;
  o.create_if_missing = false;
  o.read_only = read_only;
  return o;
}

inline result<std::unique_ptr<storage::database>> open_offline_database(const std::string& dir,
                                                                        bool read_only) {
  return storage::database::open(dir, offline_options(read_only));
}

}  // namespace minitwit::tools
