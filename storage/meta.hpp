// The meta column family: small named values that the writer keeps in the same atomic
// batch as the events they describe. Every value is a big-endian 64-bit integer
// (signed values are stored as their two's-complement bit pattern).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.hpp"

namespace minitwit::storage {

class database;

// Storage format written by this binary; a database with a higher one is refused.
inline constexpr std::uint64_t current_format_version = 1;

namespace meta_key {
inline constexpr std::string_view format_version = "format_version";
inline constexpr std::string_view next_user_id = "next_user_id";
inline constexpr std::string_view next_message_id = "next_message_id";
inline constexpr std::string_view latest = "latest";  // absent: never stored (-1)
inline constexpr std::string_view checkpoint = "projection_checkpoint";  // last applied seq
inline constexpr std::string_view projection_version = "projection_version";
// Cluster mode: the shared log's last record applied here (absent: as many records as
// events, as before records were batched).
inline constexpr std::string_view shared_log_seq = "shared_log_seq";
inline constexpr std::string_view user_count = "count.users";
inline constexpr std::string_view message_count = "count.messages";  // visible (unflagged)
inline constexpr std::string_view follow_count = "count.follows";
}  // namespace meta_key

// Reads a meta value: 0 when absent; errc::corrupt when it is not 8 bytes.
result<std::uint64_t> read_meta_u64(database& db, std::string_view key);
// Reads a meta value that may be absent.
result<std::optional<std::uint64_t>> read_meta_optional(database& db, std::string_view key);

// Written with write_batch::put_meta.

}  // namespace minitwit::storage
