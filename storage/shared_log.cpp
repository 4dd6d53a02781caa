#include "storage/shared_log.hpp"

namespace minitwit::storage {

namespace {

constexpr std::size_t length_bytes = 4;

}  // namespace

std::string frame_events(std::span<const outgoing_record> events) {
  std::size_t size = 0;
  for (const auto& e : events) size += length_bytes + e.bytes.size();
  std::string out;
  out.reserve(size);
  for (const auto& e : events) {
    std::string_view b = e.bytes;
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>(b.size() >> shift));
    out.append(b);
  }
  return out;
}

result<std::vector<std::string_view>> events_of(const received_record& r) {
  std::string_view in = r.bytes;
  if (!r.batched) return std::vector<std::string_view>{in};
  std::vector<std::string_view> out;
  while (!in.empty()) {
    if (in.size() < length_bytes)
      return make_error(errc::corrupt, "record " + std::to_string(r.seq) +
                                           " of the shared log "
                                           "ends inside an event's length");
    std::size_t n = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) n = (n << 8) | static_cast<unsigned char>(in[i]);
    in.remove_prefix(length_bytes);
    if (n > in.size())
      return make_error(errc::corrupt, "record " + std::to_string(r.seq) +
                                           " of the shared log "
                                           "ends inside an event");
    out.push_back(in.substr(0, n));
    in.remove_prefix(n);
  }
  if (out.empty())
    return make_error(errc::corrupt,
                      "record " + std::to_string(r.seq) + " of the shared log is an empty batch");
  return out;
}

}  // namespace minitwit::storage
