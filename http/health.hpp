// The admin listener's endpoints: /health/live (the process answers) and
// /health/ready (database open, read models caught up with the log, writer running),
// both JSON and cheap enough to poll every second.
#pragma once

#include "http/message.hpp"
#include "projections/read_model.hpp"
#include "storage/event_log.hpp"
#include "storage/writer.hpp"

namespace minitwit::http {

class admin_api final : public handler {
 public:
  admin_api(const projections::read_model& reads, const storage::event_log& log,
            const storage::writer& writer)
      : reads_(reads), log_(log), writer_(writer) {}

  void handle(request req, responder done) override;

 private:
  response ready() const;
  const projections::read_model& reads_;
  const storage::event_log& log_;
  const storage::writer& writer_;
};

}  // namespace minitwit::http
