#include "http/passwords.hpp"

#include <sodium.h>

namespace minitwit::http {

bool init_crypto() { return sodium_init() >= 0; }

std::optional<std::string> hash_password(std::string_view password, const argon2_cost& cost) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.memory,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return std::nullopt;
  return std::string(out);
}

bool verify_password(std::string_view encoded_hash, std::string_view password) {
  std::string h(encoded_hash);  // crypto_pwhash_str_verify needs a NUL-terminated string
  if (h.empty() || h.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool secrets_equal(std::string_view a, std::string_view b) {
  unsigned char da[crypto_generichash_BYTES], db[crypto_generichash_BYTES];
  crypto_generichash(da, sizeof da, reinterpret_cast<const unsigned char*>(a.data()), a.size(),
                     nullptr, 0);
  crypto_generichash(db, sizeof db, reinterpret_cast<const unsigned char*>(b.data()), b.size(),
                     nullptr, 0);
  return sodium_memcmp(da, db, sizeof da) == 0;
}

}  // namespace minitwit::http
