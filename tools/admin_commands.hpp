// The commands of minitwit-admin. Each returns the process exit code:
//   0 done; 1 failed; 2 usage error; 3 verification found damage;
//   4 refused (target not empty, database in use by a running server, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cluster/jetstream_log.hpp"
#include "tools/admin_client.hpp"

namespace minitwit::tools {

enum exit_code : int { ok = 0, failed = 1, usage = 2, damaged = 3, refused = 4 };

// Where a command works: a running server's admin listener, or a data directory.
struct admin_target {
  std::optional<admin_client> server;
  std::string data_dir;
};

// --server wins, then --data-dir; with neither, the default admin address when
// something listens there, else ./data.
admin_target resolve_target(const std::string& server, const std::string& data_dir);

int cmd_snapshot(const admin_target& t, const std::string& to);
int cmd_backup_create(const admin_target& t, const std::string& to);
int cmd_backup_list(const std::string& dir);
int cmd_backup_verify(const std::string& dir, std::optional<std::uint32_t> id);
int cmd_backup_prune(const std::string& dir, std::uint32_t keep);
int cmd_restore(const std::string& from, std::optional<std::uint32_t> id,
                const std::string& data_dir, bool force);
int cmd_stats(const admin_target& t, bool json);
int cmd_export(const admin_target& t, const std::string& to);
int cmd_import(const std::string& file, const std::string& data_dir);
int cmd_import_sqlite(const std::string& file, const std::string& data_dir);
int cmd_flag(const admin_target& t, std::uint64_t message_id, bool flagged);
// Publishes a stopped single-node server's event log into a cluster's stream
// (tools/cluster_import.cpp).
int cmd_cluster_import(const std::string& data_dir, const cluster::nats_settings& nats);

}  // namespace minitwit::tools
