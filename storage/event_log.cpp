#include "storage/event_log.hpp"

#include "storage/event_codec.hpp"

namespace minitwit::storage {

result<void> scan_events(const event_log& log, std::uint64_t from,
                         const std::function<bool(const envelope&)>& visit) {
  std::optional<error> failure;
  auto scanned = log.scan(from, [&](const log_record& r) {
    auto e = decode(r.seq, r.bytes);
    if (!e) {
      failure = e.error();
      return false;
    }
    return visit(*e);
  });
  if (!scanned) return scanned;
  if (failure) return make_error(std::move(*failure));
  return {};
}

}  // namespace minitwit::storage
