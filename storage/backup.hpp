// Point-in-time copies of a live database: snapshots (RocksDB checkpoints: hard links,
// instant, a complete directory that a server can open as it is) and incremental,
// checksummed backups (RocksDB BackupEngine). Each reports the last event sequence
// number it holds. A copy interrupted by a crash is never left looking complete: a
// checkpoint is built in "<dir>.tmp" and renamed at the end, and a backup becomes
// visible only when its meta file is written, last.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "storage/database.hpp"

namespace minitwit::storage {

struct snapshot_info {
  std::string path;
  std::uint64_t last_seq = 0;
};

// Creates a checkpoint in `to`; errc::already_exists when it exists.
result<snapshot_info> create_snapshot(database& db, const std::filesystem::path& to);

struct backup_info {
  std::uint32_t id = 0;
  std::int64_t created_unix = 0;
  std::uint64_t bytes = 0;
  std::uint32_t files = 0;
  std::uint64_t last_seq = 0;
};

// Adds a backup of db to backup_dir (created if missing); shares unchanged files with
// earlier backups there.
result<backup_info> create_backup(database& db, const std::filesystem::path& backup_dir);
result<std::vector<backup_info>> list_backups(const std::filesystem::path& backup_dir);
// Checks every file's size and checksum, then opens the backup read-only and reads
// its event log's end. An error names what is wrong.
result<backup_info> verify_backup(const std::filesystem::path& backup_dir, std::uint32_t id);
// Deletes all but the newest `keep` backups; returns the ids it deleted.
result<std::vector<std::uint32_t>> prune_backups(const std::filesystem::path& backup_dir,
                                                 std::uint32_t keep);
// Restores backup `id` (default: the newest) into data_dir, which must be empty or
// absent unless overwrite is set (errc::not_empty). errc::not_found: no such backup.
result<backup_info> restore_backup(const std::filesystem::path& backup_dir,
                                   std::optional<std::uint32_t> id,
                                   const std::filesystem::path& data_dir, bool overwrite);

// True when dir is absent or an empty directory.
bool is_empty_dir(const std::filesystem::path& dir);

// The last event sequence number of the database in dir, opened read-only.
result<std::uint64_t> last_seq_of(const std::filesystem::path& dir);

}  // namespace minitwit::storage
