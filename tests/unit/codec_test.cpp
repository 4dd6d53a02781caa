#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "projections/rows.hpp"
#include "storage/event_codec.hpp"
#include "storage/event_json.hpp"
#include "storage/keys.hpp"

using namespace minitwit;
using storage::envelope;

TEST_CASE("every event type round-trips through the codec") {
  std::vector<core::event> events = {
      core::user_registered{1, "Roger Histand", "r@x.dk", "$argon2id$v=19$m=12288,t=3,p=1$abc"},
      core::message_posted{9, 1,
                           std::string("bl\xc3\xa5"
                                       "b\xc3\xa6r \0 <b>",
                                       14),
                           1700000000},
      core::user_followed{1, 2},
      core::user_unfollowed{2, 1},
      core::message_flagged{9, true},
      core::message_flagged{9, false},
  };
  for (auto& ev : events) {
    for (std::optional<std::int64_t> latest :
         {std::optional<std::int64_t>{}, std::optional<std::int64_t>{-7}}) {
      envelope e{123, 1700000000123, latest, ev};
      auto decoded = storage::decode(123, storage::encode(e));
      REQUIRE(decoded);
      CHECK(*decoded == e);
    }
  }
}

TEST_CASE("decoding names the seq and refuses unknown types, versions and corruption") {
  envelope e{5, 1, std::nullopt, core::user_followed{1, 2}};
  auto bytes = storage::encode(e);
  // Layout: [cereal endianness byte] format type version(2) ...
  auto bad_type = bytes;
  bad_type[2] = 9;
  auto r = storage::decode(5, bad_type);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("event 5") != std::string::npos);
  CHECK(r.error().message.find("unknown type tag 9") != std::string::npos);

  auto bad_version = bytes;
  bad_version[3] = 7;
  CHECK(storage::decode(5, bad_version).error().message.find("schema version 7") !=
        std::string::npos);

  CHECK_FALSE(storage::decode(5, bytes.substr(0, bytes.size() - 1)));
  CHECK_FALSE(storage::decode(5, bytes + "x"));
  CHECK_FALSE(storage::decode(5, ""));
}

TEST_CASE("random bytes never decode into undefined behaviour") {
  std::mt19937 rng(42);
  envelope e{1, 2, 3, core::user_registered{1, "name", "e@x", "hash"}};
  auto good = storage::encode(e);
  for (int i = 0; i < 20000; ++i) {
    auto bytes = good;
    auto flips = 1 + rng() % 4;
    for (unsigned f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    auto r = storage::decode(1, bytes);  // must return, valid or not
    if (r) CHECK(r->seq == 1);
  }
}

TEST_CASE("read-model rows round-trip and reject corruption") {
  projections::user_row u{3, "Zoë", "z@x", "$argon2id$h"};
  CHECK(*projections::decode_user_row(projections::encode_row(u)) == u);
  projections::message_row m{4, 3, "Zoë", "hej", 17, true};
  CHECK(*projections::decode_message_row(projections::encode_row(m)) == m);
  CHECK_FALSE(projections::decode_message_row("garbage"));
}

TEST_CASE("keys: big-endian order is numeric order, inverted ids sort newest first") {
  namespace keys = storage::keys;
  std::vector<std::uint64_t> ids = {0, 1, 255, 256, 65535, 1ull << 40, ~0ull};
  for (std::size_t i = 0; i + 1 < ids.size(); ++i) {
    CHECK(keys::u64(ids[i]) < keys::u64(ids[i + 1]));
    CHECK(keys::u64(keys::invert(ids[i])) > keys::u64(keys::invert(ids[i + 1])));
    CHECK(keys::read_u64(keys::u64(ids[i])) == ids[i]);
  }
  CHECK(keys::u64_pair(1, 999) < keys::u64_pair(2, 0));
}

TEST_CASE("an event whose text is not UTF-8 is refused by the export, naming event and field") {
  storage::envelope e{12, 1, std::nullopt, core::user_registered{1, "bad\xff", "e@x", "h"}};
  auto line = storage::to_ndjson(e);
  REQUIRE_FALSE(line);
  CHECK(line.error().message == "event 12: field 'username' is not valid UTF-8");
  e.event = core::user_registered{1, "good", "e@x", "h"};
  CHECK(storage::from_ndjson(*storage::to_ndjson(e)).value() == e);
}
