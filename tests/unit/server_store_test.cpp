// The composition root: open() gives a readable database and log, start() catches up
// and starts the writer, close() answers what is queued and closes; a reopened store
// carries on where the last one stopped.
#include <doctest/doctest.h>

#include <future>

#include "server/store.hpp"
#include "storage/meta.hpp"
#include "storage/write_batch.hpp"
#include "tests/support/temp_dir.hpp"

using namespace minitwit;

namespace {

app::write_result write(server::store& s, core::command c) {
  std::promise<app::write_result> p;
  auto f = p.get_future();
  REQUIRE(s.writer().submit(
      {std::move(c), std::nullopt, [&p](app::write_result r) { p.set_value(std::move(r)); }}));
  return f.get();
}

}  // namespace

TEST_CASE("a store opens readable, starts writable, and carries on after a reopen") {
  test::temp_dir dir;
  {
    auto s = server::store::open(dir.path());
    REQUIRE(s);
    CHECK_FALSE((*s)->started());
    CHECK(*(*s)->log().last_seq() == 0);
    CHECK(!*(*s)->reads().user_by_name("ann"));
    auto report = (*s)->start();
    REQUIRE(report);
    CHECK((*s)->started());
    CHECK(report->events == 0);
    CHECK(write(**s, core::register_user{"ann", "a@x", "h"}).status == app::write_status::applied);
    CHECK(write(**s, core::post_message{"ann", "hello"}).status == app::write_status::applied);
    CHECK(*(*s)->log().last_seq() == 2);
    // The public head is wired: the first public page comes from memory and is current.
    auto page = (*s)->public_head().page(10);
    REQUIRE(page);
    REQUIRE(page->messages.size() == 1);
    CHECK(page->messages[0].text == "hello");
    REQUIRE((*s)->close());
    CHECK((*s)->close());  // idempotent
  }
  auto again = server::store::open(dir.path());
  REQUIRE(again);
  auto report = (*again)->start();
  REQUIRE(report);
  CHECK(report->events == 0);  // nothing to catch up: the checkpoint is current
  CHECK(write(**again, core::register_user{"bob", "b@x", "h"}).events.at(0).seq == 3);
  CHECK((*(*again)->reads().user_by_name("bob"))->id == 2);
  CHECK((*again)->projector().counts().users == 2);
}

TEST_CASE("a store catches up read models that are behind the log") {
  test::temp_dir dir;
  {
    auto s = std::move(*server::store::open(dir.path()));
    REQUIRE(s->start());
    write(*s, core::register_user{"ann", "a@x", "h"});
    write(*s, core::register_user{"bob", "b@x", "h"});
    write(*s, core::follow_user{"ann", "bob"});
  }
  {
    // Forget the read models: the next start rebuilds them all from the log.
    auto db = std::move(*storage::database::open(dir.path()));
    REQUIRE(db->reset_projections());
    storage::write_batch b(*db);
    b.put_meta(storage::meta_key::checkpoint, 0);
    REQUIRE(db->write(b, storage::durability::synced));
  }
  auto s = std::move(*server::store::open(dir.path()));
  auto report = s->start();
  REQUIRE(report);
  CHECK(report->events == 3);
  CHECK(*s->reads().follows(1, 10) == std::vector<std::string>{"bob"});
}

TEST_CASE("a store that cannot open says why, by kind") {
  test::temp_dir dir;
  server::store_options o;
  o.database.create_if_missing = false;
  auto s = server::store::open(dir.path() / "absent", o);
  REQUIRE_FALSE(s);
  CHECK(s.error().code == errc::not_found);
}
