// Wraps a listener's handler: gives each request an id (echoed as X-Request-Id),
// matches its target against the listener's route table (once: the handler reuses the
// match), and when it is answered records its metrics and logs one JSON line (time,
// request id, method, route, status, duration, bytes, client). Routes are templates
// such as "/msgs/:user", never raw paths, so that labels and logs stay bounded.
#pragma once

#include <string>

#include "http/message.hpp"
#include "http/router.hpp"
#include "observability/metrics.hpp"

namespace minitwit::http {

class observed_handler final : public handler {
 public:
  // routes is the route table of inner (e.g. simulator_api::routes()); both must
  // outlive this.
  observed_handler(std::string listener, handler& inner, const route_table& routes,
                   observability::server_metrics& metrics)
      : listener_(std::move(listener)), inner_(inner), routes_(routes), metrics_(metrics) {}

  void handle(request req, responder done) override;

 private:
  std::string listener_;
  handler& inner_;
  const route_table& routes_;
  observability::server_metrics& metrics_;
};

}  // namespace minitwit::http
