// An in-process store for unit tests: a server::store in a temporary directory, started
// (read models caught up, writer running), and a helper that waits for a write's answer.
#pragma once

#include <future>
#include <memory>
#include <stdexcept>

#include "server/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace minitwit::test {

struct store_fixture {
  temp_dir dir;
  std::unique_ptr<server::store> store;
  // Views into the store, valid between open() and close().
  storage::database* db = nullptr;
  projections::inline_projector* projector = nullptr;
  app::writer* writer = nullptr;
  const projections::read_model* reads = nullptr;
  std::int64_t clock_ms = 1'700'000'000'000;

  store_fixture() { open(); }

  void open(app::writer_options o = {}) {
    if (!o.now_ms) o.now_ms = [this] { return clock_ms; };
    server::store_options so;
    so.writer = std::move(o);
    auto opened = server::store::open(dir.path() / "db", std::move(so));
    if (!opened) throw std::runtime_error(opened.error().message);
    store = std::move(*opened);
    if (auto started = store->start(); !started) throw std::runtime_error(started.error().message);
    db = &store->database();
    projector = &store->projector();
    writer = &store->writer();
    reads = &store->reads();
  }

  void close() {
    db = nullptr;
    projector = nullptr;
    writer = nullptr;
    reads = nullptr;
    store.reset();
  }

  app::write_result write(std::optional<core::command> c, std::optional<std::int64_t> latest = {}) {
    std::promise<app::write_result> p;
    auto f = p.get_future();
    if (!writer->submit(
            {std::move(c), latest, [&p](app::write_result r) { p.set_value(std::move(r)); }}))
      throw std::runtime_error("writer refused");
    return f.get();
  }

  core::user_id user(const std::string& name) {
    write(core::register_user{name, name + "@example.com", "hash-of-" + name});
    return (*reads->user_by_name(name))->id;
  }
};

}  // namespace minitwit::test
