// The simulator's REST API (the contract in docs/openapi.yaml): routing,
// authentication, `latest`, and every status code and body of the contract. Reads go
// straight to the read models; writes go through the writer and are answered once
// fsynced; passwords are hashed on the worker pool.
#pragma once

#include <cstddef>
#include <string>

#include "app/worker_pool.hpp"
#include "app/writer.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "observability/metrics.hpp"
#include "projections/read_model.hpp"

namespace minitwit::http {

struct simulator_api_options {
  std::string username = "simulator";  // Basic credentials the simulator must send
  std::string password = "super_safe!";
  std::size_t default_no = 100;
  std::size_t max_no = 10000;
  // Also serve GET /metrics (--metrics-on-api); no credentials needed, like the admin's.
  observability::server_metrics* metrics = nullptr;
};

class simulator_api final : public handler {
 public:
  simulator_api(const projections::read_model& reads, app::writer& writer,
                app::worker_pool& hashers, simulator_api_options options);

  void handle(request req, responder done) override;
  // The listener's route table (for its observed_handler).
  const route_table& routes() const { return routes_.table(); }

 private:
  struct context;
  static router<simulator_api, context> declare_routes(bool with_metrics);

  void get_latest(context& c);
  void post_register(context& c);
  void get_public_messages(context& c);
  void get_user_messages(context& c);
  void post_message(context& c);
  void get_follows(context& c);
  void post_follow(context& c);
  void get_metrics(context& c);
  void send_messages(context& c, const std::string* username);

  bool authorized(const request& req) const;
  // Stores `latest` (if any) durably, then answers r; a failed store answers 503.
  void finish(context& c, response r);
  // Submits a command with the request's `latest`; answers 204 or the mapped error.
  void submit(context& c, core::command cmd);

  const projections::read_model& reads_;
  app::writer& writer_;
  app::worker_pool& hashers_;
  simulator_api_options options_;
  std::string credentials_;  // "user:password", as Basic authentication carries it
  router<simulator_api, context> routes_;
};

// The answer for a writer that could not take or complete a request: 503 with
// Retry-After, in the contract's JSON error shape.
response unavailable(std::string_view why);

}  // namespace minitwit::http
