// Migration of a legacy MiniTwit SQLite database (the original Flask schema:
// user(user_id, username, email, pw_hash), follower(who_id, whom_id),
// message(message_id, author_id, text, pub_date, flagged)) into events of an empty
// data directory. Original timestamps, flags and password hashes (Werkzeug, upgraded
// to Argon2id at each user's first login) are kept. What real legacy databases
// contain — duplicate users and follows, rows pointing at missing users, NULLs,
// invalid UTF-8 — is repaired or skipped and reported, never fatal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "projections/replay.hpp"
#include "storage/database.hpp"

namespace minitwit::tools {

struct legacy_report {
  std::uint64_t users = 0, messages = 0, flagged = 0, follows = 0, events = 0;
  std::map<std::string, std::uint64_t> skipped;   // reason -> rows
  std::map<std::string, std::uint64_t> repaired;  // what -> rows
  std::vector<std::string> examples;              // the first few problems, in detail
};

result<legacy_report> import_legacy_sqlite(const std::filesystem::path& sqlite_file,
                                           storage::database& db,
                                           const projections::progress_fn& progress);

// Replaces every invalid UTF-8 sequence with U+FFFD.
std::string repair_utf8(std::string_view s);

}  // namespace minitwit::tools
