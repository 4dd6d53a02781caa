#include <doctest/doctest.h>

#include <atomic>
#include <random>
#include <thread>

#include "storage/keys.hpp"
#include "storage/local_event_log.hpp"
#include "storage/meta.hpp"
#include "storage/write_batch.hpp"
#include "tests/support/store_fixture.hpp"

using namespace minitwit;
using test::store_fixture;

namespace {

std::vector<std::string> texts(const projections::message_page& p) {
  std::vector<std::string> out;
  for (auto& m : p.messages) out.push_back(m.text);
  return out;
}

}  // namespace

TEST_CASE("writes become events and read models in one step") {
  store_fixture s;
  auto a = s.user("alice");
  auto b = s.user("bob");
  CHECK(a == 1);
  CHECK(b == 2);
  auto r = s.write(core::post_message{"alice", "first"}, 17);
  CHECK(r.status == app::write_status::applied);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].latest == 17);
  s.write(core::post_message{"bob", "second"});
  s.write(core::follow_user{"alice", "bob"});

  CHECK(texts(*s.reads->public_timeline(10)) == std::vector<std::string>{"second", "first"});
  CHECK(texts(*s.reads->user_timeline(a, 10)) == std::vector<std::string>{"first"});
  CHECK(*s.reads->follows(a, 10) == std::vector<std::string>{"bob"});
  CHECK(*s.reads->is_following(a, b));
  CHECK_FALSE(*s.reads->is_following(b, a));
  CHECK(*s.reads->latest() == 17);
  CHECK(s.projector->counts().users == 2);
  CHECK(s.projector->counts().messages == 2);
  CHECK(s.projector->counts().follows == 1);
  CHECK(*s.reads->checkpoint() == *storage::read_last_seq(*s.db));
}

TEST_CASE("refused commands write no events but still record latest") {
  store_fixture s;
  s.user("alice");
  auto r = s.write(core::register_user{"alice", "x@y", "h"}, 99);
  CHECK(r.status == app::write_status::refused);
  CHECK(r.error == core::domain_error::username_taken);
  CHECK(*s.reads->latest() == 99);
  CHECK(*storage::read_last_seq(*s.db) == 1);
}

TEST_CASE("a batch decides against its own pending writes") {
  store_fixture s;
  // Queue many commands at once so the writer takes them as one batch: the second
  // registration of a name must see the first, and posts must see the new users.
  std::vector<std::future<app::write_result>> futures;
  std::vector<std::promise<app::write_result>> promises(6);
  std::vector<core::command> cmds = {
      core::register_user{"x", "x@x", "h"}, core::register_user{"x", "x@x", "h"},
      core::post_message{"x", "hi"},        core::register_user{"y", "y@y", "h"},
      core::follow_user{"x", "y"},          core::follow_user{"x", "y"}};
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    futures.push_back(promises[i].get_future());
    REQUIRE(s.writer->submit(
        {cmds[i], {}, [&, i](app::write_result r) { promises[i].set_value(std::move(r)); }}));
  }
  CHECK(futures[0].get().status == app::write_status::applied);
  CHECK(futures[1].get().error == core::domain_error::username_taken);
  CHECK(futures[2].get().events.size() == 1);
  CHECK(futures[3].get().status == app::write_status::applied);
  CHECK(futures[4].get().events.size() == 1);
  CHECK(futures[5].get().events.empty());  // already following, in the same batch
  CHECK(s.projector->counts().follows == 1);
}

TEST_CASE("a full queue refuses instead of growing") {
  store_fixture s;
  s.close();
  app::writer_options o;
  o.queue_capacity = 4;
  s.open(o);
  std::promise<void> release;
  auto released = release.get_future().share();
  auto* w = s.writer;
  // The first request's callback blocks the writer thread, so the queue fills up; the
  // others are sent once it blocks (a slow writer thread, e.g. under a sanitizer, could
  // otherwise take some of them into its first batch).
  std::atomic<int> answered{0};
  std::promise<void> entered;
  REQUIRE(w->submit({std::nullopt, 1, [&, released](const app::write_result&) {
                       entered.set_value();
                       released.wait();
                       ++answered;
                     }}));
  entered.get_future().wait();
  int accepted = 0, refused = 0;
  for (int i = 0; i < 20; ++i) {
    if (w->submit({std::nullopt, i, [&](const app::write_result&) { ++answered; }}))
      ++accepted;
    else
      ++refused;
  }
  CHECK(accepted <= 5);  // 4 queued, plus one the writer may have taken already
  CHECK(refused >= 15);
  release.set_value();
  w->stop();
  CHECK(answered == accepted + 1);
}

TEST_CASE("pagination: cursors walk the timelines without gaps or repeats") {
  store_fixture s;
  auto a = s.user("a");
  for (int i = 0; i < 25; ++i) s.write(core::post_message{"a", std::to_string(i)});
  std::vector<std::string> seen;
  std::optional<core::message_id> before;
  int pages = 0;
  do {
    auto page = *s.reads->user_timeline(a, 10, before);
    for (auto& m : page.messages) seen.push_back(m.text);
    before = page.older;
    ++pages;
  } while (before);
  CHECK(pages == 3);
  REQUIRE(seen.size() == 25);
  for (int i = 0; i < 25; ++i) CHECK(seen[i] == std::to_string(24 - i));
}

TEST_CASE("home timeline merges own and followed messages newest first, no one else's") {
  store_fixture s;
  auto me = s.user("me");
  s.user("friend");
  s.user("stranger");
  s.write(core::follow_user{"me", "friend"});
  s.write(core::post_message{"friend", "f1"});
  s.write(core::post_message{"me", "m1"});
  s.write(core::post_message{"stranger", "s1"});
  s.write(core::post_message{"friend", "f2"});
  s.write(core::post_message{"me", "m2"});
  CHECK(texts(*s.reads->home_timeline(me, 10)) == std::vector<std::string>{"m2", "f2", "m1", "f1"});
  auto first = *s.reads->home_timeline(me, 3);
  CHECK(texts(first) == std::vector<std::string>{"m2", "f2", "m1"});
  REQUIRE(first.older);
  CHECK(texts(*s.reads->home_timeline(me, 3, first.older)) == std::vector<std::string>{"f1"});
  s.write(core::unfollow_user{"me", "friend"});
  CHECK(texts(*s.reads->home_timeline(me, 10)) == std::vector<std::string>{"m2", "m1"});
}

TEST_CASE("flagged messages disappear from every timeline and come back when unflagged") {
  store_fixture s;
  auto a = s.user("a");
  s.write(core::post_message{"a", "keep"});
  auto posted = s.write(core::post_message{"a", "hide"});
  auto id = std::get<core::message_posted>(posted.events[0].event).id;
  s.write(core::flag_message{id, true});
  CHECK(texts(*s.reads->public_timeline(10)) == std::vector<std::string>{"keep"});
  CHECK(texts(*s.reads->user_timeline(a, 10)) == std::vector<std::string>{"keep"});
  CHECK(texts(*s.reads->home_timeline(a, 10)) == std::vector<std::string>{"keep"});
  CHECK(s.projector->counts().messages == 1);
  s.write(core::flag_message{id, false});
  CHECK(texts(*s.reads->public_timeline(10)) == std::vector<std::string>{"hide", "keep"});
}

TEST_CASE("catch-up replays a missing tail and rebuilds dropped read models") {
  store_fixture s;
  s.user("a");
  s.user("b");
  s.write(core::post_message{"a", "x"});
  s.write(core::follow_user{"b", "a"});
  auto before = *s.reads->public_timeline(10);
  s.close();

  SUBCASE("checkpoint behind the log") {
    auto db = std::move(*storage::database::open(s.dir.path() / "db"));
    storage::write_batch b(*db);
    b.put_meta(storage::meta_key::checkpoint, 2);
    b.remove(storage::column::public_msgs, storage::keys::u64(storage::keys::invert(1)));
    REQUIRE(db->write(b, storage::durability::buffered));
    auto report = projections::catch_up(*db, **storage::local_event_log::open(*db));
    REQUIRE(report);
    CHECK_FALSE(report->full_rebuild);
    CHECK(report->events == 2);
  }
  SUBCASE("projection version changed") {
    auto db = std::move(*storage::database::open(s.dir.path() / "db"));
    storage::write_batch b(*db);
    b.put_meta(storage::meta_key::projection_version, 999);
    REQUIRE(db->write(b, storage::durability::buffered));
    auto report = projections::catch_up(*db, **storage::local_event_log::open(*db));
    REQUIRE(report);
    CHECK(report->full_rebuild);
    CHECK(report->events == 4);
  }
  s.open();
  CHECK(s.reads->public_timeline(10)->messages == before.messages);
  CHECK(*s.reads->follows(2, 10) == std::vector<std::string>{"a"});
  CHECK(s.projector->counts().users == 2);
  CHECK(s.projector->counts().follows == 1);
  // Ids continue where they left off.
  CHECK(s.user("c") == 3);
}

TEST_CASE("the database refuses a newer storage format") {
  test::temp_dir dir;
  {
    auto db = std::move(*storage::database::open(dir.path()));
    rocksdb::WriteOptions wo;
    REQUIRE(db->db()
                .Put(wo, db->cf(storage::column::meta), storage::meta_key::format_version,
                     storage::keys::u64(storage::current_format_version + 1))
                .ok());
  }
  auto again = storage::database::open(dir.path());
  REQUIRE_FALSE(again);
  CHECK(again.error().code == errc::unsupported);
  CHECK(again.error().message.find("newer than this binary") != std::string::npos);
}

TEST_CASE("home timeline equals a brute-force merge, page by page, with flags and cursors") {
  store_fixture s;
  std::mt19937 rng(7);
  const int authors = 12;
  for (int a = 0; a < authors; ++a) s.user("u" + std::to_string(a));
  for (int a = 1; a < authors; a += 2) s.write(core::follow_user{"u0", "u" + std::to_string(a)});
  std::vector<core::message_id> posted;
  for (int i = 0; i < 300; ++i) {
    // Skewed activity: some authors post in bursts, some rarely.
    int a = static_cast<int>(rng() % (rng() % 3 == 0 ? authors : 3));
    auto r = s.write(core::post_message{"u" + std::to_string(a), "m" + std::to_string(i)});
    posted.push_back(std::get<core::message_posted>(r.events[0].event).id);
  }
  // Flag some newest messages: author_heads then over-estimates, which must not matter.
  for (int i = 0; i < 20; ++i)
    s.write(core::flag_message{posted[posted.size() - 1 - rng() % 40], true});

  std::vector<std::string> expected;  // brute force: every visible message of me + followed
  auto all = *s.reads->public_timeline(100000);
  for (auto& m : all.messages) {
    auto author = std::stoi(m.author_name.substr(1));
    if (author == 0 || author % 2 == 1) expected.push_back(m.text);
  }
  for (std::size_t page_size : {1u, 7u, 30u}) {
    std::vector<std::string> got;
    std::optional<core::message_id> before;
    do {
      auto page = *s.reads->home_timeline(1, page_size, before);
      CHECK(page.messages.size() <= page_size);
      for (auto& m : page.messages) got.push_back(m.text);
      before = page.older;
    } while (before);
    CHECK(got == expected);
  }
}

TEST_CASE(
    "readers query while the writer commits: every page is consistent (run under ThreadSanitizer "
    "too)") {
  store_fixture s;
  for (int u = 0; u < 4; ++u) s.user("u" + std::to_string(u));
  for (int u = 1; u < 4; ++u) s.write(core::follow_user{"u0", "u" + std::to_string(u)});
  std::atomic<bool> done{false};
  std::atomic<int> pages{0}, bad{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r)
    readers.emplace_back([&] {
      while (!done) {
        for (auto page : {s.reads->public_timeline(30), s.reads->home_timeline(1, 30),
                          s.reads->user_timeline(2, 30)}) {
          if (!page) {
            ++bad;
            continue;
          }
          for (std::size_t i = 1; i < page->messages.size(); ++i)
            if (page->messages[i - 1].id <= page->messages[i].id) ++bad;
          ++pages;
        }
        if (!s.reads->user_by_name("u3")->has_value()) ++bad;
      }
    });
  std::atomic<int> answered{0};
  for (int i = 0; i < 2000; ++i) {
    app::write_request w{
        core::post_message{"u" + std::to_string(i % 4), "m" + std::to_string(i)}, i,
        [&](const app::write_result& r) { answered += r.status == app::write_status::applied; }};
    while (!s.writer->submit(w)) std::this_thread::yield();  // queue full: the writer catches up
  }
  s.writer->stop();  // answers everything queued
  done = true;
  for (auto& t : readers) t.join();
  CHECK(answered == 2000);
  CHECK(bad == 0);
  CHECK(pages > 0);
  CHECK(s.reads->public_timeline(100000)->messages.size() == 2000);
  CHECK(s.projector->counts().messages == 2000);
}
