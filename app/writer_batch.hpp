// The writer's batch: one batch of requests on its way through the pipeline (private to
// app/writer*.cpp).
#pragma once

#include "app/writer.hpp"
#include "storage/write_batch.hpp"

namespace minitwit::app {

struct writer::batch {
  batch(storage::database& db, std::size_t requests) : rows(db), results(requests) {}
  storage::write_batch rows;         // read-model rows, meta and (at append) the events
  std::vector<std::string> encoded;  // the batch's events, encoded: the log's next records
  std::vector<write_result> results;
  core::decision_context ctx;
  std::int64_t now_ms = 0;
  std::optional<std::int64_t> latest;  // the last request's that carried one
  bool writes() const { return !encoded.empty() || latest; }
};

}  // namespace minitwit::app
