// The event-log seam and its local implementation: appends after an expected last
// seq (conflict otherwise), durability only with the batch, scans, following a log
// that grows, and the appender for imports.
#include <doctest/doctest.h>

#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/event_appender.hpp"
#include "storage/event_codec.hpp"
#include "storage/local_event_log.hpp"
#include "storage/meta.hpp"
#include "storage/shared_log.hpp"
#include "storage/write_batch.hpp"
#include "tests/support/temp_dir.hpp"

using namespace minitwit;
using storage::durability;

namespace {

struct opened_log {
  test::temp_dir dir;
  std::unique_ptr<storage::database> db = std::move(*storage::database::open(dir.path()));
  std::unique_ptr<storage::local_event_log> log = std::move(*storage::local_event_log::open(*db));

  // Appends n follow events after the current end and writes them.
  void append(std::size_t n) {
    auto last = *log->last_seq();
    std::vector<std::string> encoded;
    for (std::size_t i = 0; i < n; ++i)
      encoded.push_back(
          storage::encode({0, 1000, std::nullopt, core::user_followed{last + i + 1, 1}}));
    storage::write_batch batch(*db);
    REQUIRE(log->append(last, encoded, batch));
    REQUIRE(db->write(batch, durability::synced));
  }
};

std::vector<std::uint64_t> seqs_from(const storage::event_log& log, std::uint64_t from) {
  std::vector<std::uint64_t> seen;
  REQUIRE(
      log.scan(from, [&](const storage::log_record& r) { return seen.push_back(r.seq), true; }));
  return seen;
}

}  // namespace

TEST_CASE("an append takes the next seqs and becomes visible only with its batch") {
  opened_log l;
  CHECK(*l.log->last_seq() == 0);
  storage::write_batch batch(*l.db);
  std::vector<std::string> two = {storage::encode({0, 1, std::nullopt, core::user_followed{1, 2}}),
                                  storage::encode({0, 2, std::nullopt, core::user_followed{2, 1}})};
  REQUIRE(l.log->append(0, two, batch));
  CHECK(*l.log->last_seq() == 0);  // staged, not written
  CHECK(seqs_from(*l.log, 1).empty());
  REQUIRE(l.db->write(batch, durability::synced));
  CHECK(*l.log->last_seq() == 2);
  CHECK(seqs_from(*l.log, 1) == std::vector<std::uint64_t>{1, 2});
  CHECK(seqs_from(*l.log, 2) == std::vector<std::uint64_t>{2});
  CHECK(*storage::read_last_seq(*l.db) == 2);
  // A reopened log reads its end from the database.
  auto again = storage::local_event_log::open(*l.db);
  REQUIRE(again);
  CHECK(*(*again)->last_seq() == 2);
}

TEST_CASE("an append after the wrong last seq is a conflict and appends nothing") {
  opened_log l;
  l.append(3);
  storage::write_batch batch(*l.db);
  std::vector<std::string> one = {storage::encode({0, 1, std::nullopt, core::user_followed{1, 2}})};
  auto stale = l.log->append(2, one, batch);
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == errc::conflict);
  CHECK(batch.empty());
  auto ahead = l.log->append(4, one, batch);
  REQUIRE_FALSE(ahead);
  CHECK(ahead.error().code == errc::conflict);
  CHECK(*l.log->last_seq() == 3);
}

TEST_CASE("scan_events decodes, and names the seq of a record it cannot decode") {
  opened_log l;
  l.append(2);
  std::vector<storage::envelope> events;
  REQUIRE(storage::scan_events(
      *l.log, 1, [&](const storage::envelope& e) { return events.push_back(e), true; }));
  REQUIRE(events.size() == 2);
  CHECK(events[1].seq == 2);
  CHECK(std::get<core::user_followed>(events[1].event).follower == 2);

  storage::write_batch batch(*l.db);
  std::vector<std::string> garbage = {std::string("\x01\x09\x01\x00", 4)};
  REQUIRE(l.log->append(2, garbage, batch));
  REQUIRE(l.db->write(batch, durability::synced));
  auto r = storage::scan_events(*l.log, 1, [](const storage::envelope&) { return true; });
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::unsupported);
  CHECK(r.error().message.find("event 3") != std::string::npos);
}

TEST_CASE("follow visits the backlog, then records as they are appended, until stopped") {
  opened_log l;
  l.append(2);
  std::mutex mu;
  std::vector<std::uint64_t> seen;
  std::promise<void> reached_five;
  std::stop_source stop;
  std::thread follower([&] {
    auto r = l.log->follow(
        2,
        [&](const storage::log_record& rec) {
          std::lock_guard lock(mu);
          seen.push_back(rec.seq);
          if (rec.seq == 5) reached_five.set_value();
          return true;
        },
        stop.get_token());
    CHECK(r);
  });
  l.append(1);
  l.append(2);
  CHECK(reached_five.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  stop.request_stop();
  follower.join();
  CHECK(seen == std::vector<std::uint64_t>{2, 3, 4, 5});
}

TEST_CASE("follow ends when its visitor says stop") {
  opened_log l;
  l.append(4);
  std::vector<std::uint64_t> seen;
  auto r = l.log->follow(
      1, [&](const storage::log_record& rec) { return seen.push_back(rec.seq), rec.seq < 3; },
      std::stop_token());
  CHECK(r);
  CHECK(seen == std::vector<std::uint64_t>{1, 2, 3});
}

TEST_CASE("a failed write runs no commit callback, a written one runs each once") {
  opened_log l;
  storage::write_batch batch(*l.db);
  int ran = 0;
  batch.put_meta(storage::meta_key::latest, 7);
  batch.on_commit([&] { ++ran; });
  REQUIRE(l.db->write(batch, durability::synced));
  CHECK(ran == 1);
  CHECK(batch.empty());
  REQUIRE(l.db->write(batch, durability::synced));  // empty now: nothing runs again
  CHECK(ran == 1);
  CHECK(*storage::read_meta_u64(*l.db, storage::meta_key::latest) == 7);
}

TEST_CASE("the appender imports in order into an empty log only") {
  test::temp_dir dir;
  auto db = std::move(*storage::database::open(dir.path()));
  {
    auto appender = storage::event_appender::open(*db);
    REQUIRE(appender);
    REQUIRE(appender->append({0, 1, 5, core::user_followed{1, 2}}));
    REQUIRE(appender->append({2, 2, 9, core::user_followed{2, 1}}));
    auto out_of_order = appender->append({7, 3, std::nullopt, core::user_followed{3, 1}});
    REQUIRE_FALSE(out_of_order);
    CHECK(out_of_order.error().code == errc::invalid_argument);
    CHECK(*appender->finish() == 2);
  }
  CHECK(*storage::read_last_seq(*db) == 2);
  CHECK(*storage::read_meta_u64(*db, storage::meta_key::latest) == 9);
  auto again = storage::event_appender::open(*db);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == errc::not_empty);
}

TEST_CASE("opening a database says what is wrong by kind") {
  test::temp_dir dir;
  storage::database_options offline;
  offline.create_if_missing = false;
  auto missing = storage::database::open(dir.path() / "nothing", offline);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::not_found);
}

TEST_CASE(
    "a batched record of the shared log holds its events in order, and a cut one is refused") {
  std::vector<storage::outgoing_record> events(3);
  events[0].bytes = "first";
  events[1].bytes = "";
  events[2].bytes = std::string(300, 'x');
  storage::received_record r{7, storage::frame_events(events), true};
  auto got = storage::events_of(r);
  REQUIRE(got);
  REQUIRE(got->size() == 3);
  CHECK((*got)[0] == "first");
  CHECK((*got)[1].empty());
  CHECK((*got)[2] == events[2].bytes);

  storage::received_record single{8, "one event", false};
  auto one = storage::events_of(single);
  REQUIRE(one);
  CHECK(*one == std::vector<std::string_view>{"one event"});

  for (std::size_t cut : {std::size_t{2}, r.bytes.size() - 1}) {
    storage::received_record broken{9, r.bytes.substr(0, cut), true};
    auto bad = storage::events_of(broken);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == errc::corrupt);
    CHECK(bad.error().message.find("record 9") != std::string::npos);
  }
  storage::received_record empty{10, "", true};
  CHECK_FALSE(storage::events_of(empty));
}
