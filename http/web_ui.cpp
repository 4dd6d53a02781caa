#include "http/web_ui.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <map>
#include <memory>

#include "app/passwords.hpp"
#include "core/input_rules.hpp"
#include "http/target.hpp"

namespace minitwit::http {

struct web_ui::exchange {
  request req;
  responder done;
  web_session session;
  std::optional<projections::user_row> user;  // logged in as
  page_frame frame() const {
    page_frame f;
    if (user) f.username = user->username;
    f.flashes = session.flashes;
    return f;
  }
};

namespace {

constexpr std::string_view busy_text = "The service is busy, please try again in a moment.";

void add_security_headers(response& r) {
  r.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'self'; img-src 'self' https://www.gravatar.com; "
      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Cache-Control", "no-store");
}

std::string user_path(const std::string& username) { return "/" + percent_encode(username); }

std::optional<core::message_id> parse_cursor(const request& r) {
  auto v = r.query_param("before");
  if (!v) return std::nullopt;
  core::message_id id = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
  if (ec != std::errc() || end != v->data() + v->size() || id == 0) return std::nullopt;
  return id;
}

}  // namespace

bool is_cross_site(const request& r) {
  if (r.header("sec-fetch-site") == "cross-site") return true;
  auto origin = r.header("origin");
  if (origin.empty()) return false;
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return true;  // "null" or garbage
  return origin.substr(scheme_end + 3) != r.header("host");
}

web_ui::web_ui(const projections::read_model& reads, app::writer& writer, app::worker_pool& workers,
               session_codec sessions, std::function<std::int64_t()> now_seconds)
    : reads_(reads),
      writer_(writer),
      workers_(workers),
      sessions_(sessions),
      now_(std::move(now_seconds)),
      routes_(declare_routes()) {
  if (!now_) {
    now_ = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

response web_ui::page(exchange& x, unsigned status, std::string html) {
  response r{status, "text/html; charset=utf-8", std::move(html), {}};
  add_security_headers(r);
  if (!x.session.flashes.empty()) {
    // The flashes were shown: forget them.
    x.session.flashes.clear();
    auto value = x.session.user ? sessions_.encode(x.session, now_()) : std::string();
    r.headers.emplace_back("Set-Cookie",
                           std::string(session_cookie_name) + "=" + value +
                               "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
                               std::to_string(x.session.user ? sessions_.lifetime().count() : 0));
  }
  return r;
}

response web_ui::redirect(exchange& x, const std::string& location) {
  response r{302,
             "text/html; charset=utf-8",
             "<a href=\"" + html_escape(location) + "\">Redirecting</a>",
             {}};
  add_security_headers(r);
  r.headers.emplace_back("Location", location);
  r.headers.emplace_back("Set-Cookie", std::string(session_cookie_name) + "=" +
                                           sessions_.encode(x.session, now_()) +
                                           "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
                                           std::to_string(sessions_.lifetime().count()));
  return r;
}

response web_ui::error_page(exchange& x, unsigned status, std::string_view title,
                            std::string_view text) {
  return page(x, status, pages_.error(x.frame(), title, text));
}

router<web_ui, web_ui::exchange> web_ui::declare_routes() {
  // Restricted: a GET that changes state, refused from other sites like every POST.
  return router<web_ui, exchange>(
      {{"GET HEAD", "/", &web_ui::my_timeline},
       {"GET HEAD", "/public", &web_ui::public_timeline},
       {"GET HEAD POST", "/login", &web_ui::login},
       {"GET HEAD POST", "/register", &web_ui::sign_up},
       {"GET HEAD", "/logout", &web_ui::logout},
       {"POST", "/add_message", &web_ui::add_message},
       {"GET HEAD", "/static/:file", &web_ui::stylesheet, false, "/static"},
       {"GET HEAD", "/:user", &web_ui::user_timeline},
       {"GET HEAD", "/:user/follow", &web_ui::follow, true},
       {"GET HEAD", "/:user/unfollow", &web_ui::unfollow, true}});
}

void web_ui::handle(request req, responder done) {
  routes_.match(req);
  auto x = std::make_shared<exchange>();
  x->done = std::move(done);
  x->req = std::move(req);
  if (auto cookie = cookie_value(x->req.header("cookie"), session_cookie_name)) {
    x->session = sessions_.decode(*cookie, now_());
  }
  if (x->session.user) {
    auto u = reads_.user_by_id(x->session.user);
    if (u && *u)
      x->user = std::move(**u);
    else
      x->session.user = 0;  // unknown user (e.g. a restored older database): logged out
  }
  const auto& m = x->req.match;
  if (!m.target.ok())
    return x->done(error_page(*x, 400, "Bad Request", "The address is not valid."));
  bool state_changing = x->req.method == "POST" || m.restricted;
  if (state_changing && is_cross_site(x->req))
    return x->done(
        error_page(*x, 403, "Forbidden", "Cross-site requests cannot change anything here."));
  if (m.result == route_match::outcome::wrong_method)
    return x->done(
        error_page(*x, 405, "Method Not Allowed", "This page does not accept that method."));
  if (m.result == route_match::outcome::not_found)
    return x->done(error_page(*x, 404, "Not Found", "There is no such page."));
  routes_.serve(*this, *x, m);
}

std::vector<message_view> web_ui::with_authors(const std::vector<projections::message_row>& rows) {
  std::map<core::user_id, std::string> emails;  // at most one lookup per author on the page
  std::vector<message_view> out;
  out.reserve(rows.size());
  for (const auto& m : rows) {
    auto it = emails.find(m.author);
    if (it == emails.end()) {
      auto u = reads_.user_by_id(m.author);
      it = emails.emplace(m.author, u && *u ? (*u)->email : std::string()).first;
    }
    out.push_back({m.author_name, it->second, m.text, m.pub_date});
  }
  return out;
}

void web_ui::my_timeline(exchange& x) { timeline(x, nullptr); }

void web_ui::user_timeline(exchange& x) { timeline(x, &x.req.match.params[0]); }

void web_ui::public_timeline(exchange& x) {
  auto cursor = parse_cursor(x.req);
  auto p = reads_.public_timeline(messages_per_page, cursor);
  if (!p) return x.done(error_page(x, 503, "Service Unavailable", busy_text));
  timeline_view v{"Public Timeline", follow_status::none, {}, false, with_authors(p->messages), {}};
  if (p->older) v.older_url = "/public?before=" + std::to_string(*p->older);
  x.done(page(x, 200, pages_.timeline(x.frame(), v)));
}

void web_ui::timeline(exchange& x, const std::string* profile) {
  auto cursor = parse_cursor(x.req);
  timeline_view v;
  projections::query_result<projections::message_page> p;
  std::string base;
  if (!profile) {
    if (!x.user) return x.done(redirect(x, "/public"));
    v.title = "My Timeline";
    v.twitbox = true;
    p = reads_.home_timeline(x.user->id, messages_per_page, cursor);
    base = "/";
  } else {
    auto owner = reads_.user_by_name(*profile);
    if (!owner) return x.done(error_page(x, 503, "Service Unavailable", busy_text));
    if (!*owner) return x.done(error_page(x, 404, "Not Found", "There is no user with that name."));
    v.title = (*owner)->username + "'s Timeline";
    v.profile_user = (*owner)->username;
    if (x.user) {
      if (x.user->id == (*owner)->id) {
        v.status = follow_status::is_you;
      } else {
        auto following = reads_.is_following(x.user->id, (*owner)->id);
        v.status =
            following && *following ? follow_status::following : follow_status::not_following;
      }
    }
    p = reads_.user_timeline((*owner)->id, messages_per_page, cursor);
    base = user_path((*owner)->username);
  }
  if (!p) return x.done(error_page(x, 503, "Service Unavailable", busy_text));
  v.messages = with_authors(p->messages);
  if (p->older) v.older_url = base + "?before=" + std::to_string(*p->older);
  x.done(page(x, 200, pages_.timeline(x.frame(), v)));
}

void web_ui::follow(exchange& x) { change_follow(x, true); }

void web_ui::unfollow(exchange& x) { change_follow(x, false); }

void web_ui::change_follow(exchange& x, bool follow) {
  auto profile = x.req.match.params[0];  // a copy: x moves below
  if (!x.user) return x.done(error_page(x, 401, "Unauthorized", "Please sign in first."));
  auto owner = reads_.user_by_name(profile);
  if (!owner) return x.done(error_page(x, 503, "Service Unavailable", busy_text));
  if (!*owner) return x.done(error_page(x, 404, "Not Found", "There is no user with that name."));
  core::command cmd = follow ? core::command(core::follow_user{x.user->username, profile})
                             : core::command(core::unfollow_user{x.user->username, profile});
  auto self = std::make_shared<exchange>(std::move(x));
  app::write_request w;
  w.command = std::move(cmd);
  w.done = [this, self, follow, profile](const app::write_result& r) {
    if (r.status == app::write_status::unavailable)
      return self->done(error_page(*self, 503, "Service Unavailable", busy_text));
    if (r.status == app::write_status::refused)
      return self->done(error_page(*self, 404, "Not Found", "There is no user with that name."));
    self->session.flashes.push_back(
        (follow ? "You are now following \"" : "You are no longer following \"") + profile + "\"");
    self->done(redirect(*self, user_path(profile)));
  };
  if (!writer_.submit(std::move(w)))
    self->done(error_page(*self, 503, "Service Unavailable", busy_text));
}

void web_ui::add_message(exchange& x) {
  if (!x.user) return x.done(error_page(x, 401, "Unauthorized", "Please sign in first."));
  auto form = form_fields::parse(x.req.body);
  auto text = form ? form->get("text") : std::nullopt;
  if (!text || text->empty()) return x.done(redirect(x, "/"));
  if (auto problem = core::check_message_text(*text)) {
    x.session.flashes.emplace_back(*problem);
    return x.done(redirect(x, "/"));
  }
  auto self = std::make_shared<exchange>(std::move(x));
  app::write_request w;
  w.command = core::post_message{self->user->username, std::move(*text)};
  w.done = [this, self](const app::write_result& r) {
    if (r.status != app::write_status::applied)
      return self->done(error_page(*self, 503, "Service Unavailable", busy_text));
    self->session.flashes.emplace_back("Your message was recorded");
    self->done(redirect(*self, "/"));
  };
  if (!writer_.submit(std::move(w)))
    self->done(error_page(*self, 503, "Service Unavailable", busy_text));
}

void web_ui::login(exchange& x) {
  if (x.user) return x.done(redirect(x, "/"));
  if (x.req.method != "POST") return x.done(page(x, 200, pages_.login(x.frame(), {}, {})));
  auto form = form_fields::parse(x.req.body).value_or(form_fields{});
  std::string username = form.get("username").value_or("");
  std::string password = form.get("password").value_or("");
  auto user = reads_.user_by_name(username);
  if (!user) return x.done(error_page(x, 503, "Service Unavailable", busy_text));
  if (!*user) return x.done(page(x, 200, pages_.login(x.frame(), "Invalid username", username)));
  auto self = std::make_shared<exchange>(std::move(x));
  auto job = [this, self, row = std::move(**user), username, password]() mutable {
    auto check = app::check_password(row.password_hash, password);
    auto upgraded = check == app::password_check::match_needs_upgrade ? app::hash_password(password)
                                                                      : std::nullopt;
    sodium_memzero(password.data(), password.size());
    if (check == app::password_check::mismatch)
      return self->done(
          page(*self, 200, pages_.login(self->frame(), "Invalid password", username)));
    self->session.user = row.id;
    self->session.flashes.emplace_back("You were logged in");
    if (!upgraded) return self->done(redirect(*self, "/"));
    // A legacy (Werkzeug) or weaker hash: record an Argon2id one. The login succeeds
    // either way; a failed upgrade is simply tried again at the next login.
    app::write_request w;
    w.command = core::rehash_password{row.username, std::move(*upgraded)};
    w.done = [this, self](const app::write_result& r) {
      if (r.status != app::write_status::applied)
        spdlog::warn("password upgrade for user {} failed; retried at the next login",
                     self->session.user);
      self->done(redirect(*self, "/"));
    };
    if (!writer_.submit(std::move(w))) self->done(redirect(*self, "/"));
  };
  if (!workers_.try_submit(std::move(job)))
    self->done(error_page(*self, 503, "Service Unavailable", busy_text));
}

void web_ui::sign_up(exchange& x) {
  if (x.user) return x.done(redirect(x, "/"));
  if (x.req.method != "POST") return x.done(page(x, 200, pages_.sign_up(x.frame(), {}, {}, {})));
  auto form = form_fields::parse(x.req.body).value_or(form_fields{});
  std::string username = form.get("username").value_or("");
  std::string email = form.get("email").value_or("");
  std::string password = form.get("password").value_or("");
  std::string password2 = form.get("password2").value_or("");
  auto fail = [&](std::string_view error) {
    x.done(page(x, 200, pages_.sign_up(x.frame(), error, username, email)));
  };
  if (auto problem = core::check_registration(username, email, password)) return fail(*problem);
  if (password != password2) return fail("The two passwords do not match");
  auto existing = reads_.user_by_name(username);
  if (!existing) return x.done(error_page(x, 503, "Service Unavailable", busy_text));
  if (*existing) return fail(core::describe(core::domain_error::username_taken));

  auto self = std::make_shared<exchange>(std::move(x));
  auto job = [this, self, username, email, password]() mutable {
    auto hash = app::hash_password(password);
    sodium_memzero(password.data(), password.size());
    if (!hash) return self->done(error_page(*self, 503, "Service Unavailable", busy_text));
    app::write_request w;
    w.command = core::register_user{username, email, std::move(*hash)};
    w.done = [this, self, username, email](const app::write_result& r) {
      if (r.status == app::write_status::refused)
        return self->done(page(
            *self, 200, pages_.sign_up(self->frame(), core::describe(*r.error), username, email)));
      if (r.status == app::write_status::unavailable)
        return self->done(error_page(*self, 503, "Service Unavailable", busy_text));
      self->session.flashes.emplace_back("You were successfully registered and can login now");
      self->done(redirect(*self, "/login"));
    };
    if (!writer_.submit(std::move(w)))
      self->done(error_page(*self, 503, "Service Unavailable", busy_text));
  };
  if (!workers_.try_submit(std::move(job)))
    self->done(error_page(*self, 503, "Service Unavailable", busy_text));
}

void web_ui::logout(exchange& x) {
  x.session.user = 0;
  x.user.reset();
  x.session.flashes.emplace_back("You were logged out");
  x.done(redirect(x, "/public"));
}

void web_ui::stylesheet(exchange& x) {
  if ("/static/" + x.req.match.params[0] != pages_.stylesheet_path())
    return x.done(error_page(x, 404, "Not Found", "There is no such page."));
  response r{200, "text/css; charset=utf-8", std::string(pages_.stylesheet()), {}};
  r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  x.done(std::move(r));
}

}  // namespace minitwit::http
