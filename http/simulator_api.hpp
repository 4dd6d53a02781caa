// The simulator's REST API (shared/spec/simulator-api.md): routing, authentication,
// `latest`, and every status code and body of the contract. Reads go straight to the
// read models; writes go through the writer and are answered once fsynced; passwords
// are hashed on the worker pool.
#pragma once

#include <cstddef>
#include <string>

#include "http/message.hpp"
#include "app/worker_pool.hpp"
#include "projections/read_model.hpp"
#include "app/writer.hpp"

namespace minitwit::http {

struct simulator_api_options {
  std::string username = "simulator";  // Basic credentials the simulator must send
  std::string password = "super_safe!";
  std::size_t default_no = 100;
  std::size_t max_no = 10000;
};

class simulator_api final : public handler {
 public:
  simulator_api(const projections::read_model& reads, app::writer& writer,
                app::worker_pool& hashers, simulator_api_options options);

  void handle(request req, responder done) override;

 private:
  struct context;
  void get_latest(context& c);
  void post_register(context& c);
  void get_messages(context& c, const std::string* username);
  void post_message(context& c, const std::string& username);
  void get_follows(context& c, const std::string& username);
  void post_follow(context& c, const std::string& username);

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
};

// The answer for a writer that could not take or complete a request: 503 with
// Retry-After, in the contract's JSON error shape.
response unavailable(std::string_view why);

}  // namespace minitwit::http
