// minitwit-admin: snapshots, backups, restore, stats, export/import, legacy migration
// and moderation, for a running server (--server, through its admin listener) or a
// stopped one (--data-dir). Exit codes: 0 done, 1 failed, 2 usage, 3 damage found,
// 4 refused (see tools/admin_commands.hpp).
#include <CLI/CLI.hpp>

#include "server/server_config.hpp"
#include "tools/admin_commands.hpp"

using namespace minitwit::tools;

int main(int argc, char** argv) {
  CLI::App app{
      "minitwit-admin: back up, restore, inspect and moderate MiniTwit-ES.\n"
      "Commands that touch the database take --server HOST:PORT (a running server's admin "
      "listener) or --data-dir DIR (a stopped server's directory); with neither they use "
      "127.0.0.1:5002 if a server answers there, else ./data.\n"
      "Exit codes: 0 done, 1 failed, 2 usage error, 3 damage found, 4 refused."};
  app.require_subcommand(1);
  std::string server, data_dir;
  auto where = [&](CLI::App* c) {
    c->add_option("--server", server, "Admin listener of a running server, HOST:PORT");
    c->add_option("--data-dir", data_dir, "Data directory of a stopped server");
  };
  int code = ok;

  std::string to;
  auto* snapshot = app.add_subcommand(
      "snapshot", "Consistent point-in-time copy (RocksDB checkpoint), taken online");
  snapshot->add_option("--to", to, "New directory for the snapshot")->required();
  where(snapshot);
  snapshot->callback([&] { code = cmd_snapshot(resolve_target(server, data_dir), to); });

  auto* backup =
      app.add_subcommand("backup", "Incremental, checksummed backups (RocksDB BackupEngine)");
  backup->add_option("--to", to, "Backup directory to add a backup to");
  where(backup);
  std::string backup_dir;
  std::optional<std::uint32_t> backup_id;
  std::uint32_t keep = 7;
  auto* list = backup->add_subcommand("list", "List the backups in a backup directory");
  list->add_option("--dir,--to", backup_dir, "Backup directory")->required();
  list->callback([&] { code = cmd_backup_list(backup_dir); });
  auto* verify =
      backup->add_subcommand("verify", "Check every file's checksum and open each backup");
  verify->add_option("--dir,--to", backup_dir, "Backup directory")->required();
  verify->add_option("--backup-id", backup_id, "Only this backup (default: all)");
  verify->callback([&] { code = cmd_backup_verify(backup_dir, backup_id); });
  auto* prune = backup->add_subcommand("prune", "Delete all but the newest N backups");
  prune->add_option("--dir,--to", backup_dir, "Backup directory")->required();
  prune->add_option("--keep", keep, "How many to keep")->required()->check(CLI::PositiveNumber);
  prune->callback([&] { code = cmd_backup_prune(backup_dir, keep); });
  backup->callback([&] {
    if (!backup->get_subcommands().empty()) return;
    if (to.empty()) throw CLI::RequiredError("backup --to (or one of: list, verify, prune)");
    code = cmd_backup_create(resolve_target(server, data_dir), to);
  });

  std::string from;
  bool force = false;
  auto* restore =
      app.add_subcommand("restore", "Restore a backup into a data directory (server stopped)");
  restore->add_option("--from", from, "Backup directory")->required();
  restore->add_option("--backup-id", backup_id, "Backup to restore (default: the newest)");
  restore->add_option("--data-dir", data_dir, "Directory to restore into")->required();
  restore->add_flag("--force", force,
                    "Replace a non-empty directory (the old one is moved aside, not deleted)");
  restore->callback([&] { code = cmd_restore(from, backup_id, data_dir, force); });

  bool as_json = false;
  auto* stats = app.add_subcommand(
      "stats", "Events by type, users, messages, follows, sequence numbers, disk use");
  stats->add_flag("--json", as_json, "Print one JSON object");
  where(stats);
  stats->callback([&] { code = cmd_stats(resolve_target(server, data_dir), as_json); });

  std::string file = "-";
  auto* exp =
      app.add_subcommand("export", "Write every event as NDJSON (schema: storage/event_json.hpp)");
  exp->add_option("--to", file, "Output file, - for stdout")->capture_default_str();
  where(exp);
  exp->callback([&] { code = cmd_export(resolve_target(server, data_dir), file); });

  auto* imp = app.add_subcommand("import", "Load an NDJSON export into an empty data directory");
  imp->add_option("FILE", file, "NDJSON file")->required();
  imp->add_option("--data-dir", data_dir, "Empty data directory")->required();
  imp->callback([&] { code = cmd_import(file, data_dir); });

  auto* legacy =
      app.add_subcommand("import-sqlite", "Migrate a legacy Flask MiniTwit SQLite database");
  legacy->add_option("FILE", file, "minitwit.db of the original application")->required();
  legacy->add_option("--data-dir", data_dir, "Empty data directory")->required();
  legacy->callback([&] { code = cmd_import_sqlite(file, data_dir); });

  std::uint64_t message_id = 0;
  for (bool flagged : {true, false}) {
    auto* f = app.add_subcommand(
        flagged ? "flag" : "unflag",
        flagged ? "Hide a message from every timeline" : "Show a flagged message again");
    f->add_option("MESSAGE_ID", message_id, "Message id")->required();
    where(f);
    f->callback(
        [&, flagged] { code = cmd_flag(resolve_target(server, data_dir), message_id, flagged); });
  }

  minitwit::server::server_config nats;
  nats.event_log = "";
  auto* publish = app.add_subcommand(
      "cluster-import",
      "Publish a stopped single-node server's event log, in order, into a cluster's empty "
      "JetStream stream (idempotent: a rerun goes on where it stopped). NATS credentials come "
      "from the environment, as for minitwit-server");
  publish->add_option("--data-dir", data_dir, "Data directory of the stopped server")->required();
  publish->add_option("--event-log", nats.event_log, "nats://HOST:PORT[,HOST:PORT...]")
      ->envname("MINITWIT_EVENT_LOG")
      ->required();
  publish->add_option("--nats-stream", nats.nats_stream, "The cluster's stream")
      ->envname("MINITWIT_NATS_STREAM")
      ->capture_default_str();
  publish
      ->add_option("--nats-replicas", nats.nats_replicas,
                   "Replicas, when the stream is created here (as the nodes would)")
      ->envname("MINITWIT_NATS_REPLICAS")
      ->capture_default_str();
  publish->add_option("--nats-timeout-ms", nats.nats_timeout_ms, "Bound on every NATS request")
      ->capture_default_str();
  publish->callback([&] {
    nats.node_name = "admin";
    minitwit::server::load_nats_secrets(nats);
    auto settings = minitwit::server::nats_settings_of(nats);
    if (!settings || !*settings) {
      std::fprintf(stderr, "minitwit-admin: %s\n",
                   settings ? "--event-log must be nats://HOST:PORT[,...]"
                            : settings.error().message.c_str());
      code = usage;
      return;
    }
    code = cmd_cluster_import(data_dir, **settings);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int r = app.exit(e);
    return r == 0 ? 0 : usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minitwit-admin: %s\n", e.what());
    return failed;
  }
  return code;
}
