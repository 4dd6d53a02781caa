// Opening the database of a stopped server for the command-line tools, with the
// failures an operator meets named plainly: no database there, or a running server
// holding it.
#pragma once

#include "core/expected.hpp"
#include <memory>
#include <string>

#include "storage/database.hpp"

namespace minitwit::tools {

enum class offline_failure { missing, in_use, other };

struct offline_error {
  offline_failure kind;
  std::string message;
};

// Opens the existing database in dir (never creates one).
[[nodiscard]] expected<std::unique_ptr<storage::database>, offline_error> open_offline_database(
    const std::string& dir, bool read_only);

}  // namespace minitwit::tools
