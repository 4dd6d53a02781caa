#include <doctest/doctest.h>

#include <atomic>
#include <future>

#include "http/passwords.hpp"
#include "http/worker_pool.hpp"

using namespace minitwit::http;

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
  REQUIRE(pool.try_submit([opened, &ran] { opened.wait(); ++ran; }));
  int accepted = 1;
  for (int i = 0; i < 10; ++i) accepted += pool.try_submit([&ran] { ++ran; }) ? 1 : 0;
  CHECK(accepted <= 5);
  gate.set_value();
  pool.stop();
  CHECK(ran == accepted);
  CHECK_FALSE(pool.try_submit([] {}));
}
