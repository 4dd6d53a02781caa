#include "server/server_config.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "http/host_port.hpp"

namespace minitwit::server {

std::variant<server_config, int> parse_server_config(int argc, char** argv) {
  server_config c;
  CLI::App app{"minitwit-server: the MiniTwit-ES server (simulator API, web UI, admin)"};
  app.option_defaults()->always_capture_default();
  app.add_option("--data-dir", c.data_dir, "Directory of the RocksDB database (created if missing)")
      ->envname("MINITWIT_DATA_DIR");
  app.add_option("--api-listen", c.api_listen,
                 "HOST:PORT of the simulator API (port 0: any free port)")
      ->envname("MINITWIT_API_LISTEN");
  app.add_option("--web-listen", c.web_listen, "HOST:PORT of the web UI")
      ->envname("MINITWIT_WEB_LISTEN");
  app.add_option(
         "--admin-listen", c.admin_listen,
         "HOST:PORT of health and admin endpoints (loopback unless MINITWIT_ADMIN_TOKEN is set)")
      ->envname("MINITWIT_ADMIN_LISTEN");
  app.add_option("--io-threads", c.io_threads, "Threads serving HTTP (0: one per core)")
      ->envname("MINITWIT_IO_THREADS");
  app.add_option("--hash-threads", c.hash_threads, "Threads hashing passwords (0: one per core)")
      ->envname("MINITWIT_HASH_THREADS");
  app.add_option("--hash-nice", c.hash_nice,
                 "Lower the hashing threads' priority by this much (0-19). Above 0, registrations "
                 "starve while other requests keep the cores busy")
      ->check(CLI::Range(0, 19))
      ->envname("MINITWIT_HASH_NICE")
      ->capture_default_str();
  app.add_option("--sim-username", c.sim_username, "User name the simulator authenticates with")
      ->envname("MINITWIT_SIM_USERNAME");
  app.add_option("--sim-password", c.sim_password, "Password the simulator authenticates with")
      ->envname("MINITWIT_SIM_PASSWORD");
  app.add_option("--max-body", c.max_body, "Largest request body in bytes (larger: 413)")
      ->envname("MINITWIT_MAX_BODY")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20));
  app.add_option("--max-no", c.max_no, "Cap on the `no` query parameter")
      ->envname("MINITWIT_MAX_NO")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  app.add_option("--max-connections", c.max_connections, "Open connections at most (beyond: 503)")
      ->envname("MINITWIT_MAX_CONNECTIONS")
      ->check(CLI::PositiveNumber);
  app.add_option("--writer-queue", c.writer_queue,
                 "Writes waiting for the writer at most (beyond: 503)")
      ->envname("MINITWIT_WRITER_QUEUE")
      ->check(CLI::PositiveNumber);
  app.add_option("--read-timeout-ms", c.read_timeout_ms,
                 "A request must arrive within this time, and an idle connection closes after it")
      ->envname("MINITWIT_READ_TIMEOUT_MS")
      ->check(CLI::Range(100u, 3600000u));
  app.add_option(
         "--min-free-disk-mb", c.min_free_disk_mb,
         "Refuse writes (503) while the data directory's disk has less free (MiB; 0: never)")
      ->envname("MINITWIT_MIN_FREE_DISK_MB");
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
      ->envname("MINITWIT_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--log-file", c.log_file,
                 "Log to this size-capped rotating file instead of stdout")
      ->envname("MINITWIT_LOG_FILE");
  app.add_option("--log-max-bytes", c.log_max_bytes, "Size of one log file before it rotates")
      ->envname("MINITWIT_LOG_MAX_BYTES")
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 34));
  app.add_option("--log-files", c.log_files, "Rotated log files kept besides the current one")
      ->envname("MINITWIT_LOG_FILES")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100}));
  app.add_flag("--metrics-on-api", c.metrics_on_api, "Also serve /metrics on the API listener")
      ->envname("MINITWIT_METRICS_ON_API");
  app.add_option("--api-allow", c.api_allow,
                 "Only these addresses/networks may use the simulator API (default: everyone), "
                 "e.g. 10.0.0.0/8,192.0.2.7")
      ->envname("MINITWIT_API_ALLOW")
      ->delimiter(',');
  app.add_option("--api-rate-limit", c.api_rate_limit,
                 "Simulator API requests per second per client address (0: no limit)")
      ->envname("MINITWIT_API_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e9));
  app.add_option(
         "--api-rate-burst", c.api_rate_burst,
         "Requests a client may send at once, the bucket size (default: the rate, at least 1)")
      ->envname("MINITWIT_API_RATE_BURST")
      ->check(CLI::Range(0.0, 1e9));
  app.add_option("--backup-dir", c.backup_dir,
                 "Take verified incremental backups into this directory on a schedule")
      ->envname("MINITWIT_BACKUP_DIR");
  app.add_option("--backup-every", c.backup_every,
                 "Time between scheduled backups: 90s, 15m, 3h, 1d")
      ->envname("MINITWIT_BACKUP_EVERY");
  app.add_option("--backup-keep", c.backup_keep, "Scheduled backups kept (older ones are pruned)")
      ->envname("MINITWIT_BACKUP_KEEP")
      ->check(CLI::PositiveNumber);
  app.add_option("--event-log", c.event_log,
                 "Where the event log lives: local (this node's RocksDB) or "
                 "nats://HOST:PORT[,HOST:PORT...] (cluster mode: a NATS JetStream stream)")
      ->envname("MINITWIT_EVENT_LOG");
  app.add_option("--nats-stream", c.nats_stream, "Cluster mode: the JetStream stream's name")
      ->envname("MINITWIT_NATS_STREAM");
  app.add_option("--nats-replicas", c.nats_replicas,
                 "Cluster mode: replicas of the stream when this node creates it")
      ->envname("MINITWIT_NATS_REPLICAS")
      ->check(CLI::Range(1, 5));
  app.add_option("--nats-timeout-ms", c.nats_timeout_ms,
                 "Cluster mode: bound on connecting and on every NATS request; a write NATS "
                 "cannot store within it answers 503")
      ->envname("MINITWIT_NATS_TIMEOUT_MS")
      ->check(CLI::Range(100u, 600000u));
  app.add_option("--node-name", c.node_name,
                 "This node's name in logs and NATS (default: host name)")
      ->envname("MINITWIT_NODE_NAME");
  app.add_option("--bulk-copy-records", c.bulk_copy_records,
                 "Cluster mode: a node with an empty data directory copies the shared log "
                 "as sorted files and builds its read models in bulk when the log holds at "
                 "least this many records")
      ->envname("MINITWIT_BULK_COPY_RECORDS")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  app.add_option("--drain-grace-ms", c.drain_grace_ms,
                 "On SIGTERM, report not-ready this long while still serving, then drain "
                 "(default: 0 locally, 3000 in cluster mode)")
      ->envname("MINITWIT_DRAIN_GRACE_MS")
      ->check(CLI::Range(-1, 600000));
  app.footer(
      "Environment only (or NAME_FILE naming a file that holds it): MINITWIT_SECRET_KEY signs web "
      "sessions (at least 16 characters); "
      "without it a random key is kept in DATA_DIR/session.key (mode 0600). "
      "MINITWIT_ADMIN_TOKEN is the bearer token of /admin/* (required off loopback). "
      "Cluster mode: MINITWIT_NATS_CREDS, MINITWIT_NATS_USER, MINITWIT_NATS_PASSWORD, "
      "MINITWIT_NATS_TOKEN, MINITWIT_NATS_TLS_CA, MINITWIT_NATS_TLS_CERT, MINITWIT_NATS_TLS_KEY.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    c.secret_key = secret_from_env("MINITWIT_SECRET_KEY");
    c.admin_token = secret_from_env("MINITWIT_ADMIN_TOKEN");
    load_nats_secrets(c);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minitwit-server: %s\n", e.what());
    return 2;
  }
  return c;
}

void load_nats_secrets(server_config& c) {
  c.nats_creds = secret_from_env("MINITWIT_NATS_CREDS");
  c.nats_user = secret_from_env("MINITWIT_NATS_USER");
  c.nats_password = secret_from_env("MINITWIT_NATS_PASSWORD");
  c.nats_token = secret_from_env("MINITWIT_NATS_TOKEN");
  c.nats_tls_ca = secret_from_env("MINITWIT_NATS_TLS_CA");
  c.nats_tls_cert = secret_from_env("MINITWIT_NATS_TLS_CERT");
  c.nats_tls_key = secret_from_env("MINITWIT_NATS_TLS_KEY");
}

std::string node_name(const server_config& cfg) {
  if (!cfg.node_name.empty()) return cfg.node_name;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && *host) return host;
  return "node";
}

result<std::optional<cluster::nats_settings>> nats_settings_of(const server_config& cfg) {
  if (!cfg.cluster_mode()) return std::optional<cluster::nats_settings>{};
  if (cfg.event_log.rfind("nats://", 0) != 0)
    return make_error(errc::invalid_argument, "--event-log '" + cfg.event_log +
                                                  "' is neither local nor nats://HOST:PORT[,...]");
  auto servers = cluster::parse_nats_servers(cfg.event_log);
  if (!servers) return make_error(servers.error().prefixed("--event-log: "));
  cluster::nats_settings n;
  n.servers = std::move(*servers);
  n.stream = cfg.nats_stream;
  n.replicas = cfg.nats_replicas;
  n.timeout = std::chrono::milliseconds(cfg.nats_timeout_ms);
  n.client_name = "minitwit " + node_name(cfg);
  n.creds_file = cfg.nats_creds;
  n.user = cfg.nats_user;
  n.password = cfg.nats_password;
  n.token = cfg.nats_token;
  n.tls_ca = cfg.nats_tls_ca;
  n.tls_cert = cfg.nats_tls_cert;
  n.tls_key = cfg.nats_tls_key;
  return std::optional<cluster::nats_settings>{std::move(n)};
}

std::optional<std::string> secret_from_env(const std::string& name) {
  if (const char* v = std::getenv(name.c_str()); v && *v) return std::string(v);
  const char* file = std::getenv((name + "_FILE").c_str());
  if (!file || !*file) return std::nullopt;
  std::ifstream in(file);
  if (!in) throw std::runtime_error(name + "_FILE: cannot read " + file);
  std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) throw std::runtime_error(name + "_FILE: " + std::string(file) + " is empty");
  return value;
}

std::string describe(const server_config& c) {
  boost::json::object o{
      {"data_dir", c.data_dir},
      {"api_listen", c.api_listen},
      {"web_listen", c.web_listen},
      {"admin_listen", c.admin_listen},
      {"io_threads", c.io_threads},
      {"hash_threads", c.hash_threads},
      {"hash_nice", c.hash_nice},
      {"sim_username", c.sim_username},
      {"sim_password", "<redacted>"},
      {"max_body", c.max_body},
      {"max_no", c.max_no},
      {"max_connections", c.max_connections},
      {"writer_queue", c.writer_queue},
      {"read_timeout_ms", c.read_timeout_ms},
      {"min_free_disk_mb", c.min_free_disk_mb},
      {"log_level", c.log_level},
      {"log_file", c.log_file},
      {"log_max_bytes", c.log_max_bytes},
      {"log_files", c.log_files},
      {"metrics_on_api", c.metrics_on_api},
      {"api_allow", boost::json::value_from(c.api_allow)},
      {"api_rate_limit", c.api_rate_limit},
      {"api_rate_burst", c.api_rate_burst},
      {"backup_dir", c.backup_dir},
      {"backup_every", c.backup_every},
      {"backup_keep", c.backup_keep},
      {"secret_key",
       c.secret_key ? "<redacted, from MINITWIT_SECRET_KEY>" : "<from DATA_DIR/session.key>"},
      {"admin_token", c.admin_token ? "<redacted>" : "<none>"},
      {"event_log", c.event_log},
      {"nats_stream", c.nats_stream},
      {"nats_replicas", c.nats_replicas},
      {"nats_timeout_ms", c.nats_timeout_ms},
      {"bulk_copy_records", c.bulk_copy_records},
      {"node_name", c.node_name},
      {"drain_grace_ms", c.drain_grace().count()},
      {"nats_credentials", c.nats_creds || c.nats_user || c.nats_token ? "<redacted>" : "<none>"}};
  return boost::json::serialize(o);
}

bool is_loopback(const std::string& host_port) {
  auto parsed = http::parse_host_port(host_port);
  return parsed && parsed->is_loopback();
}

}  // namespace minitwit::server
