// Request targets and query strings: parsing never crashes, and percent-encoding
// round-trips.
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/observed_handler.hpp"
#include "http/target.hpp"

using namespace minitwit::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto t = parse_target(input)) {
    (void)path_segments(t->path);
    (void)parse_latest(t->param("latest"));
    auto no = parse_count(t->param("no"), 100, 10000);
    if (no > 10000) __builtin_trap();
  }
  (void)parse_query(input);
  (void)api_route(input);
  (void)web_route(input);
  auto decoded = percent_decode(percent_encode(input), false);
  if (!decoded || *decoded != input) __builtin_trap();
  return 0;
}
