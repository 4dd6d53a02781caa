#include "storage/database.hpp"

#include <fcntl.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_manager.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "storage/keys.hpp"
#include "storage/meta.hpp"
#include "storage/write_batch.hpp"

namespace minitwit::storage {

namespace {
constexpr std::array<std::string_view, column_count> names = {
    "events",   "meta",      "users",       "users_by_id", "follows",
    "messages", "user_msgs", "public_msgs", "author_heads"};
}

std::string_view column_name(column c) { return names[static_cast<std::size_t>(c)]; }

bool is_projection_column(column c) { return c != column::events && c != column::meta; }

namespace {

// Most rows are written in key order, or next to the previous row with the same prefix
// (a log appended to, a user's newest message): the memtable remembers where the last
// insert of each prefix went instead of searching the skip list from the top (that
// search was the writer's largest single cost).
rocksdb::ColumnFamilyOptions options_for(const rocksdb::ColumnFamilyOptions& base, column c) {
  auto o = base;
  switch (c) {
    case column::events:
    case column::users_by_id:
    case column::messages:
    case column::public_msgs:
      o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(0));
      break;
    case column::follows:
    case column::user_msgs:
      o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
      break;
    default:
      break;
  }
  return o;
}

// True when another process holds RocksDB's lock on dir (a running server): asked of
// the kernel, so that the answer never depends on the wording of RocksDB's error.
bool locked_by_another_process(const std::filesystem::path& dir) {
  int fd = ::open((dir / "LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock query {};
  query.l_type = F_WRLCK;
  query.l_whence = SEEK_SET;
  bool held = ::fcntl(fd, F_GETLK, &query) == 0 && query.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

error io_error(const std::string& what, const rocksdb::Status& s) {
  return {errc::io, what + ": " + s.ToString()};
}

}  // namespace

result<std::unique_ptr<database>> database::open(const std::filesystem::path& dir,
                                                 const database_options& o) {
  if (!o.create_if_missing && !std::filesystem::exists(dir / "CURRENT"))
    return make_error(errc::not_found, dir.string() + " holds no MiniTwit-ES database");
  std::unique_ptr<database> d(new database());
  d->dir_ = dir;

  rocksdb::Options opts;
  opts.create_if_missing = o.create_if_missing;
  opts.create_missing_column_families = o.create_if_missing;
  opts.IncreaseParallelism(2);
  opts.max_open_files = 512;
  opts.keep_log_file_num = 5;
  opts.max_log_file_size = 8u << 20;
  // Table files are written back to disk a megabyte at a time as flushes and compactions
  // write them, instead of in one burst at their final sync that the WAL's per-batch
  // fdatasync (which commits the whole ext4 journal) would have to wait behind.
  opts.bytes_per_sync = 1u << 20;
  // With an SstFileManager, RocksDB recovers by itself from "no space left" once space
  // is freed (it polls free space); without one a full disk stops writes for good.
  opts.sst_file_manager.reset(rocksdb::NewSstFileManager(rocksdb::Env::Default()));
  opts.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(o.write_buffer_bytes);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(o.block_cache_bytes);
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Timelines read the newest messages most: a flushed memtable's blocks go straight
  // into the cache instead of being read back from disk at the first timeline request.
  table.prepopulate_block_cache =
      rocksdb::BlockBasedTableOptions::PrepopulateBlockCache::kFlushOnly;
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  opts.compression = rocksdb::kLZ4Compression;
  opts.bottommost_compression = rocksdb::kZSTD;
  if (o.env) opts.env = o.env;
  d->cf_options_ = rocksdb::ColumnFamilyOptions(opts);

  // Read-only opens take the column families that are there (an older copy may lack a
  // newer read model); read-write opens create the missing ones.
  std::vector<std::string> present;
  if (o.read_only) {
    auto s = rocksdb::DB::ListColumnFamilies(opts, dir.string(), &present);
    if (!s.ok()) return make_error(io_error("cannot open database in " + dir.string(), s));
  }
  auto wanted = [&](std::string_view name) {
    return !o.read_only || std::find(present.begin(), present.end(), name) != present.end();
  };
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  std::vector<std::size_t> columns;  // descriptors[k + 1] is column columns[k]
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, d->cf_options_);
  for (std::size_t i = 0; i < column_count; ++i) {
    if (!wanted(names[i])) continue;
    descriptors.emplace_back(std::string(names[i]),
                             options_for(d->cf_options_, static_cast<column>(i)));
    columns.push_back(i);
  }

  std::error_code ec;
  if (o.create_if_missing) std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(errc::io, "cannot create " + dir.string() + ": " + ec.message());

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      o.read_only ? rocksdb::DB::OpenForReadOnly(opts, dir.string(), descriptors, &handles, &raw)
                  : rocksdb::DB::Open(opts, dir.string(), descriptors, &handles, &raw);
  if (!s.ok() && locked_by_another_process(dir))
    return make_error(errc::locked,
                      "the database in " + dir.string() + " is in use by a running server");
  if (!s.ok()) return make_error(io_error("cannot open database in " + dir.string(), s));
  d->db_.reset(raw);
  // handles[0] is the default column family, which we do not use: RocksDB owns it.
  for (std::size_t k = 0; k < columns.size(); ++k) d->handles_[columns[k]] = handles[k + 1];
  (void)d->db_->DestroyColumnFamilyHandle(handles[0]);
  if (!d->cf(column::meta) || !d->cf(column::events))
    return make_error(errc::corrupt,
                      dir.string() + " has no event log: it is not a MiniTwit-ES database");

  auto format = read_meta_optional(*d, meta_key::format_version);
  if (!format) return make_error(format.error());
  if (!*format && !o.read_only) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    s = d->db_->Put(sync, d->cf(column::meta), meta_key::format_version,
                    keys::u64(current_format_version));
    if (!s.ok()) return make_error(io_error("cannot initialise " + dir.string(), s));
  } else if (format->value_or(0) > current_format_version) {
    return make_error(errc::unsupported,
                      "database in " + dir.string() + " has format version " +
                          std::to_string(**format) + ", newer than this binary's " +
                          std::to_string(current_format_version) + ": upgrade the binary");
  }
  return d;
}

result<std::optional<std::string>> database::get(column c, std::string_view key) {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), cf(c), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>{};
  if (!s.ok()) return make_error(io_error("read of " + std::string(column_name(c)) + " failed", s));
  return std::optional<std::string>(std::move(value));
}

result<void> database::write(write_batch& batch, durability d) {
  rocksdb::WriteOptions wo;
  wo.sync = d == durability::synced;
  auto s = db_->Write(wo, &batch.rep_);
  if (!s.ok()) {
    // A failed write may put RocksDB into read-only mode; ask it to resume so that
    // writes work again once the cause is gone.
    return make_error(errc::io, s.ToString() + "; resume: " + db_->Resume().ToString());
  }
  auto callbacks = std::move(batch.on_commit_);
  batch.clear();
  for (auto& f : callbacks) f();
  return {};
}

rocksdb::Options database::sst_options(column c) const {
  return rocksdb::Options(db_->GetDBOptions(), options_for(cf_options_, c));
}

result<void> database::ingest(column c, const std::vector<std::string>& files) {
  if (files.empty()) return {};
  rocksdb::IngestExternalFileOptions o;
  o.move_files = true;
  auto s = db_->IngestExternalFile(cf(c), files, o);
  if (!s.ok()) return make_error(io_error("cannot ingest into " + std::string(column_name(c)), s));
  return {};
}

result<void> database::ingest_together(const std::vector<std::pair<column, std::string>>& files) {
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (const auto& [c, file] : files) {
    rocksdb::IngestExternalFileArg a;
    a.column_family = cf(c);
    a.external_files = {file};
    a.options.move_files = true;
    args.push_back(std::move(a));
  }
  if (auto s = db_->IngestExternalFiles(args); !s.ok())
    return make_error(io_error("cannot ingest the copied log", s));
  return {};
}

result<void> database::reset_projections() {
  for (std::size_t i = 0; i < column_count; ++i) {
    auto c = static_cast<column>(i);
    if (!is_projection_column(c)) continue;
    auto s = handles_[i] ? db_->DropColumnFamily(handles_[i]) : rocksdb::Status::OK();
    if (s.ok() && handles_[i]) s = db_->DestroyColumnFamilyHandle(handles_[i]);
    handles_[i] = nullptr;
    if (s.ok())
      s = db_->CreateColumnFamily(options_for(cf_options_, c), std::string(names[i]), &handles_[i]);
    if (!s.ok()) return make_error(io_error("cannot drop read models", s));
  }
  return {};
}

result<void> database::close() {
  if (!db_) return {};
  for (auto& h : handles_) {
    if (h) (void)db_->DestroyColumnFamilyHandle(h);
    h = nullptr;
  }
  auto s = db_->Close();
  db_.reset();
  if (!s.ok()) return make_error(io_error("closing the database failed", s));
  return {};
}

database::~database() { (void)close(); }

}  // namespace minitwit::storage
