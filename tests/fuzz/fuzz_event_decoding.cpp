// Bytes from the event log, the read models and exports: decoding arbitrary input is
// an error or a value, never undefined behaviour; what decodes re-encodes to
// something that decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <string>

#include "projections/rows.hpp"
#include "storage/event_codec.hpp"
#include "storage/event_json.hpp"

using namespace minitwit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto e = storage::decode(7, input)) {
    auto again = storage::decode(7, storage::encode(*e));
    if (!again || !(*again == *e)) __builtin_trap();
    if (auto text = storage::to_ndjson(*e)) {  // refused when a string is not UTF-8
      auto line = storage::from_ndjson(*text);
      if (!line || !(*line == *e)) __builtin_trap();
    }
  }
  if (auto e = storage::from_ndjson(input)) {
    auto text = storage::to_ndjson(*e);
    if (!text) __builtin_trap();  // what was read from JSON is valid UTF-8
    auto again = storage::from_ndjson(*text);
    if (!again || !(*again == *e)) __builtin_trap();
  }
  if (auto u = projections::decode_user_row(input))
    if (projections::decode_user_row(projections::encode_row(*u)) != *u) __builtin_trap();
  if (auto m = projections::decode_message_row(input))
    if (projections::decode_message_row(projections::encode_row(*m)) != *m) __builtin_trap();
  return 0;
}
