#include "tools/loadgen/seed.hpp"

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <random>

#include "app/passwords.hpp"
#include "server/store.hpp"
#include "tools/flight_window.hpp"
#include "tools/loadgen/text.hpp"
#include "tools/loadgen/workloads.hpp"
#include "tools/progress.hpp"

namespace minitwit::loadgen {
namespace {

// Follows and messages interleaved in proportion, so that timelines and follow lists
// grow together as they would in a live system.
void seed_activity(const seed_options& o, app::writer& w, tools::flight_window& window,
                   tools::progress* bar, std::uint64_t& done, std::uint64_t total) {
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<std::size_t> anyone(0, o.users - 1);
  std::size_t posted = 0, followed = 0;
  while (posted < o.messages || followed < o.follows) {
    bool post = followed >= o.follows ||
                (posted < o.messages && posted * o.follows <= followed * o.messages);
    if (post) {
      window.submit(w,
                    core::post_message{seed_username(skewed_index(rng, o.users)), tweet_text(rng)});
      ++posted;
    } else {
      auto a = anyone(rng), b = skewed_index(rng, o.users);
      if (a == b) b = (b + 1) % o.users;
      window.submit(w, core::follow_user{seed_username(a), seed_username(b)});
      ++followed;
    }
    if (bar && ++done % 65536 == 0) bar->update(done, total);
  }
}

}  // namespace

result<seed_summary> seed_database(const seed_options& o) {
  if (o.users < 2) return make_error(errc::invalid_argument, "--users must be at least 2");
  if (!app::init_crypto()) return make_error(errc::unavailable, "libsodium failed to initialise");
  auto hash = app::hash_password(o.password);
  if (!hash) return make_error(errc::unavailable, "could not hash the seed password");

  // A block cache as large as the dataset: deciding a follow looks up two random users,
  // and with the server's 128 MiB cache a million users' rows thrash it (seeding fell
  // to a few thousand commands per second).
  server::store_options so;
  so.database.block_cache_bytes = o.block_cache_bytes;
  auto store = server::store::open(o.data_dir, so);
  if (!store)
    return make_error(store.error().prefixed(fmt::format("cannot open {}: ", o.data_dir)));
  auto last = (*store)->log().last_seq();
  if (!last) return make_error(last.error());
  if (*last != 0)
    return make_error(
        errc::not_empty,
        fmt::format("{} already holds {} events: seed a new directory", o.data_dir, *last));
  if (auto r = (*store)->start(); !r) return make_error(r.error());
  auto* w = &(*store)->writer();

  auto start = std::chrono::steady_clock::now();
  std::uint64_t total = o.users + o.messages + o.follows, done = 0;
  std::optional<tools::progress> bar;
  if (o.show_progress) bar.emplace("seeding", "commands");
  tools::flight_window window(8192);  // below the writer queue's capacity
  try {
    for (std::size_t i = 0; i < o.users; ++i) {
      window.submit(
          *w, core::register_user{seed_username(i), fmt::format("seed{}@minitwit.test", i), *hash});
      if (bar && ++done % 65536 == 0) bar->update(done, total);
    }
    window.drain();  // every follow and post below names registered users
    seed_activity(o, *w, window, bar ? &*bar : nullptr, done, total);
    window.drain();
  } catch (const std::exception& e) {
    (void)(*store)->close();  // answers what is still queued while the window it reports to exists
    return make_error(errc::io, fmt::format("seeding failed: {}", e.what()));
  }
  if (bar) bar->finish(total);
  auto stats = w->stats();
  if (auto closed = (*store)->close(); !closed) return make_error(closed.error());
  return seed_summary{
      stats.commands, stats.events,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

}  // namespace minitwit::loadgen
