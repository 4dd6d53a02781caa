// Wraps a listener's handler: gives each request an id (echoed as X-Request-Id),
// and when it is answered records its metrics and logs one JSON line (time, request
// id, method, route, status, duration, bytes, client). Routes are templates such as
// "/msgs/:user", never raw paths, so that labels and logs stay bounded.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "http/message.hpp"
#include "observability/metrics.hpp"

namespace minitwit::http {

using route_classifier = std::function<std::string(std::string_view path)>;

class observed_handler final : public handler {
 public:
  observed_handler(std::string listener, handler& inner, route_classifier classify, observability::server_metrics& metrics)
      : listener_(std::move(listener)), inner_(inner), classify_(std::move(classify)), metrics_(metrics) {}

  void handle(request req, responder done) override;

 private:
  std::string listener_;
  handler& inner_;
  route_classifier classify_;
  observability::server_metrics& metrics_;
};

// Serves GET /metrics itself and hands everything else to inner (for
// --metrics-on-api).
class with_metrics_route final : public handler {
 public:
  with_metrics_route(handler& inner, observability::server_metrics& metrics) : inner_(inner), metrics_(metrics) {}
  void handle(request req, responder done) override;

 private:
  handler& inner_;
  observability::server_metrics& metrics_;
};

// Route templates of the three listeners.
std::string api_route(std::string_view path);
std::string web_route(std::string_view path);
std::string admin_route(std::string_view path);

}  // namespace minitwit::http
