#include "http/admin_api.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>

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

admin_api::admin_api(storage::database& db, const storage::event_log& log,
                     const projections::read_model& reads, observability::server_metrics& metrics,
                     std::optional<std::string> token)
    : db_(db),
      log_(log),
      reads_(reads),
      metrics_(metrics),
      token_(std::move(token)),
      jobs_(1, 8, 10),
      routes_(declare_routes()) {}

admin_api::~admin_api() { jobs_.stop(); }

router<admin_api, admin_api::exchange> admin_api::declare_routes() {
  // Restricted: needs the bearer token (when one is configured). Paths are compared as
  // sent, unescaped, as operators and monitors write them.
  return router<admin_api, exchange>({{"GET", "/health/live", &admin_api::live},
                                      {"GET", "/health/ready", &admin_api::ready},
                                      {"GET", "/metrics", &admin_api::metrics, true},
                                      {"GET", "/admin/stats", &admin_api::stats, true},
                                      {"POST", "/admin/snapshot", &admin_api::snapshot, true},
                                      {"POST", "/admin/backup", &admin_api::backup, true},
                                      {"POST", "/admin/flag", &admin_api::flag, true}},
                                     {.decode_fixed = false});
}

void admin_api::handle(request req, responder done) {
  routes_.match(req);
  const auto& m = req.match;
  bool found = m.result != route_match::outcome::not_found;
  // Anything under /admin/ needs the token before it learns whether it exists.
  if (!found && !m.target.path(req.target).starts_with("/admin/"))
    return done(json_error(404, "Not found: no such resource"));
  if ((m.restricted || !found) && !has_token(req))
    return done(json_error(401, "This admin endpoint needs 'Authorization: Bearer <token>'"));
  if (!found) return done(json_error(404, "Not found: no such resource"));
  if (m.result == route_match::outcome::wrong_method) {
    auto r = json_error(405, "Method not allowed; this resource allows " + std::string(m.allow));
    r.headers.emplace_back("Allow", std::string(m.allow));
    return done(std::move(r));
  }
  exchange x{std::move(req), std::move(done)};
  routes_.serve(*this, x, x.req.match);
}

bool admin_api::has_token(const request& req) const {
  if (!token_) return true;
  auto h = req.header("authorization");
  return h.starts_with("Bearer ") && app::secrets_equal(h.substr(7), *token_);
}

void admin_api::live(exchange& x) { x.done(json_body(R"({"live":true})")); }

void admin_api::ready(exchange& x) {
  json::object o;
  auto checkpoint = reads_.checkpoint();
  auto last = log_.last_seq();
  auto* writer = writer_.load();
  bool cluster = writer && writer->cluster_mode();
  // Locally the read models are caught up when they reach the log's end; in cluster
  // mode once the node has applied the shared log as it was when it started (other
  // nodes keep appending: "behind by a few records" is the normal state).
  bool caught_up =
      cluster ? writer->caught_up() : writer && checkpoint && last && *checkpoint == *last;
  bool writing = writer && writer->running();
  bool draining = draining_.load();
  bool ok = caught_up && writing && !draining;
  o["ready"] = ok;
  o["database"] = checkpoint && last ? "open" : "unreadable";
  o["projections"] = !writer ? "catching_up" : caught_up ? "caught_up" : "behind";
  o["projection_checkpoint"] = checkpoint ? *checkpoint : 0;
  o["last_event"] = last ? *last : 0;
  o["writer"] = writing ? "running" : writer ? "stopped" : "not started";
  o["writer_queue"] = writer ? writer->queue_depth() : 0;
  o["draining"] = draining;
  if (cluster) {
    o["event_log"] = "nats";
    o["applied_seq"] = writer->applied_seq();
    o["head_at_start"] = writer->start_head();
    o["nats"] = writer->shared()->describe();
  }
  x.done(json_body(json::serialize(o), ok ? 200 : 503));
}

void admin_api::metrics(exchange& x) {
  x.done(response{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.scrape(), {}});
}

void admin_api::stats(exchange& x) {
  auto s = projections::collect_stats(db_);
  if (!s) return x.done(json_error(503, s.error().message));
  x.done(json_body(json::serialize(to_json(*s))));
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

void admin_api::run_copy(exchange& x, const char* what,
                         std::function<result<json::object>(const std::string&)> copy) {
  auto to = target_dir(x.req);
  if (!to) return x.done(json_error(400, "The body must be {\"to\": \"<directory>\"}"));
  auto job = [to = *to, done = x.done, what, copy = std::move(copy)] {
    auto made = copy(to);
    if (!made) {
      spdlog::error("{} into {} failed: {}", what, to, made.error().message);
      bool conflict = made.error().code == errc::already_exists;
      return done(json_error(conflict ? 409 : 503, made.error().message));
    }
    spdlog::info("{} into {}: {}", what, to, json::serialize(*made));
    done(json_body(json::serialize(*made)));
  };
  if (!jobs_.try_submit(std::move(job)))
    x.done(json_error(503, "Too many snapshots and backups queued; try again later"));
}

void admin_api::snapshot(exchange& x) {
  run_copy(x, "snapshot", [this](const std::string& to) -> result<json::object> {
    auto s = storage::create_snapshot(db_, to);
    if (!s) return make_error(s.error());
    return json::object{{"path", s->path}, {"last_seq", s->last_seq}};
  });
}

void admin_api::backup(exchange& x) {
  run_copy(x, "backup", [this](const std::string& to) -> result<json::object> {
    auto b = storage::create_backup(db_, to);
    if (!b) return make_error(b.error());
    return json::object{
        {"backup_id", b->id}, {"last_seq", b->last_seq}, {"bytes", b->bytes}, {"files", b->files}};
  });
}

void admin_api::flag(exchange& x) {
  auto done = std::move(x.done);
  const auto& req = x.req;
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  const json::value* id = !ec && v.is_object() ? v.as_object().if_contains("message_id") : nullptr;
  const json::value* flagged =
      !ec && v.is_object() ? v.as_object().if_contains("flagged") : nullptr;
  if (!id || !(id->is_uint64() || (id->is_int64() && id->as_int64() > 0)) || !flagged ||
      !flagged->is_bool())
    return done(
        json_error(400, "The body must be {\"message_id\": <id>, \"flagged\": true|false}"));
  app::write_request w;
  w.command = core::flag_message{id->to_number<core::message_id>(), flagged->as_bool()};
  w.done = [done](const app::write_result& r) {
    if (r.status == app::write_status::refused)
      return done(json_error(404, core::describe(*r.error)));
    if (r.status == app::write_status::unavailable) return done(json_error(503, r.detail));
    done(no_content());
  };
  auto* writer = writer_.load();
  if (!writer || !writer->submit(std::move(w)))
    done(json_error(503, "The writer is not accepting writes; try again shortly"));
}

}  // namespace minitwit::http
