// An in-process store for unit tests: a database in a temporary directory with the
// inline projector, a running writer, and a helper that waits for a write's answer.
#pragma once

#include <future>
#include <memory>

#include "projections/catch_up.hpp"
#include "projections/inline_projector.hpp"
#include "projections/read_model.hpp"
#include "app/writer.hpp"
#include "tests/support/temp_dir.hpp"

namespace minitwit::test {

struct store_fixture {
  temp_dir dir;
  std::unique_ptr<storage::database> db;
  std::unique_ptr<projections::inline_projector> projector;
  std::unique_ptr<app::writer> writer;
  std::unique_ptr<projections::read_model> reads;
  std::int64_t clock_ms = 1'700'000'000'000;

  store_fixture() { open(); }

  void open() {
    db = std::move(*storage::database::open(dir.path() / "db"));
    auto caught_up = projections::catch_up(*db);
    if (!caught_up) throw std::runtime_error(caught_up.error());
    projector = std::move(*projections::inline_projector::open(*db));
    app::writer_options o;
    o.now_ms = [this] { return clock_ms; };
    writer = std::move(*app::writer::start(*db, *projector, o));
    reads = std::make_unique<projections::read_model>(*db);
  }

  void close() {
    writer.reset();
    reads.reset();
    projector.reset();
    db.reset();
  }

  app::write_result write(std::optional<core::command> c, std::optional<std::int64_t> latest = {}) {
    std::promise<app::write_result> p;
    auto f = p.get_future();
    if (!writer->submit({std::move(c), latest, [&p](app::write_result r) { p.set_value(std::move(r)); }}))
      throw std::runtime_error("writer refused");
    return f.get();
  }

  core::user_id user(const std::string& name) {
    write(core::register_user{name, name + "@example.com", "hash-of-" + name});
    return (*reads->user_by_name(name))->id;
  }
};

}  // namespace minitwit::test
