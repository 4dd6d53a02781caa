#include "tools/admin_commands.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>

#include "http/admin_api.hpp"
#include "projections/bulk_rebuild.hpp"
#include "projections/stats.hpp"
#include "server/store.hpp"
#include "storage/backup.hpp"
#include "storage/event_appender.hpp"
#include "storage/event_json.hpp"
#include "storage/local_event_log.hpp"
#include "tools/legacy_import.hpp"
#include "tools/offline_database.hpp"
#include "tools/progress.hpp"

namespace minitwit::tools {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

int fail(int code, const std::string& message) {
  fmt::print(stderr, "minitwit-admin: {}\n", message);
  return code;
}

// The exit code for an error opening a database; a running server holding it is
// pointed at --server.
int open_failed(const error& e) {
  if (e.code == errc::locked) return fail(refused, e.message + ": use --server HOST:PORT");
  return fail(failed, e.message);
}

// Opens a stopped server's database, or returns the exit code after reporting why not.
tl::expected<std::unique_ptr<storage::database>, int> open_offline(const std::string& dir,
                                                                   bool read_only = false) {
  auto db = open_offline_database(dir, read_only);
  if (db) return std::move(*db);
  return tl::make_unexpected(open_failed(db.error()));
}

// A JSON reply of the admin listener, or the exit code after reporting its error.
tl::expected<json::value, int> reply_json(const admin_reply& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (r.status >= 400 || ec) {
    std::string msg = !ec && v.is_object() && v.as_object().if_contains("error_msg")
                          ? std::string(v.at("error_msg").as_string())
                          : r.body;
    return tl::make_unexpected(fail(r.status == 401 ? refused : failed,
                                    fmt::format("server answered {}: {}", r.status, msg)));
  }
  return v;
}

std::string utc(std::int64_t unix) {
  std::tm tm{};
  std::time_t t = unix;
  ::gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

admin_target resolve_target(const std::string& server, const std::string& data_dir) {
  if (!server.empty()) return {admin_client(server), {}};
  if (!data_dir.empty()) return {std::nullopt, data_dir};
  admin_client local("127.0.0.1:5002");
  if (local.reachable(std::chrono::milliseconds(300))) return {local, {}};
  return {std::nullopt, "./data"};
}

int cmd_snapshot(const admin_target& t, const std::string& to) {
  auto path = fs::absolute(to).string();
  if (t.server) {
    auto v =
        reply_json(t.server->post("/admin/snapshot", json::serialize(json::object{{"to", path}})));
    if (!v) return v.error();
    fmt::print("snapshot of event {} in {}\n", v->at("last_seq").to_number<std::uint64_t>(),
               std::string(v->at("path").as_string()));
    return ok;
  }
  auto db = open_offline(t.data_dir);
  if (!db) return db.error();
  auto s = storage::create_snapshot(**db, path);
  if (!s) return fail(failed, s.error().message);
  fmt::print("snapshot of event {} in {}\n", s->last_seq, s->path);
  return ok;
}

int cmd_backup_create(const admin_target& t, const std::string& to) {
  auto path = fs::absolute(to).string();
  if (t.server) {
    auto v =
        reply_json(t.server->post("/admin/backup", json::serialize(json::object{{"to", path}})));
    if (!v) return v.error();
    fmt::print("backup {} of event {} in {} ({} bytes)\n",
               v->at("backup_id").to_number<std::uint32_t>(),
               v->at("last_seq").to_number<std::uint64_t>(), path,
               v->at("bytes").to_number<std::uint64_t>());
    return ok;
  }
  auto db = open_offline(t.data_dir);
  if (!db) return db.error();
  auto b = storage::create_backup(**db, path);
  if (!b) return fail(failed, b.error().message);
  fmt::print("backup {} of event {} in {} ({} bytes)\n", b->id, b->last_seq, path, b->bytes);
  return ok;
}

int cmd_backup_list(const std::string& dir) {
  auto list = storage::list_backups(dir);
  if (!list) return fail(failed, list.error().message);
  fmt::print("{:>4}  {:<23}  {:>12}  {:>6}  {}\n", "id", "created", "bytes", "files",
             "events up to");
  for (auto& b : *list)
    fmt::print("{:>4}  {:<23}  {:>12}  {:>6}  {}\n", b.id, utc(b.created_unix), b.bytes, b.files,
               b.last_seq);
  if (list->empty()) fmt::print("(no backups)\n");
  return ok;
}

int cmd_backup_verify(const std::string& dir, std::optional<std::uint32_t> id) {
  auto list = storage::list_backups(dir);
  if (!list) return fail(failed, list.error().message);
  if (list->empty()) return fail(damaged, dir + " holds no backups");
  int result = ok;
  for (auto& b : *list) {
    if (id && b.id != *id) continue;
    auto v = storage::verify_backup(dir, b.id);
    if (v) {
      fmt::print("backup {}: OK, checksums match, events up to {}\n", b.id, v->last_seq);
    } else {
      fmt::print("backup {}: DAMAGED: {}\n", b.id, v.error().message);
      result = damaged;
    }
  }
  if (id && std::none_of(list->begin(), list->end(), [&](auto& b) { return b.id == *id; }))
    return fail(failed, fmt::format("no backup {} in {}", *id, dir));
  return result;
}

int cmd_backup_prune(const std::string& dir, std::uint32_t keep) {
  auto deleted = storage::prune_backups(dir, keep);
  if (!deleted) return fail(failed, deleted.error().message);
  if (deleted->empty()) fmt::print("nothing to prune: at most {} backups in {}\n", keep, dir);
  for (auto id : *deleted) fmt::print("deleted backup {}\n", id);
  return ok;
}

int cmd_restore(const std::string& from, std::optional<std::uint32_t> id,
                const std::string& data_dir, bool force) {
  if (!storage::is_empty_dir(data_dir)) {
    if (!force)
      return fail(
          refused,
          data_dir + " is not empty: restore into a new directory, or pass --force to replace it");
    // Refuse to pull a database out from under a running server.
    if (fs::exists(fs::path(data_dir) / "CURRENT")) {
      auto in_use = open_offline(data_dir);
      if (!in_use) return in_use.error();
    }
    // Nothing is lost: the old directory is kept beside the new one.
    auto aside = fmt::format("{}.replaced-{}", fs::absolute(data_dir).lexically_normal().string(),
                             std::time(nullptr));
    std::error_code ec;
    fs::rename(data_dir, aside, ec);
    if (ec) return fail(failed, "cannot move " + data_dir + " aside: " + ec.message());
    fmt::print("moved the old {} to {}\n", data_dir, aside);
  }
  auto r = storage::restore_backup(from, id, data_dir, false);
  if (!r) return fail(r.error().code == errc::not_empty ? refused : failed, r.error().message);
  fmt::print("restored backup {} (events up to {}) into {}\n", r->id, r->last_seq, data_dir);
  return ok;
}

int cmd_stats(const admin_target& t, bool as_json) {
  json::object o;
  if (t.server) {
    auto v = reply_json(t.server->get("/admin/stats"));
    if (!v) return v.error();
    o = v->as_object();
  } else {
    auto db = open_offline(t.data_dir, /*read_only=*/true);
    if (!db) return db.error();
    auto s = projections::collect_stats(**db);
    if (!s) return fail(failed, s.error().message);
    o = http::to_json(*s);
  }
  if (as_json) {
    fmt::print("{}\n", json::serialize(o));
    return ok;
  }
  auto n = [&](const char* k) { return json::serialize(o.at(k)); };
  fmt::print("events            {}\nprojection at     {}\nlatest            {}\n", n("last_seq"),
             n("projection_checkpoint"), n("latest"));
  fmt::print(
      "users             {}\nmessages          {} (visible)\nfollows           {}\ndisk            "
      "  {} bytes\n",
      n("users"), n("messages"), n("follows"), n("disk_bytes"));
  fmt::print("events by type:\n");
  for (auto& [k, v] : o.at("events_by_type").as_object())
    fmt::print("  {:<18}{}\n", std::string(k), json::serialize(v));
  return ok;
}

int cmd_export(const admin_target& t, const std::string& to) {
  // From a running server: a snapshot it takes, read here and then removed.
  std::string dir = t.data_dir, temporary;
  if (t.server) {
    temporary =
        (fs::temp_directory_path() / fmt::format("minitwit-export-{}", ::getpid())).string();
    auto v = reply_json(
        t.server->post("/admin/snapshot", json::serialize(json::object{{"to", temporary}})));
    if (!v) return v.error();
    dir = temporary;
  }
  auto cleanup = [&] {
    std::error_code ec;
    if (!temporary.empty()) fs::remove_all(temporary, ec);
  };
  auto db = open_offline(dir, /*read_only=*/true);
  if (!db) return cleanup(), db.error();
  auto log = storage::local_event_log::open(**db);
  if (!log) return cleanup(), fail(failed, log.error().message);
  auto total = (*log)->last_seq().value_or(0);
  std::ofstream file;
  if (to != "-") {
    file.open(to, std::ios::binary | std::ios::trunc);
    if (!file) return cleanup(), fail(failed, "cannot write " + to);
  }
  std::ostream& out = to == "-" ? std::cout : file;
  progress bar("export", "events");
  std::uint64_t n = 0;
  std::string unexportable;
  auto scanned = storage::scan_events(**log, 1, [&](const storage::envelope& e) {
    auto line = storage::to_ndjson(e);
    if (!line) return unexportable = line.error().message, false;
    out << *line << '\n';
    bar.update(++n, total);
    return bool(out);
  });
  out.flush();
  cleanup();
  if (!scanned) return fail(failed, scanned.error().message);
  if (!unexportable.empty()) return fail(failed, "cannot export " + unexportable);
  if (!out) return fail(failed, "writing " + to + " failed");
  bar.finish(n);
  return ok;
}

namespace {

// Opens (or creates) the target of an import, which must hold no events yet.
tl::expected<std::unique_ptr<storage::database>, int> open_import_target(
    const std::string& data_dir) {
  auto db = storage::database::open(data_dir);
  if (!db)
    return tl::make_unexpected(
        fail(db.error().code == errc::locked ? refused : failed, db.error().message));
  auto last = storage::read_last_seq(**db);
  if (!last) return tl::make_unexpected(fail(failed, last.error().message));
  if (*last != 0)
    return tl::make_unexpected(fail(
        refused, fmt::format("{} already holds {} events: import only into an empty data directory",
                             data_dir, *last)));
  return std::move(*db);
}

}  // namespace

int cmd_import(const std::string& file, const std::string& data_dir) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(failed, "cannot read " + file);
  auto db = open_import_target(data_dir);
  if (!db) return db.error();
  auto appender = storage::event_appender::open(**db);
  if (!appender) return fail(failed, appender.error().message);
  progress bar("import", "events");
  std::string line;
  std::uint64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto e = storage::from_ndjson(line);
    if (!e) return fail(failed, fmt::format("{} line {}: {}", file, line_no, e.error().message));
    if (auto r = appender->append(std::move(*e)); !r)
      return fail(failed, fmt::format("{} line {}: {}", file, line_no, r.error().message));
    bar.update(line_no, 0);
  }
  auto n = appender->finish();
  if (!n) return fail(failed, n.error().message);
  bar.finish(*n);
  progress build("read models", "events");
  projections::bulk_options bo;
  bo.progress = [&](std::uint64_t d, std::uint64_t t) { build.update(d, t); };
  auto log = storage::local_event_log::open(**db);
  if (!log) return fail(failed, log.error().message);
  auto r = projections::full_rebuild(**db, **log, bo);
  if (!r) return fail(failed, "the imported events do not replay: " + r.error().message);
  build.finish(r->events);
  fmt::print("imported {} events into {}\n", *n, data_dir);
  return ok;
}

int cmd_import_sqlite(const std::string& file, const std::string& data_dir) {
  auto db = open_import_target(data_dir);
  if (!db) return db.error();
  progress bar("migrate", "messages");
  auto r =
      import_legacy_sqlite(file, **db, [&](std::uint64_t d, std::uint64_t t) { bar.update(d, t); });
  if (!r) return fail(failed, r.error().message);
  bar.finish(r->messages);
  fmt::print("migrated {} users, {} messages ({} flagged), {} follows: {} events in {}\n", r->users,
             r->messages, r->flagged, r->follows, r->events, data_dir);
  for (auto& [what, n] : r->repaired) fmt::print("repaired: {} x {}\n", n, what);
  for (auto& [why, n] : r->skipped) fmt::print("skipped:  {} x {}\n", n, why);
  for (auto& e : r->examples) fmt::print("  {}\n", e);
  return ok;
}

int cmd_flag(const admin_target& t, std::uint64_t message_id, bool flagged) {
  const char* done_text = flagged ? "flagged" : "unflagged";
  if (t.server) {
    auto r = t.server->post("/admin/flag", json::serialize(json::object{{"message_id", message_id},
                                                                        {"flagged", flagged}}));
    if (r.status == 204) return fmt::print("message {} {}\n", message_id, done_text), ok;
    auto v = reply_json(r);
    return v ? fail(failed, "unexpected answer " + std::to_string(r.status)) : v.error();
  }
  server::store_options o;
  o.database = offline_options(false);
  auto store = server::store::open(t.data_dir, o);
  if (!store) return open_failed(store.error());
  if (auto started = (*store)->start(); !started) return fail(failed, started.error().message);
  std::promise<app::write_result> p;
  (void)(*store)->writer().submit({core::flag_message{message_id, flagged}, std::nullopt,
                                   [&](app::write_result r) { p.set_value(std::move(r)); }});
  auto r = p.get_future().get();
  if (auto closed = (*store)->close(); !closed) return fail(failed, closed.error().message);
  if (r.status == app::write_status::refused)
    return fail(failed, fmt::format("no message {}", message_id));
  if (r.status != app::write_status::applied) return fail(failed, r.detail);
  fmt::print("message {} {}\n", message_id, done_text);
  return ok;
}

}  // namespace minitwit::tools
