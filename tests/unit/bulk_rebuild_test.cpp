// The bulk rebuild (sorted SST files) against the ordinary one (memtables): the same
// read models and counters, byte for byte, on a generated log with flags, unflags,
// unfollows, re-follows, password rehashes, a reused username and events stored in
// their first schema version; sorted runs spilled and merged in order.
#include "projections/bulk_rebuild.hpp"

#include <doctest/doctest.h>

#include <random>

#include "projections/replay.hpp"
#include "storage/event_appender.hpp"
#include "storage/event_codec.hpp"
#include "storage/keys.hpp"
#include "storage/local_event_log.hpp"
#include "storage/meta.hpp"
#include "storage/sorted_files.hpp"
#include "tests/support/temp_dir.hpp"

using namespace minitwit;

namespace {

// A log that a writer could have written (every reference to an earlier event), with
// message ids rising unless told otherwise.
std::vector<storage::envelope> generated_log(std::uint32_t seed, bool rising_ids = true) {
  std::mt19937 rng(seed);
  auto pick = [&](std::uint64_t n) {
    return std::uniform_int_distribution<std::uint64_t>(1, n)(rng);
  };
  std::vector<storage::envelope> log;
  auto add = [&](core::event e) {
    log.push_back({log.size() + 1, 1700000000000 + static_cast<std::int64_t>(log.size()),
                   static_cast<std::int64_t>(log.size()), std::move(e)});
  };
  std::uint64_t users = 0, messages = 0;
  for (int step = 0; step < 6000; ++step) {
    int r = static_cast<int>(pick(100));
    if (users < 5 || r <= 5) {
      ++users;
      // One username registered twice (the second registration's row wins its name).
      auto name = users == 40 ? std::string("user 7") : "user " + std::to_string(users);
      add(core::user_registered{users, name, name + "@example.org",
                                "hash" + std::to_string(users)});
    } else if (r <= 45) {
      ++messages;
      add(core::message_posted{messages, pick(users), "text " + std::to_string(messages),
                               static_cast<std::int64_t>(1700000000 + messages)});
    } else if (r <= 70) {
      add(core::user_followed{pick(std::min<std::uint64_t>(users, 30)),
                              pick(std::min<std::uint64_t>(users, 30))});
    } else if (r <= 85) {
      add(core::user_unfollowed{pick(std::min<std::uint64_t>(users, 30)),
                                pick(std::min<std::uint64_t>(users, 30))});
    } else if (r <= 97 && messages > 0) {
      add(core::message_flagged{pick(messages), pick(3) != 1});
    } else {
      add(core::password_rehashed{pick(users), "rehash" + std::to_string(step)});
    }
  }
  if (!rising_ids) {
    // Two messages whose ids fall with the log (as an import from elsewhere may have).
    add(core::message_posted{messages + 10, 1, "later id first", 1});
    add(core::message_posted{messages + 5, 1, "earlier id second", 2});
  }
  return log;
}

// A database holding log, every fourth event stored in its first schema version where
// the type has an older one.
std::unique_ptr<storage::database> database_with(const test::temp_dir& dir,
                                                 const std::vector<storage::envelope>& log) {
  auto db = std::move(*storage::database::open(dir.path()));
  auto opened = storage::event_appender::open(*db);
  REQUIRE(opened);
  auto& appender = *opened;
  for (const auto& e : log) {
    bool old = e.seq % 4 == 0 && (std::holds_alternative<core::user_registered>(e.event) ||
                                  std::holds_alternative<core::message_posted>(e.event));
    auto appended =
        old ? appender.append_encoded(e.seq, storage::encode_version(e, 1)) : appender.append(e);
    REQUIRE(appended);
  }
  REQUIRE(appender.finish());
  return db;
}

// A database holding log, its read models rebuilt through memtables (the reference).
std::unique_ptr<storage::database> rebuilt_the_ordinary_way(
    const test::temp_dir& dir, const std::vector<storage::envelope>& log) {
  auto db = database_with(dir, log);
  projections::catch_up_options co;
  co.force_full_rebuild = true;
  REQUIRE(projections::catch_up(*db, **storage::local_event_log::open(*db), co));
  return db;
}

void check_same_read_models(storage::database& slow, storage::database& bulk) {
  auto report = projections::compare_read_models(slow, bulk, 10);
  REQUIRE(report);
  for (const auto& d : report->listed) MESSAGE(d.column << " " << d.key << " " << d.what);
  CHECK(report->differences == 0);
  CHECK(report->rows_compared > 1000);
  for (auto key : {storage::meta_key::next_user_id, storage::meta_key::next_message_id,
                   storage::meta_key::projection_version})
    CHECK(*storage::read_meta_u64(slow, key) == *storage::read_meta_u64(bulk, key));
}

}  // namespace

TEST_CASE("the bulk rebuild gives the ordinary rebuild's read models, spilling sorted runs") {
  auto log = generated_log(7);
  test::temp_dir a, b;
  auto slow = rebuilt_the_ordinary_way(a, log);
  auto bulk = database_with(b, log);

  projections::bulk_options bo;
  bo.memory_bytes = 64 << 10;  // far less than the rows: every sorter spills
  std::uint64_t progressed = 0;
  bo.progress = [&](std::uint64_t done, std::uint64_t total) {
    CHECK(total == log.size());
    progressed = done;
  };
  auto report = projections::bulk_rebuild(*bulk, **storage::local_event_log::open(*bulk), bo);
  REQUIRE(report);
  REQUIRE(report->has_value());
  CHECK((*report)->events == log.size());
  CHECK((*report)->bulk);
  CHECK(progressed == log.size());
  check_same_read_models(*slow, *bulk);
  CHECK_FALSE(std::filesystem::exists(b.path() / "bulk-rebuild.tmp"));

  SUBCASE("and again over its own result, in place") {
    REQUIRE(projections::rebuild_in_place(*bulk, {}));
    check_same_read_models(*slow, *bulk);
  }
}

TEST_CASE("a log whose message ids do not rise takes the ordinary path, with the same result") {
  auto log = generated_log(11, /*rising_ids=*/false);
  test::temp_dir a, b;
  auto slow = rebuilt_the_ordinary_way(a, log);
  auto bulk = database_with(b, log);
  auto local = std::move(*storage::local_event_log::open(*bulk));
  auto tried = projections::bulk_rebuild(*bulk, *local);
  REQUIRE(tried);
  CHECK_FALSE(tried->has_value());
  auto ordinary = projections::full_rebuild(*bulk, *local);
  REQUIRE(ordinary);
  CHECK_FALSE(ordinary->bulk);
  check_same_read_models(*slow, *bulk);
}

TEST_CASE("a log that refers to an unknown user fails the bulk rebuild as the ordinary one does") {
  std::vector<storage::envelope> log = {
      {1, 1, std::nullopt, core::user_registered{1, "a", "a@x", "h"}},
      {2, 2, std::nullopt, core::message_posted{1, 2, "by nobody", 1}}};
  test::temp_dir dir;
  auto db = database_with(dir, log);
  auto r = projections::bulk_rebuild(*db, **storage::local_event_log::open(*db));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::corrupt);
  CHECK(r.error().message.find("event 2") != std::string::npos);
  // The read models are marked for a rebuild, never left looking current.
  CHECK(*projections::full_rebuild_due(*db, **storage::local_event_log::open(*db)));
}

TEST_CASE("the external sorter gives rows back in key order across spilled runs") {
  test::temp_dir dir;
  auto scratch = std::move(*storage::scratch_dir::make(dir.path() / "scratch"));
  storage::external_sorter sorter(*scratch, 4096);
  std::vector<std::uint32_t> keys(5000);
  for (std::uint32_t i = 0; i < keys.size(); ++i) keys[i] = i * 7919 % 5000;
  for (auto k : keys) {
    auto key = storage::keys::u64(k);
    REQUIRE(sorter.add(key, "v" + std::to_string(k)));
  }
  CHECK(sorter.runs() > 10);
  std::uint64_t expected = 0;
  REQUIRE(sorter.drain([&](std::string_view k, std::string_view v) -> result<void> {
    CHECK(storage::keys::read_u64(k) == expected);
    CHECK(v == "v" + std::to_string(expected));
    ++expected;
    return {};
  }));
  CHECK(expected == keys.size());
  CHECK(sorter.runs() == 0);
}
