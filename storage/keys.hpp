// Key encoding: fixed-width big-endian integers, so that RocksDB's bytewise order equals
// numeric order, and inverted ids (~id), so that "newest first" is a forward scan.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace minitwit::storage::keys {

inline void append_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

// Reads a big-endian u64 from the first 8 bytes of in; in must hold at least 8 bytes.
inline std::uint64_t read_u64(std::string_view in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

inline std::string u64(std::uint64_t v) {
  std::string s;
  s.reserve(8);
  append_u64(s, v);
  return s;
}

inline std::string u64_pair(std::uint64_t a, std::uint64_t b) {
  std::string s;
  s.reserve(16);
  append_u64(s, a);
  append_u64(s, b);
  return s;
}

// ~id: larger (newer) ids sort first.
inline std::uint64_t invert(std::uint64_t id) { return ~id; }

}  // namespace minitwit::storage::keys
