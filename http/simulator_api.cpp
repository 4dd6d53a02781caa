#include "http/simulator_api.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <optional>

#include "app/passwords.hpp"
#include "core/input_rules.hpp"
#include "observability/json_text.hpp"

namespace minitwit::http {

namespace json = boost::json;

struct simulator_api::context {
  request req;
  responder done;
  std::optional<std::int64_t> latest;
  const std::string& user() const { return req.match.params[0]; }
};

namespace {

constexpr std::string_view forbidden_text = "You are not authorized to use this resource!";

response not_found(std::string_view what) { return json_error(404, what); }

response method_not_allowed(std::string_view allow) {
  auto r = json_error(405, "Method not allowed; this resource allows " + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

response storage_failure(const error& e) {
  spdlog::error("read failed: {}", e.message);
  auto r = json_error(503, "The service cannot read its data right now, try again shortly");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// Parses a JSON object body; nullopt when it is not one.
std::optional<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// A string field: absent -> "" (the contract treats missing like empty); present but
// not a string -> nullopt.
std::optional<std::string> string_field(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return std::string{};
  if (!it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

response bad_request(std::string_view text) { return json_error(400, text); }

// The list written directly (it is the hottest read): no JSON value per message.
std::string messages_json(const std::vector<projections::message_row>& rows) {
  std::string out = "[";
  out.reserve(64 + rows.size() * 200);
  for (const auto& m : rows) {
    if (out.size() > 1) out += ',';
    out += "{\"content\":";
    observability::append_json_string(out, m.text);
    out += ",\"pub_date\":";
    out += std::to_string(m.pub_date);
    out += ",\"user\":";
    observability::append_json_string(out, m.author_name);
    out += '}';
  }
  out += ']';
  return out;
}

response domain_response(core::domain_error e) {
  switch (e) {
    case core::domain_error::username_taken:
      return bad_request(core::describe(e));
    case core::domain_error::unknown_user:
    case core::domain_error::unknown_followee:
    case core::domain_error::unknown_message:
      return not_found(core::describe(e));
  }
  return bad_request(core::describe(e));
}

}  // namespace

response unavailable(std::string_view why) {
  auto r = json_error(503, why);
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

simulator_api::simulator_api(const projections::read_model& reads, app::writer& writer,
                             app::worker_pool& hashers, simulator_api_options options)
    : reads_(reads),
      writer_(writer),
      hashers_(hashers),
      options_(std::move(options)),
      credentials_(options_.username + ":" + options_.password),
      routes_(declare_routes(options_.metrics != nullptr)) {}

router<simulator_api, simulator_api::context> simulator_api::declare_routes(bool with_metrics) {
  // Restricted: needs the simulator's credentials. "/msgs/" names no user: not found.
  router<simulator_api, context> r({{"GET", "/latest", &simulator_api::get_latest},
                                    {"POST", "/register", &simulator_api::post_register},
                                    {"GET", "/msgs", &simulator_api::get_public_messages, true},
                                    {"GET", "/msgs/:user", &simulator_api::get_user_messages, true},
                                    {"POST", "/msgs/:user", &simulator_api::post_message, true},
                                    {"GET", "/fllws/:user", &simulator_api::get_follows, true},
                                    {"POST", "/fllws/:user", &simulator_api::post_follow, true}},
                                   {.empty_params = false});
  if (with_metrics) r.add({"GET", "/metrics", &simulator_api::get_metrics});
  return r;
}

bool simulator_api::authorized(const request& req) const {
  auto h = req.header("authorization");
  constexpr std::string_view scheme = "basic ";
  if (h.size() <= scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(h[i])) != scheme[i]) return false;
  auto b64 = h.substr(scheme.size());
  while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
  std::string decoded(b64.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        b64.data(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return false;
  decoded.resize(len);
  return app::secrets_equal(decoded, credentials_);
}

void simulator_api::handle(request req, responder done) {
  routes_.match(req);
  const auto& m = req.match;
  // The target, then route and method (404/405 need no credentials), then credentials,
  // then `latest`.
  if (!m.target.ok()) return done(bad_request("The request target is not valid percent-encoding"));
  if (m.result == route_match::outcome::not_found)
    return done(not_found("Not found: no such resource"));
  if (m.result == route_match::outcome::wrong_method) return done(method_not_allowed(m.allow));
  if (m.restricted && !authorized(req)) return done(json_error(403, forbidden_text));
  auto c = std::make_shared<context>();
  c->latest = parse_latest(req.query_param("latest"));
  c->req = std::move(req);
  c->done = std::move(done);
  routes_.serve(*this, *c, c->req.match);
}

void simulator_api::finish(context& c, response r) {
  if (!c.latest) {
    c.done(std::move(r));
    return;
  }
  auto done = std::move(c.done);
  auto shared_done = std::make_shared<responder>(std::move(done));
  auto shared_r = std::make_shared<response>(std::move(r));
  app::write_request w;
  w.latest = c.latest;
  w.done = [shared_done, shared_r](const app::write_result& result) {
    if (result.status == app::write_status::unavailable)
      (*shared_done)(unavailable("The service cannot store data right now, try again shortly"));
    else
      (*shared_done)(std::move(*shared_r));
  };
  if (!writer_.submit(std::move(w)))
    (*shared_done)(unavailable("The service is overloaded, try again shortly"));
}

void simulator_api::submit(context& c, core::command cmd) {
  auto shared_done = std::make_shared<responder>(std::move(c.done));
  app::write_request w;
  w.command = std::move(cmd);
  w.latest = c.latest;
  w.done = [shared_done](const app::write_result& result) {
    switch (result.status) {
      case app::write_status::applied:
        return (*shared_done)(no_content());
      case app::write_status::refused:
        return (*shared_done)(domain_response(*result.error));
      case app::write_status::unavailable:
        return (*shared_done)(
            unavailable("The service cannot store data right now, try again shortly"));
    }
  };
  if (!writer_.submit(std::move(w)))
    (*shared_done)(unavailable("The service is overloaded, try again shortly"));
}

void simulator_api::get_latest(context& c) {
  // The writer's copy of the stored value (no read); GET /latest reports, it does not
  // store its own `latest` parameter.
  c.done(json_body("{\"latest\":" + std::to_string(writer_.current_latest()) + "}"));
}

void simulator_api::post_register(context& c) {
  auto body = parse_object(c.req.body);
  if (!body) return finish(c, bad_request("The request body must be a JSON object"));
  auto username = string_field(*body, "username");
  if (!username) return finish(c, bad_request("The field 'username' must be a string"));
  auto email = string_field(*body, "email");
  if (!email) return finish(c, bad_request("The field 'email' must be a string"));
  auto pwd = string_field(*body, "pwd");
  if (!pwd) return finish(c, bad_request("The field 'pwd' must be a string"));
  if (auto problem = core::check_registration(*username, *email, *pwd))
    return finish(c, bad_request(*problem));

  // A taken name is refused before paying for a hash; the writer checks again.
  auto existing = reads_.user_by_name(*username);
  if (!existing) return finish(c, storage_failure(existing.error()));
  if (*existing) return finish(c, domain_response(core::domain_error::username_taken));

  auto self = std::make_shared<context>(std::move(c));
  auto job = [this, self, username = std::move(*username), email = std::move(*email),
              pwd = std::move(*pwd)]() mutable {
    auto hash = app::hash_password(pwd);
    sodium_memzero(pwd.data(), pwd.size());
    if (!hash) return self->done(unavailable("The service is out of memory, try again shortly"));
    submit(*self, core::register_user{std::move(username), std::move(email), std::move(*hash)});
  };
  if (!hashers_.try_submit(std::move(job)))
    self->done(unavailable("Too many registrations at once, try again shortly"));
}

void simulator_api::get_public_messages(context& c) { send_messages(c, nullptr); }

void simulator_api::get_user_messages(context& c) { send_messages(c, &c.user()); }

void simulator_api::send_messages(context& c, const std::string* username) {
  auto no = parse_count(c.req.query_param("no"), options_.default_no, options_.max_no);
  projections::query_result<projections::message_page> page;
  if (username) {
    auto user = reads_.user_by_name(*username);
    if (!user) return finish(c, storage_failure(user.error()));
    if (!*user) return finish(c, not_found(core::describe(core::domain_error::unknown_user)));
    page = reads_.user_timeline((*user)->id, no);
  } else {
    page = reads_.public_timeline(no);
  }
  if (!page) return finish(c, storage_failure(page.error()));
  finish(c, json_body(messages_json(page->messages)));
}

void simulator_api::post_message(context& c) {
  const auto& username = c.user();
  auto body = parse_object(c.req.body);
  std::optional<std::string> content;
  std::string_view problem = "The request body must be a JSON object";
  if (body) {
    auto it = body->find("content");
    problem = "The field 'content' must be a string";
    if (it != body->end() && it->value().is_string())
      content = std::string(it->value().as_string());
  }
  if (content) {
    if (auto bad = core::check_message_text(*content)) problem = *bad, content.reset();
  }
  if (!content) {
    // An unknown user is a 404 whatever the body says, as in the reference.
    auto user = reads_.user_by_name(username);
    if (user && !*user)
      return finish(c, not_found(core::describe(core::domain_error::unknown_user)));
    return finish(c, bad_request(problem));
  }
  submit(c, core::post_message{username, std::move(*content)});
}

void simulator_api::get_follows(context& c) {
  const auto& username = c.user();
  auto no = parse_count(c.req.query_param("no"), options_.default_no, options_.max_no);
  auto user = reads_.user_by_name(username);
  if (!user) return finish(c, storage_failure(user.error()));
  if (!*user) return finish(c, not_found(core::describe(core::domain_error::unknown_user)));
  auto names = reads_.follows((*user)->id, no);
  if (!names) return finish(c, storage_failure(names.error()));
  json::array a;
  a.reserve(names->size());
  for (auto& n : *names) a.emplace_back(json::string(n));
  json::object o;
  o["follows"] = std::move(a);
  finish(c, json_body(json::serialize(o)));
}

void simulator_api::post_follow(context& c) {
  const auto& username = c.user();
  auto body = parse_object(c.req.body);
  std::optional<core::command> cmd;
  if (body) {
    // "follow" wins when both are present, as in the reference.
    if (auto f = body->find("follow"); f != body->end() && f->value().is_string())
      cmd = core::follow_user{username, std::string(f->value().as_string())};
    else if (auto u = body->find("unfollow"); u != body->end() && u->value().is_string())
      cmd = core::unfollow_user{username, std::string(u->value().as_string())};
  }
  if (!cmd) {
    auto user = reads_.user_by_name(username);
    if (user && !*user)
      return finish(c, not_found(core::describe(core::domain_error::unknown_user)));
    return finish(c, bad_request(body ? "The body needs a string field 'follow' or 'unfollow'"
                                      : "The request body must be a JSON object"));
  }
  submit(c, std::move(*cmd));
}

void simulator_api::get_metrics(context& c) {
  c.done(response{200, "text/plain; version=0.0.4; charset=utf-8", options_.metrics->scrape(), {}});
}

}  // namespace minitwit::http
