#include "storage/database.hpp"

#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/sst_file_manager.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/write_buffer_manager.h>

#include "storage/keys.hpp"
#include "storage/meta.hpp"

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

}  // namespace

expected<std::unique_ptr<database>, std::string> database::open(
    const std::filesystem::path& dir, const database_options& o) {
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
  opts.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(o.write_buffer_bytes);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(o.block_cache_bytes);
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Timelines read the newest messages most: a flushed memtable's blocks go straight
  // into the cache instead of being read back from disk at the first timeline request.
  table.prepopulate_block_cache = rocksdb::BlockBasedTableOptions::PrepopulateBlockCache::kFlushOnly;
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  opts.compression = rocksdb::kLZ4Compression;
  opts.bottommost_compression = rocksdb::kZSTD;
  d->cf_options_ = rocksdb::ColumnFamilyOptions(opts);

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, d->cf_options_);
  for (std::size_t i = 0; i < column_count; ++i)
    descriptors.emplace_back(std::string(names[i]), options_for(d->cf_options_, static_cast<column>(i)));

  std::error_code ec;
  if (o.create_if_missing) std::filesystem::create_directories(dir, ec);
  if (ec) return unexpected("cannot create " + dir.string() + ": " + ec.message());

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      o.read_only ? rocksdb::DB::OpenForReadOnly(opts, dir.string(), descriptors, &handles, &raw)
                  : rocksdb::DB::Open(opts, dir.string(), descriptors, &handles, &raw);
  if (!s.ok()) return unexpected("cannot open database in " + dir.string() + ": " + s.ToString());
  d->db_.reset(raw);
  // handles[0] is the default column family, which we do not use: RocksDB owns it.
  for (std::size_t i = 0; i < column_count; ++i) d->handles_[i] = handles[i + 1];
  (void)d->db_->DestroyColumnFamilyHandle(handles[0]);

  auto format = read_meta_optional(*d, meta_key::format_version);
  if (!format) return unexpected(format.error());
  if (!*format && !o.read_only) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    s = d->db_->Put(sync, d->cf(column::meta), meta_key::format_version,
                    keys::u64(current_format_version));
    if (!s.ok()) return unexpected("cannot initialise " + dir.string() + ": " + s.ToString());
  } else if (format->value_or(0) > current_format_version) {
    return unexpected("database in " + dir.string() + " has format version " +
                           std::to_string(**format) + ", newer than this binary's " +
                           std::to_string(current_format_version) + ": upgrade the binary");
  }
  return d;
}

rocksdb::Status database::reset_projections() {
  for (std::size_t i = 0; i < column_count; ++i) {
    auto c = static_cast<column>(i);
    if (!is_projection_column(c)) continue;
    auto s = db_->DropColumnFamily(handles_[i]);
    if (!s.ok()) return s;
    s = db_->DestroyColumnFamilyHandle(handles_[i]);
    if (!s.ok()) return s;
    handles_[i] = nullptr;
    s = db_->CreateColumnFamily(options_for(cf_options_, c), std::string(names[i]), &handles_[i]);
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

rocksdb::Status database::close() {
  if (!db_) return rocksdb::Status::OK();
  for (auto& h : handles_) {
    if (h) db_->DestroyColumnFamilyHandle(h);
    h = nullptr;
  }
  auto s = db_->Close();
  db_.reset();
  return s;
}

database::~database() { (void)close(); }

}  // namespace minitwit::storage
