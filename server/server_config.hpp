// minitwit-server's configuration: every flag has an environment-variable twin
// (--data-dir / MINITWIT_DATA_DIR, ...); a flag wins over its variable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cluster/jetstream_log.hpp"
#include "core/result.hpp"

namespace minitwit::server {

struct server_config {
  std::string data_dir = "./data";
  std::string api_listen = "0.0.0.0:5001";
  std::string web_listen = "0.0.0.0:5000";
  std::string admin_listen = "127.0.0.1:5002";
  unsigned io_threads = 0;    // 0: one per core
  unsigned hash_threads = 0;  // 0: one per core
  int hash_nice = 0;          // added to the hashing threads' nice value
  std::string sim_username = "simulator";
  std::string sim_password = "super_safe!";
  std::size_t max_body = std::size_t{64} * 1024;
  std::size_t max_no = 10000;
  std::size_t max_connections = 10000;
  std::size_t writer_queue = 10000;
  unsigned read_timeout_ms = 10000;
  std::uint64_t min_free_disk_mb = 256;  // writes answer 503 below this much free disk
  std::string log_level = "info";
  std::string log_file;  // empty: stdout
  std::size_t log_max_bytes = 10u << 20;
  std::size_t log_files = 5;
  bool metrics_on_api = false;         // also serve /metrics on the API listener
  std::vector<std::string> api_allow;  // CIDRs allowed to use the simulator API; empty: all
  double api_rate_limit = 0;           // requests per second per client; 0: none
  double api_rate_burst = 0;  // bucket size: requests a client may send at once; 0: max(1, rate)
  std::string backup_dir;     // empty: no scheduled backups
  std::string backup_every = "3h";
  std::uint32_t backup_keep = 7;
  // Session signing secret: only from the environment (MINITWIT_SECRET_KEY), never a
  // flag, so that it does not show in process listings. Absent: a key file in the
  // data directory.
  std::optional<std::string> secret_key;
  // Bearer token for /admin/* (environment only: MINITWIT_ADMIN_TOKEN); required when
  // the admin listener is not on a loopback address.
  std::optional<std::string> admin_token;

  // Where the event log lives: "local" (this node's RocksDB) or
  // "nats://HOST:PORT[,HOST:PORT...]" (cluster mode: a JetStream stream all nodes share).
  std::string event_log = "local";
  std::string nats_stream = "minitwit";
  int nats_replicas = 3;
  unsigned nats_timeout_ms = 2000;         // bound on connecting and on every NATS request
  std::uint64_t bulk_copy_records = 1000;  // an empty node copies a longer shared log in bulk
  std::string node_name;                   // empty: the host name
  // On SIGTERM: how long the node reports not-ready while still serving, so that a
  // balancer moves away before it stops listening. Negative: 0 locally, 3000 in
  // cluster mode.
  int drain_grace_ms = -1;
  // NATS credentials, environment only: MINITWIT_NATS_CREDS (a .creds file),
  // MINITWIT_NATS_USER + MINITWIT_NATS_PASSWORD, MINITWIT_NATS_TOKEN; TLS:
  // MINITWIT_NATS_TLS_CA, MINITWIT_NATS_TLS_CERT + MINITWIT_NATS_TLS_KEY.
  std::optional<std::string> nats_creds, nats_user, nats_password, nats_token;
  std::optional<std::string> nats_tls_ca, nats_tls_cert, nats_tls_key;

  bool cluster_mode() const { return event_log != "local"; }
  std::chrono::milliseconds drain_grace() const {
    return std::chrono::milliseconds(drain_grace_ms >= 0 ? drain_grace_ms
                                     : cluster_mode()    ? 3000
                                                         : 0);
  }
};

// Parses argv (and the environment). Returns the config, or the exit code to leave
// with (0 after --help, 2 after a usage error, with the message already printed).
std::variant<server_config, int> parse_server_config(int argc, char** argv);

// A secret from the environment: NAME's value, or the contents of the file named by
// NAME_FILE (Docker secrets), without a trailing newline. nullopt when neither is set.
// Throws std::runtime_error when NAME_FILE cannot be read.
std::optional<std::string> secret_from_env(const std::string& name);

// Reads the NATS credentials and TLS files' names into c (see above); throws like
// secret_from_env.
void load_nats_secrets(server_config& c);

// Cluster mode's NATS settings, or nullopt for the local log; errc::invalid_argument
// when --event-log is neither.
result<std::optional<cluster::nats_settings>> nats_settings_of(const server_config& c);

// --node-name, or the host name.
std::string node_name(const server_config& c);

// The effective configuration as one JSON object, secrets redacted.
std::string describe(const server_config& c);

// True for "127.x.y.z:port", "localhost:port" and "[::1]:port"; false when it is not
// HOST:PORT at all.
bool is_loopback(const std::string& host_port);

}  // namespace minitwit::server
