// minitwit-server: reads its configuration, sets up logging, and runs the service
// (server/service.hpp) until SIGTERM.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "observability/json_log.hpp"
#include "server/server_config.hpp"
#include "server/service.hpp"

int main(int argc, char** argv) {
  using namespace minitwit;
  auto parsed = server::parse_server_config(argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) return *code;
  const auto& cfg = std::get<server::server_config>(parsed);
  try {
    observability::configure_logging(
        {cfg.log_level, cfg.log_file.empty() ? std::nullopt : std::optional(cfg.log_file),
         cfg.log_max_bytes, cfg.log_files});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minitwit-server: cannot open the log: %s\n", e.what());
    return 1;
  }
  spdlog::info("{}", R"({"event":"config","config":)" + server::describe(cfg) + "}");
  return server::run(cfg);
}
