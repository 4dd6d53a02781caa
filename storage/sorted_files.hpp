// Building read models as sorted SST files instead of through memtables (the bulk
// rebuild, projections/bulk_rebuild.hpp):
//   sst_output      rows of one column family, added in key order, into SST files that
//                   database::ingest then moves into the database;
//   external_sorter rows added in any order, given back in key order: sorted in memory
//                   up to a bound, spilled as sorted runs (SST files) beyond it, and
//                   merged when read back. Memory stays within the bound whatever the
//                   number of rows.
// Every file lives in a scratch directory inside the database's directory (the same
// file system, so that ingesting moves instead of copying), removed by its owner.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "storage/database.hpp"

namespace rocksdb {
class SstFileWriter;
}

namespace minitwit::storage {

// A scratch directory, created empty and removed with everything in it.
class scratch_dir {
 public:
  static result<std::unique_ptr<scratch_dir>> make(const std::filesystem::path& path);
  ~scratch_dir();
  const std::filesystem::path& path() const { return path_; }
  // A new file name in it (from any thread).
  std::string next_file(std::string_view what);

 private:
  explicit scratch_dir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
  std::atomic<std::uint64_t> files_{0};  // sorters on two threads name files
};

class sst_output {
 public:
  sst_output(database& db, column c, scratch_dir& scratch);
  ~sst_output();
  // Keys strictly ascending (RocksDB's bytewise order).
  result<void> add(std::string_view key, std::string_view value);
  // Finishes the file and ingests it into the column (nothing when no row was added).
  result<void> ingest();
  // Finishes the file and gives its path, for database::ingest_together (nullopt when
  // no row was added).
  result<std::optional<std::string>> finish();
  std::uint64_t rows() const { return rows_; }

 private:
  database& db_;
  column column_;
  scratch_dir& scratch_;
  std::unique_ptr<rocksdb::SstFileWriter> writer_;
  std::string file_;
  std::uint64_t rows_ = 0;
};

class external_sorter {
 public:
  using visitor = std::function<result<void>(std::string_view key, std::string_view value)>;

  external_sorter(scratch_dir& scratch, std::size_t memory_bytes);
  ~external_sorter();
  // Keys must be unique.
  result<void> add(std::string_view key, std::string_view value);
  // Visits every row in key order, once; the sorter is empty afterwards.
  result<void> drain(const visitor& visit);
  std::size_t runs() const { return runs_.size(); }

 private:
  // A row in the arena, with its key's first 16 bytes as two numbers (zero-padded) so
  // that most comparisons need no memcmp.
  struct entry {
    std::uint64_t prefix[2];
    std::size_t offset;
    std::uint32_t key_size, value_size;
  };
  std::string_view key_of(const entry& e) const { return {arena_.data() + e.offset, e.key_size}; }
  std::string_view value_of(const entry& e) const {
    return {arena_.data() + e.offset + e.key_size, e.value_size};
  }
  void sort();
  result<void> spill();

  scratch_dir& scratch_;
  std::size_t memory_bytes_;
  std::string arena_;
  std::vector<entry> entries_;
  std::vector<std::string> runs_;
};

}  // namespace minitwit::storage
