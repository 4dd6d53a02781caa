#include "app/passwords.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <future>

#include "app/worker_pool.hpp"

using namespace minitwit::app;

TEST_CASE("Argon2id hashes carry their parameters and verify") {
  REQUIRE(init_crypto());
  auto h = hash_password("s3cret \xc3\xa6");
  REQUIRE(h);
  CHECK(h->starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
  CHECK(verify_password(*h, "s3cret \xc3\xa6"));
  CHECK_FALSE(verify_password(*h, "s3cret"));
  CHECK_FALSE(verify_password("not a hash", "x"));
  CHECK(*hash_password("same") != *hash_password("same"));  // salted
}

TEST_CASE("legacy Werkzeug hashes verify and ask for an upgrade") {
  REQUIRE(init_crypto());
  // Vectors made with Python's hashlib, the way Werkzeug's generate_password_hash does.
  const char* pbkdf2 =
      "pbkdf2:sha256:1000$NaCl$60f8064f6ad3184c7bc1773b1492fc74385d9292b624711773b6f5a3605618f5";
  const char* pbkdf2_600k =
      "pbkdf2:sha256:600000$salt1234$"
      "2f29ec224c4bf62028aace7b75c5dbe596e1f4b444615810a07abbb8d7109bf7";
  const char* sha1 = "pbkdf2:sha1:1000$s$0945f269229383169017e2786baa024d9103d68a";
  const char* scrypt =
      "scrypt:32768:8:1$saltSCRY$"
      "3e713bfe64415baf1ed327dadb8a705169b71f00cb1dea9ea72f739c4e3afff6038cf8baffe941"
      "d3c7ad19ab60124e678b9403636fa8f46b7bb53401a2524f9b";
  for (const char* h : {pbkdf2, pbkdf2_600k, sha1, scrypt}) {
    CAPTURE(h);
    CHECK(check_password(h, "legacy-secret") == password_check::match_needs_upgrade);
    CHECK(check_password(h, "legacy-secreT") == password_check::mismatch);
  }
  CHECK(check_password("pbkdf2:md5:1000$s$00", "x") == password_check::mismatch);
  CHECK(check_password("scrypt:99999999:8:1$s$00", "x") ==
        password_check::mismatch);  // cost refused
  CHECK(check_password("plain", "plain") == password_check::mismatch);
  auto ours = *hash_password("pw");
  CHECK(check_password(ours, "pw") == password_check::match);
  auto weaker = *hash_password("pw", argon2_cost{2, 4u << 20});
  CHECK(check_password(weaker, "pw") == password_check::match_needs_upgrade);
}

TEST_CASE("secrets compare by content") {
  REQUIRE(init_crypto());
  CHECK(secrets_equal("simulator:super_safe!", "simulator:super_safe!"));
  CHECK_FALSE(secrets_equal("simulator:super_safe!", "simulator:super_safe?"));
  CHECK_FALSE(secrets_equal("a", "ab"));
}

TEST_CASE("the worker pool runs every job and refuses beyond its capacity") {
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  std::atomic<int> ran{0};
  worker_pool pool(1, 3, 0);
  REQUIRE(pool.try_submit([opened, &ran] {
    opened.wait();
    ++ran;
  }));
  int accepted = 1;
  for (int i = 0; i < 10; ++i) accepted += pool.try_submit([&ran] { ++ran; }) ? 1 : 0;
  CHECK(accepted <= 5);
  gate.set_value();
  pool.stop();
  CHECK(ran == accepted);
  CHECK_FALSE(pool.try_submit([] {}));
}
