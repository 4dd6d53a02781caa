#include "storage/sorted_files.hpp"

#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <queue>

namespace minitwit::storage {

namespace fs = std::filesystem;

namespace {

error sst_error(const std::string& what, const rocksdb::Status& s) {
  return {errc::io, what + ": " + s.ToString()};
}

// Sorted runs need no compression or filters: they are read once, in order.
rocksdb::Options run_options() {
  rocksdb::Options o;
  o.compression = rocksdb::kNoCompression;
  return o;
}

}  // namespace

result<std::unique_ptr<scratch_dir>> scratch_dir::make(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);  // a scratch directory left by an interrupted run
  if (!ec) fs::create_directories(path, ec);
  if (ec) return make_error(errc::io, "cannot make " + path.string() + ": " + ec.message());
  return std::unique_ptr<scratch_dir>(new scratch_dir(path));
}

scratch_dir::~scratch_dir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string scratch_dir::next_file(std::string_view what) {
  return (path_ / (std::string(what) + "-" + std::to_string(++files_) + ".sst")).string();
}

sst_output::sst_output(database& db, column c, scratch_dir& scratch)
    : db_(db), column_(c), scratch_(scratch) {}

sst_output::~sst_output() = default;

result<void> sst_output::add(std::string_view key, std::string_view value) {
  if (!writer_) {
    // The column's own compression (LZ4), not its bottommost one (ZSTD, several times
    // slower to write): compactions recompress what stays.
    auto options = db_.sst_options(column_);
    options.bottommost_compression = rocksdb::kDisableCompressionOption;
    writer_ = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options);
    file_ = scratch_.next_file(column_name(column_));
    if (auto s = writer_->Open(file_); !s.ok())
      return make_error(sst_error("cannot write " + file_, s));
  }
  if (auto s = writer_->Put(key, value); !s.ok())
    return make_error(sst_error("cannot add a row to " + file_, s));
  ++rows_;
  return {};
}

result<std::optional<std::string>> sst_output::finish() {
  if (!writer_) return std::optional<std::string>{};
  if (auto s = writer_->Finish(); !s.ok())
    return make_error(sst_error("cannot finish " + file_, s));
  writer_.reset();
  return std::optional<std::string>(file_);
}

result<void> sst_output::ingest() {
  auto file = finish();
  if (!file) return make_error(file.error());
  if (!*file) return {};
  return db_.ingest(column_, {**file});
}

external_sorter::external_sorter(scratch_dir& scratch, std::size_t memory_bytes)
    : scratch_(scratch), memory_bytes_(memory_bytes) {}

external_sorter::~external_sorter() {
  std::error_code ec;
  for (const auto& r : runs_) fs::remove(r, ec);
}

result<void> external_sorter::add(std::string_view key, std::string_view value) {
  // The whole bound at once (the pages are only touched as rows come): growing by
  // doubling would copy the rows again and again.
  if (arena_.capacity() < memory_bytes_) arena_.reserve(memory_bytes_);
  entry e{{0, 0},
          arena_.size(),
          static_cast<std::uint32_t>(key.size()),
          static_cast<std::uint32_t>(value.size())};
  for (std::size_t i = 0; i < 16; ++i) {
    auto byte = i < key.size() ? static_cast<unsigned char>(key[i]) : 0u;
    e.prefix[i / 8] = (e.prefix[i / 8] << 8) | byte;
  }
  entries_.push_back(e);
  arena_.append(key);
  arena_.append(value);
  if (arena_.size() + entries_.size() * sizeof(entry) >= memory_bytes_) return spill();
  return {};
}

void external_sorter::sort() {
  std::sort(entries_.begin(), entries_.end(), [&](const entry& a, const entry& b) {
    if (a.prefix[0] != b.prefix[0]) return a.prefix[0] < b.prefix[0];
    if (a.prefix[1] != b.prefix[1]) return a.prefix[1] < b.prefix[1];
    return key_of(a) < key_of(b);
  });
}

result<void> external_sorter::spill() {
  sort();
  auto file = scratch_.next_file("run");
  rocksdb::SstFileWriter w(rocksdb::EnvOptions(), run_options());
  if (auto s = w.Open(file); !s.ok()) return make_error(sst_error("cannot write " + file, s));
  for (const auto& e : entries_)
    if (auto s = w.Put(key_of(e), value_of(e)); !s.ok())
      return make_error(sst_error("cannot write " + file, s));
  if (auto s = w.Finish(); !s.ok()) return make_error(sst_error("cannot finish " + file, s));
  runs_.push_back(file);
  arena_.clear();
  entries_.clear();
  return {};
}

result<void> external_sorter::drain(const visitor& visit) {
  sort();
  // The sources: every spilled run and what is still in memory, merged by key.
  std::vector<std::unique_ptr<rocksdb::SstFileReader>> readers;
  std::vector<std::unique_ptr<rocksdb::Iterator>> runs;
  for (const auto& file : runs_) {
    auto r = std::make_unique<rocksdb::SstFileReader>(run_options());
    if (auto s = r->Open(file); !s.ok()) return make_error(sst_error("cannot read " + file, s));
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    ro.readahead_size = 1 << 20;
    runs.emplace_back(r->NewIterator(ro));
    runs.back()->SeekToFirst();
    readers.push_back(std::move(r));
  }
  std::size_t in_memory = 0;
  const std::size_t memory_source = runs.size();
  auto key_at = [&](std::size_t source) {
    return source == memory_source ? key_of(entries_[in_memory])
                                   : runs[source]->key().ToStringView();
  };
  auto greater = [&](std::size_t a, std::size_t b) { return key_at(a) > key_at(b); };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(greater)> heap(greater);
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (runs[i]->Valid()) heap.push(i);
  if (!entries_.empty()) heap.push(memory_source);
  while (!heap.empty()) {
    auto source = heap.top();
    heap.pop();
    if (source == memory_source) {
      if (auto r = visit(key_of(entries_[in_memory]), value_of(entries_[in_memory])); !r) return r;
      if (++in_memory < entries_.size()) heap.push(source);
    } else {
      auto& it = *runs[source];
      if (auto r = visit(it.key().ToStringView(), it.value().ToStringView()); !r) return r;
      it.Next();
      if (it.Valid())
        heap.push(source);
      else if (!it.status().ok())
        return make_error(sst_error("cannot read a sorted run", it.status()));
    }
  }
  runs.clear();
  readers.clear();
  std::error_code ec;
  for (const auto& r : runs_) fs::remove(r, ec);
  runs_.clear();
  std::string().swap(arena_);  // the memory back, not just the rows
  std::vector<entry>().swap(entries_);
  return {};
}

}  // namespace minitwit::storage
