#include "storage/backup.hpp"

#include <rocksdb/utilities/backup_engine.h>
#include <rocksdb/utilities/checkpoint.h>

#include <memory>
#include <mutex>

#include "storage/local_event_log.hpp"

namespace minitwit::storage {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view seq_tag = "last_seq=";

// One backup-engine operation at a time in this process: scheduled backups and ones
// asked for through the admin listener may target the same directory.
std::mutex engine_mu;

error err(std::string_view what, const rocksdb::Status& s) {
  return {s.IsNotFound()     ? errc::not_found
          : s.IsCorruption() ? errc::corrupt
                             : errc::io,
          std::string(what) + ": " + s.ToString()};
}

result<std::unique_ptr<rocksdb::BackupEngine>> open_engine(const fs::path& dir) {
  // Absolute, because a backup is opened as a database by a path derived from this.
  rocksdb::BackupEngineOptions options(fs::absolute(dir).lexically_normal().string());
  options.sync = true;
  rocksdb::BackupEngine* engine = nullptr;
  rocksdb::Status s = rocksdb::BackupEngine::Open(rocksdb::Env::Default(), options, &engine);
  if (!s.ok()) return make_error(err("cannot open the backup directory " + dir.string(), s));
  return std::unique_ptr<rocksdb::BackupEngine>(engine);
}

backup_info to_info(const rocksdb::BackupInfo& b) {
  backup_info i{b.backup_id, b.timestamp, b.size, b.number_files, 0};
  if (b.app_metadata.starts_with(seq_tag))
    i.last_seq = std::stoull(b.app_metadata.substr(seq_tag.size()));
  return i;
}

}  // namespace

bool is_empty_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::is_directory(dir, ec) && fs::directory_iterator(dir, ec) == fs::directory_iterator();
}

result<std::uint64_t> last_seq_of(const fs::path& dir) {
  database_options o;
  o.read_only = true;
  o.create_if_missing = false;
  auto db = database::open(dir, o);
  if (!db) return make_error(db.error());
  return read_last_seq(**db);
}

result<snapshot_info> create_snapshot(database& db, const fs::path& to) {
  std::error_code ec;
  if (fs::exists(to, ec))
    return make_error(errc::already_exists,
                      to.string() + " exists already: choose a new directory");
  fs::remove_all(fs::path(to.string() + ".tmp"), ec);  // left by an interrupted earlier attempt
  if (!to.parent_path().empty()) fs::create_directories(to.parent_path(), ec);
  rocksdb::Checkpoint* raw = nullptr;
  auto s = rocksdb::Checkpoint::Create(&db.db(), &raw);
  if (!s.ok()) return make_error(err("cannot start a snapshot", s));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  s = checkpoint->CreateCheckpoint(to.string());
  if (!s.ok()) return make_error(err("snapshot into " + to.string() + " failed", s));
  auto seq = last_seq_of(to);
  if (!seq)
    return make_error(seq.error().prefixed("the snapshot in " + to.string() + " cannot be read: "));
  return snapshot_info{fs::absolute(to).string(), *seq};
}

result<backup_info> create_backup(database& db, const fs::path& dir) {
  std::lock_guard lock(engine_mu);
  auto engine = open_engine(dir);
  if (!engine) return make_error(engine.error());
  // The backup holds at least every event up to this one; it may hold later ones
  // written meanwhile, which verify_backup reads exactly.
  auto seq = read_last_seq(db);
  if (!seq) return make_error(seq.error());
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  rocksdb::Status s = (*engine)->CreateNewBackupWithMetadata(
      options, &db.db(), std::string(seq_tag) + std::to_string(*seq), &id);
  if (!s.ok()) return make_error(err("backup into " + dir.string() + " failed", s));
  rocksdb::BackupInfo b;
  s = (*engine)->GetBackupInfo(id, &b);
  if (!s.ok()) return make_error(err("cannot read the new backup's details", s));
  return to_info(b);
}

result<std::vector<backup_info>> list_backups(const fs::path& dir) {
  if (!fs::exists(dir / "meta"))
    return make_error(errc::not_found, dir.string() + " holds no backups");
  auto engine = open_engine(dir);
  if (!engine) return make_error(engine.error());
  std::vector<rocksdb::BackupInfo> infos;
  (*engine)->GetBackupInfo(&infos);
  std::vector<backup_info> out;
  out.reserve(infos.size());
  for (auto& b : infos) out.push_back(to_info(b));
  return out;
}

result<backup_info> verify_backup(const fs::path& dir, std::uint32_t id) {
  auto engine = open_engine(dir);
  if (!engine) return make_error(engine.error());
  rocksdb::BackupInfo b;
  rocksdb::Status s = (*engine)->GetBackupInfo(id, &b, /*include_file_details=*/true);
  if (!s.ok()) return make_error(err("no backup " + std::to_string(id) + " in " + dir.string(), s));
  s = (*engine)->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!s.ok()) return make_error(err("backup " + std::to_string(id) + " is damaged", s));
  // Open it as a database, read-only, straight from the backup directory.
  database_options o;
  o.read_only = true;
  o.create_if_missing = false;
  o.env = b.env_for_open.get();
  auto db = database::open(b.name_for_open, o);
  if (!db)
    return make_error(db.error().prefixed("backup " + std::to_string(id) + " cannot be opened: "));
  auto last = read_last_seq(**db);
  if (!last) return make_error(last.error().prefixed("backup's event log is unreadable: "));
  auto info = to_info(b);
  info.last_seq = *last;
  return info;
}

result<std::vector<std::uint32_t>> prune_backups(const fs::path& dir, std::uint32_t keep) {
  std::lock_guard lock(engine_mu);
  auto before = list_backups(dir);
  if (!before) return make_error(before.error());
  auto engine = open_engine(dir);
  if (!engine) return make_error(engine.error());
  rocksdb::Status s = (*engine)->PurgeOldBackups(keep);
  if (!s.ok()) return make_error(err("pruning " + dir.string() + " failed", s));
  std::vector<std::uint32_t> deleted;
  for (std::size_t i = 0; i + keep < before->size(); ++i) deleted.push_back((*before)[i].id);
  return deleted;
}

result<backup_info> restore_backup(const fs::path& dir, std::optional<std::uint32_t> id,
                                   const fs::path& data_dir, bool overwrite) {
  if (!overwrite && !is_empty_dir(data_dir))
    return make_error(
        errc::not_empty,
        data_dir.string() +
            " is not empty: restore into a new directory, or pass --force to replace it");
  auto backups = list_backups(dir);
  if (!backups) return make_error(backups.error());
  if (backups->empty()) return make_error(errc::not_found, dir.string() + " holds no backups");
  std::uint32_t chosen = id.value_or(backups->back().id);
  auto verified = verify_backup(dir, chosen);
  if (!verified) return make_error(verified.error());
  auto engine = open_engine(dir);
  if (!engine) return make_error(engine.error());
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  rocksdb::Status s = (*engine)->RestoreDBFromBackup(chosen, data_dir.string(), data_dir.string());
  if (!s.ok()) return make_error(err("restore into " + data_dir.string() + " failed", s));
  return verified;
}

}  // namespace minitwit::storage
