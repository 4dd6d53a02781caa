#include "http/admin_api.hpp"

#include <memory>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "app/passwords.hpp"
#include "storage/backup.hpp"

namespace minitwit::http {

namespace json = boost::json;

boost::json::object to_json(const projections::database_stats& s) {
  json::object by_type;
  for (const auto& [name, n] : s.events_by_type) by_type[name] = n;
  json::object o;
  o["last_seq"] = s.last_seq;
  o["projection_checkpoint"] = s.projection_checkpoint;
  o["latest"] = s.latest ? json::value(*s.latest) : json::value(nullptr);
  o["users"] = s.users;
  o["messages"] = s.messages;
  o["follows"] = s.follows;
  o["events_by_type"] = std::move(by_type);
  o["disk_bytes"] = s.disk_bytes;
  return o;
}

admin_api::admin_api(storage::database& db, const projections::read_model& reads, observability::server_metrics& metrics,
                     std::optional<std::string> token)
    : db_(db), reads_(reads), metrics_(metrics), log_(db), token_(std::move(token)), jobs_(1, 8, 10) {}

admin_api::~admin_api() { jobs_.stop(); }

response admin_api::ready() const {
  json::object o;
  auto checkpoint = reads_.checkpoint();
  auto last = log_.last_seq();
  auto* writer = writer_.load();
  bool caught_up = writer && checkpoint && last && *checkpoint == *last;
  bool writing = writer && writer->running();
  bool ok = caught_up && writing;
  o["ready"] = ok;
  o["database"] = checkpoint && last ? "open" : "unreadable";
  o["projections"] = !writer ? "catching_up" : caught_up ? "caught_up" : "behind";
  o["projection_checkpoint"] = checkpoint ? *checkpoint : 0;
  o["last_event"] = last ? *last : 0;
  o["writer"] = writing ? "running" : writer ? "stopped" : "not started";
  o["writer_queue"] = writer ? writer->queue_depth() : 0;
  return json_body(json::serialize(o), ok ? 200 : 503);
}

namespace {

// The "to" directory of a snapshot or backup request.
std::optional<std::string> target_dir(const request& req) {
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* to = v.as_object().if_contains("to");
  if (!to || !to->is_string() || to->as_string().empty()) return std::nullopt;
  return std::string(to->as_string());
}

}  // namespace

void admin_api::handle(request req, responder done) {
  auto path = std::string_view(req.target).substr(0, req.target.find('?'));
  auto route = [&](std::string_view p, std::string_view method) {
    if (path != p) return false;
    if (req.method != method) {
      auto r = json_error(405, "Method not allowed; this resource allows " + std::string(method));
      r.headers.emplace_back("Allow", std::string(method));
      done(std::move(r));
      return false;
    }
    return true;
  };
  if (path == "/health/live" || path == "/health/ready") {
    if (!route(path, "GET")) return;
    return done(path == "/health/live" ? json_body(R"({"live":true})") : ready());
  }
  if (!path.starts_with("/admin/") && path != "/metrics") return done(json_error(404, "Not found: no such resource"));
  if (token_) {
    auto h = req.header("authorization");
    if (!h.starts_with("Bearer ") || !app::secrets_equal(h.substr(7), *token_))
      return done(json_error(401, "This admin endpoint needs 'Authorization: Bearer <token>'"));
  }
  if (path == "/metrics") {
    if (!route(path, "GET")) return;
    return done(response{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.scrape(), {}});
  }
  if (path == "/admin/stats") {
    if (!route(path, "GET")) return;
    auto s = projections::collect_stats(db_);
    if (!s) return done(json_error(503, s.error()));
    return done(json_body(json::serialize(to_json(*s))));
  }
  if (path == "/admin/snapshot") {
    if (route(path, "POST")) snapshot(req, std::move(done));
    return;
  }
  if (path == "/admin/backup") {
    if (route(path, "POST")) backup(req, std::move(done));
    return;
  }
  if (path == "/admin/flag") {
    if (route(path, "POST")) flag(req, std::move(done));
    return;
  }
  done(json_error(404, "Not found: no such resource"));
}

void admin_api::run_copy(const request& req, responder done, const char* what,
                         std::function<expected<json::object, std::string>(const std::string&)> copy) {
  auto to = target_dir(req);
  if (!to) return done(json_error(400, "The body must be {\"to\": \"<directory>\"}"));
  auto job = [to = *to, done, what, copy = std::move(copy)] {
    auto made = copy(to);
    if (!made) {
      spdlog::error("{} into {} failed: {}", what, to, made.error());
      bool conflict = made.error().find("exists already") != std::string::npos;
      return done(json_error(conflict ? 409 : 503, made.error()));
    }
    spdlog::info("{} into {}: {}", what, to, json::serialize(*made));
    done(json_body(json::serialize(*made)));
  };
  if (!jobs_.try_submit(std::move(job))) done(json_error(503, "Too many snapshots and backups queued; try again later"));
}

void admin_api::snapshot(const request& req, responder done) {
  run_copy(req, std::move(done), "snapshot", [this](const std::string& to) -> expected<json::object, std::string> {
    auto s = storage::create_snapshot(db_, to);
    if (!s) return unexpected(s.error());
    return json::object{{"path", s->path}, {"last_seq", s->last_seq}};
  });
}

void admin_api::backup(const request& req, responder done) {
  run_copy(req, std::move(done), "backup", [this](const std::string& to) -> expected<json::object, std::string> {
    auto b = storage::create_backup(db_, to);
    if (!b) return unexpected(b.error());
    return json::object{{"backup_id", b->id}, {"last_seq", b->last_seq}, {"bytes", b->bytes}, {"files", b->files}};
  });
}

void admin_api::flag(const request& req, responder done) {
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  const json::value* id = !ec && v.is_object() ? v.as_object().if_contains("message_id") : nullptr;
  const json::value* flagged = !ec && v.is_object() ? v.as_object().if_contains("flagged") : nullptr;
  if (!id || !(id->is_uint64() || (id->is_int64() && id->as_int64() > 0)) || !flagged || !flagged->is_bool())
    return done(json_error(400, "The body must be {\"message_id\": <id>, \"flagged\": true|false}"));
  app::write_request w;
  w.command = core::flag_message{id->to_number<core::message_id>(), flagged->as_bool()};
  w.done = [done](app::write_result r) {
    if (r.status == app::write_status::refused) return done(json_error(404, core::describe(*r.error)));
    if (r.status == app::write_status::unavailable) return done(json_error(503, r.detail));
    done(no_content());
  };
  auto* writer = writer_.load();
  if (!writer || !writer->submit(std::move(w))) done(json_error(503, "The writer is not accepting writes; try again shortly"));
}

}  // namespace minitwit::http
