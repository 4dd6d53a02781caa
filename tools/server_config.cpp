#include "tools/server_config.hpp"

#include <cstdlib>

#include <CLI/CLI.hpp>

namespace minitwit::tools {

std::variant<server_config, int> parse_server_config(int argc, char** argv) {
  server_config c;
  CLI::App app{"minitwit-server: the MiniTwit-ES server (simulator API, web UI, admin)"};
  app.option_defaults()->always_capture_default();
  app.add_option("--data-dir", c.data_dir, "Directory of the RocksDB database (created if missing)")
      ->envname("MINITWIT_DATA_DIR");
  app.add_option("--api-listen", c.api_listen, "HOST:PORT of the simulator API (port 0: any free port)")
      ->envname("MINITWIT_API_LISTEN");
  app.add_option("--web-listen", c.web_listen, "HOST:PORT of the web UI")
      ->envname("MINITWIT_WEB_LISTEN");
  app.add_option("--admin-listen", c.admin_listen, "HOST:PORT of health and admin endpoints (loopback unless MINITWIT_ADMIN_TOKEN is set)")
      ->envname("MINITWIT_ADMIN_LISTEN");
  app.add_option("--io-threads", c.io_threads, "Threads serving HTTP (0: one per core)")
      ->envname("MINITWIT_IO_THREADS");
  app.add_option("--hash-threads", c.hash_threads, "Threads hashing passwords (0: one per core)")
      ->envname("MINITWIT_HASH_THREADS");
  app.add_option("--sim-username", c.sim_username, "User name the simulator authenticates with")
      ->envname("MINITWIT_SIM_USERNAME");
  app.add_option("--sim-password", c.sim_password, "Password the simulator authenticates with")
      ->envname("MINITWIT_SIM_PASSWORD");
  app.add_option("--max-body", c.max_body, "Largest request body in bytes (larger: 413)")
      ->envname("MINITWIT_MAX_BODY")->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20));
  app.add_option("--max-no", c.max_no, "Cap on the `no` query parameter")
      ->envname("MINITWIT_MAX_NO")->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  app.add_option("--max-connections", c.max_connections, "Open connections at most (beyond: 503)")
      ->envname("MINITWIT_MAX_CONNECTIONS")->check(CLI::PositiveNumber);
  app.add_option("--writer-queue", c.writer_queue, "Writes waiting for the writer at most (beyond: 503)")
      ->envname("MINITWIT_WRITER_QUEUE")->check(CLI::PositiveNumber);
  app.add_option("--read-timeout-ms", c.read_timeout_ms,
                 "A request must arrive within this time, and an idle connection closes after it")
      ->envname("MINITWIT_READ_TIMEOUT_MS")->check(CLI::Range(100u, 3600000u));
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
      ->envname("MINITWIT_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.footer(
      "Environment only: MINITWIT_SECRET_KEY signs web sessions (at least 16 characters); "
      "without it a random key is kept in DATA_DIR/session.key (mode 0600). "
      "MINITWIT_ADMIN_TOKEN is the bearer token of /admin/* (required off loopback).");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (const char* secret = std::getenv("MINITWIT_SECRET_KEY"); secret && *secret) c.secret_key = secret;
  if (const char* token = std::getenv("MINITWIT_ADMIN_TOKEN"); token && *token) c.admin_token = token;
  return c;
}

bool is_loopback(const std::string& host_port) {
  auto host = host_port.substr(0, host_port.rfind(':'));
  return host.starts_with("127.") || host == "localhost" || host == "[::1]" || host == "::1";
}

}  // namespace minitwit::tools
