// Web sessions: any Cookie header and any cookie value decode to a session or to
// "logged out", never a crash; and a correctly signed but arbitrary payload is still
// parsed safely.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "http/web_session.hpp"

using namespace minitwit::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const session_codec codec(session_key{1, 2, 3, 4, 5, 6, 7, 8}, std::chrono::hours(1));
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto v = cookie_value(input, session_cookie_name)) (void)codec.decode(*v, 1700000000);
  auto s = codec.decode(input, 1700000000);
  if (s.flashes.size() > max_flashes) __builtin_trap();
  // Sign the input as if it were a payload, so the JSON behind the MAC is fuzzed too.
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  session_key key{1, 2, 3, 4, 5, 6, 7, 8};
  crypto_auth_hmacsha256(mac, data, size, key.data());
  auto b64 = [](const unsigned char* p, std::size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.pop_back();
    return out;
  };
  auto signed_value = b64(data, size) + "." + b64(mac, sizeof mac);
  auto t = codec.decode(signed_value, 1700000000);
  if (t.flashes.size() > max_flashes) __builtin_trap();
  // What decodes re-encodes and decodes to the same session.
  if (t.user || !t.flashes.empty()) {
    bool short_flashes = true;
    for (auto& f : t.flashes) short_flashes = short_flashes && f.size() <= 512;
    if (short_flashes && codec.decode(codec.encode(t, 1700000000), 1700000000) != t)
      __builtin_trap();
  }
  return 0;
}
