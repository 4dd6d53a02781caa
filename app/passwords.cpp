#include "app/passwords.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <charconv>
#include <cstdint>
#include <vector>

namespace minitwit::app {

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

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

std::optional<std::uint64_t> number(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  std::size_t len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                     hex.size(), nullptr, &len, nullptr) != 0 ||
      len != out.size())
    return std::nullopt;
  return out;
}

// Werkzeug's generate_password_hash formats; the cost limits keep a hostile stored
// hash from turning one login into minutes of CPU.
bool werkzeug_matches(std::string_view stored, std::string_view password) {
  auto parts = split(stored, '$');
  if (parts.size() != 3) return false;
  auto method = split(parts[0], ':');
  auto salt = parts[1];
  auto expected = unhex(parts[2]);
  if (!expected || expected->empty()) return false;
  std::string derived(expected->size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(derived.data());
  if (method[0] == "pbkdf2" && (method.size() == 2 || method.size() == 3)) {
    const EVP_MD* md = method[1] == "sha256"   ? EVP_sha256()
                       : method[1] == "sha512" ? EVP_sha512()
                       : method[1] == "sha1"   ? EVP_sha1()
                                               : nullptr;
    // Without an explicit count, Werkzeug used its default: 150000 for the versions
    // the Flask MiniTwit shipped with.
    auto iterations = method.size() == 3 ? number(method[2]) : std::optional<std::uint64_t>(150000);
    if (!md || !iterations || *iterations == 0 || *iterations > 10'000'000) return false;
    if (expected->size() != static_cast<std::size_t>(EVP_MD_get_size(md))) return false;
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()),
                          static_cast<int>(salt.size()), static_cast<int>(*iterations), md,
                          static_cast<int>(derived.size()), out) != 1)
      return false;
  } else if (method[0] == "scrypt" && method.size() == 4) {
    auto n = number(method[1]), r = number(method[2]), p = number(method[3]);
    if (!n || !r || !p || *n < 2 || *n > (1u << 20) || *r == 0 || *r > 32 || *p == 0 || *p > 16)
      return false;
    if (EVP_PBE_scrypt(password.data(), password.size(),
                       reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), *n, *r, *p,
                       132 * *n * *r * *p + (1u << 20), out, derived.size()) != 1)
      return false;
  } else {
    return false;
  }
  return CRYPTO_memcmp(derived.data(), expected->data(), derived.size()) == 0;
}

}  // namespace

password_check check_password(std::string_view stored, std::string_view password) {
  if (stored.starts_with("$argon2")) {
    if (!verify_password(stored, password)) return password_check::mismatch;
    std::string h(stored);
    argon2_cost cost;
    return crypto_pwhash_str_needs_rehash(h.c_str(), cost.ops, cost.memory) == 0
               ? password_check::match
               : password_check::match_needs_upgrade;
  }
  return werkzeug_matches(stored, password) ? password_check::match_needs_upgrade
                                            : password_check::mismatch;
}

bool secrets_equal(std::string_view a, std::string_view b) {
  unsigned char da[crypto_generichash_BYTES], db[crypto_generichash_BYTES];
  crypto_generichash(da, sizeof da, reinterpret_cast<const unsigned char*>(a.data()), a.size(),
                     nullptr, 0);
  crypto_generichash(db, sizeof db, reinterpret_cast<const unsigned char*>(b.data()), b.size(),
                     nullptr, 0);
  return sodium_memcmp(da, db, sizeof da) == 0;
}

}  // namespace minitwit::app
