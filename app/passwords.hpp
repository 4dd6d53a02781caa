// Password hashing with Argon2id (libsodium's crypto_pwhash_str). The stored string
// carries its own parameters ($argon2id$v=19$m=7168,t=5,p=1$...), so the cost can be
// raised later and old hashes still verify. Slow on purpose: call these on the
// worker_pool, never on an I/O thread or in the writer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace minitwit::app {

// OWASP's Argon2id option m = 7 MiB, t = 5, p = 1: as strong as its other options
// (m = 19 MiB/t = 2, m = 12 MiB/t = 3) and the fastest of them on a 2-core machine,
// where 32 registrations at once must finish inside the simulator's 0.3 s.
struct argon2_cost {
  unsigned long long ops = 5;     // t, passes over memory
  std::size_t memory = 7u << 20;  // m, bytes
};

// Initialises libsodium; call once before anything else here. Returns false on failure.
bool init_crypto();

// Returns the encoded hash, or nullopt when memory could not be allocated.
std::optional<std::string> hash_password(std::string_view password, const argon2_cost& cost = {});

// True when password matches the encoded hash (constant time for the comparison).
bool verify_password(std::string_view encoded_hash, std::string_view password);

enum class password_check {
  mismatch,
  match,
  match_needs_upgrade,  // right password, but a legacy or weaker hash: store a new one
};

// Checks a password against any hash a MiniTwit database may hold: Argon2id (ours;
// "needs upgrade" when its cost is below argon2_cost{}), or a legacy Werkzeug hash
// migrated from the Flask MiniTwit, "pbkdf2:sha256:ITER$salt$hex" (also sha1/sha512)
// and "scrypt:N:r:p$salt$hex" (always "needs upgrade").
password_check check_password(std::string_view stored_hash, std::string_view password);

// Compares two secrets in time independent of their contents (and of where they
// first differ): both are hashed, and the digests compared with sodium_memcmp.
bool secrets_equal(std::string_view a, std::string_view b);

}  // namespace minitwit::app
