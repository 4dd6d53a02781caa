// Scale seeding: a large dataset built fast through the writer's batch path (group
// commit, projections written in the same batches), not over HTTP. Users are named
// seed_username(i) and share one Argon2id hash of `password`, hashed once: seeding a
// million users must not cost a million hashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.hpp"

namespace minitwit::loadgen {

struct seed_options {
  std::string data_dir;
  std::size_t users = 1000;
  std::size_t messages = 10000;
  std::size_t follows = 20000;
  std::uint64_t seed = 1;
  std::string password = "seed password";
  bool show_progress = true;
  std::size_t block_cache_bytes = std::size_t{4} << 30;
};

struct seed_summary {
  std::uint64_t commands = 0;
  std::uint64_t events = 0;
  double seconds = 0;
};

// Fails, without writing, unless data_dir is new or holds an empty database.
result<seed_summary> seed_database(const seed_options& o);

}  // namespace minitwit::loadgen
