// The in-memory head of the public timeline answers exactly what RocksDB answers, through
// posts, flags, unflags and more messages than it holds, or declines to answer.
#include "projections/public_head.hpp"

#include <doctest/doctest.h>

#include <random>

#include "tests/support/store_fixture.hpp"

using namespace minitwit;

namespace {

std::vector<core::message_id> ids(const projections::message_page& p) {
  std::vector<core::message_id> out;
  for (const auto& m : p.messages) out.push_back(m.id);
  return out;
}

}  // namespace

TEST_CASE("the public head answers as the public timeline does, or not at all") {
  test::store_fixture s;
  const projections::read_model rocks(*s.db);  // the truth: RocksDB, no head of its own
  s.user("ann");
  s.user("bob");
  projections::public_head head(8);
  REQUIRE(head.load(rocks));
  // Attached while the writer is idle: every batch from here on goes through it.
  s.projector->attach(head);

  std::mt19937_64 rng(11);
  std::vector<core::message_id> posted;
  std::size_t served = 0;
  for (int step = 0; step < 300; ++step) {
    auto r = std::uniform_int_distribution<int>(0, 9)(rng);
    if (r < 6 || posted.empty()) {
      auto w = s.write(core::post_message{step % 2 ? "ann" : "bob", "m" + std::to_string(step)});
      REQUIRE(w.status == app::write_status::applied);
      posted.push_back(std::get<core::message_posted>(w.events.at(0).event).id);
    } else {
      auto id = posted[std::uniform_int_distribution<std::size_t>(0, posted.size() - 1)(rng)];
      s.write(core::flag_message{id, r < 8});  // flags and unflags, old and new
    }
    for (std::size_t limit : {0u, 1u, 5u, 8u, 9u, 100u}) {
      auto truth = rocks.public_timeline(limit);
      REQUIRE(truth);
      if (auto page = head.page(limit)) {
        ++served;
        CHECK(ids(*page) == ids(*truth));
        CHECK(page->older == truth->older);
        if (!page->messages.empty()) CHECK(page->messages.front() == truth->messages.front());
      } else {
        CHECK(limit >= 8);  // only pages beyond what it holds are declined
      }
    }
  }
  CHECK(served > 300 * 2);  // most small pages come from memory
}

TEST_CASE("a head loaded from a database with more messages than it holds knows its floor") {
  test::store_fixture s;
  const projections::read_model rocks(*s.db);  // the truth: RocksDB, no head of its own
  s.user("ann");
  for (int i = 0; i < 20; ++i) s.write(core::post_message{"ann", "m" + std::to_string(i)});
  projections::public_head head(10);
  REQUIRE(head.load(rocks));
  CHECK(head.page(9).has_value());
  CHECK_FALSE(
      head.page(10).has_value());  // it holds ten; whether an eleventh exists is below its floor
  auto page = head.page(3);
  REQUIRE(page);
  CHECK(ids(*page) == ids(*rocks.public_timeline(3)));
  // Unflagging a message below the floor must not put it in the head.
  s.projector->attach(head);
  s.write(core::flag_message{2, true});
  s.write(core::flag_message{2, false});
  CHECK(ids(*head.page(9)) == ids(*rocks.public_timeline(9)));
}

TEST_CASE("one large batch leaves the head as the same changes one at a time do") {
  // A node catching up applies tens of thousands of rows in one batch: posts, flags of
  // some of them, unflags of others, one message changed twice.
  std::vector<projections::message_row> changes;
  std::mt19937_64 rng(7);
  for (core::message_id id = 1; id <= 3000; ++id) {
    changes.push_back({id, 1, "a", "m" + std::to_string(id), 0, false});
    if (rng() % 5 == 0) changes.push_back({id, 1, "a", "m" + std::to_string(id), 0, true});
    if (rng() % 50 == 0) changes.push_back({id, 1, "a", "m" + std::to_string(id), 0, false});
  }
  projections::public_head one_by_one(256), at_once(256);
  for (const auto& c : changes) one_by_one.apply({c});
  at_once.apply(changes);
  for (std::size_t limit : {1u, 30u, 256u, 257u}) {
    CAPTURE(limit);
    auto a = one_by_one.page(limit), b = at_once.page(limit);
    REQUIRE(a.has_value() == b.has_value());
    if (a) CHECK(a->messages == b->messages);
  }
  REQUIRE(at_once.page(30));
  CHECK(at_once.page(30)->messages.front().id > 2900);
}
