// What the writer needs from the read models, without depending on them: the state
// that decisions read, and the rows each event adds to the batch. Implemented by
// projections/inline_projector.
#pragma once

#include "core/decide.hpp"
#include "core/result.hpp"
#include "storage/envelope.hpp"
#include "storage/write_batch.hpp"

namespace minitwit::projections {

class projector {
 public:
  virtual ~projector() = default;

  // Committed state plus everything apply()d since the last end_batch().
  virtual const core::state_view& state() const = 0;

  // Adds the read-model rows that e causes to batch and to the pending state. Fails
  // when the rows e builds on cannot be read (or are missing: the log is inconsistent).
  virtual result<void> apply(const storage::envelope& e, storage::write_batch& batch) = 0;

  // Adds batch-level rows (counters) just before the batch is written.
  virtual void finish_batch(storage::write_batch& batch) = 0;

  // The batch was written (committed = true) or failed and is forgotten.
  virtual void end_batch(bool committed) = 0;
};

}  // namespace minitwit::projections
