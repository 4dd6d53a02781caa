// The web UI in process, on a real store: a browser-like client that keeps the session
// cookie, no socket.
#include "http/web_ui.hpp"

#include <doctest/doctest.h>

#include "app/passwords.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/store_fixture.hpp"
#include "tests/support/web_client.hpp"

using namespace minitwit;
using namespace minitwit::http;

namespace {

using headers = std::vector<std::pair<std::string, std::string>>;

std::string header(const response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

bool has(const response& r, std::string_view text) {
  return r.body.find(text) != std::string::npos;
}

struct web_fixture {
  web_fixture() { REQUIRE(app::init_crypto()); }
  test::store_fixture store;
  app::worker_pool workers{2, 64};
  std::int64_t now = 1'700'000'000;
  web_ui ui{*store.reads, *store.writer, workers,
            session_codec(session_key{}, std::chrono::hours(1)), [this] { return now; }};
  std::string cookie;  // the session cookie's value, as a browser keeps it

  // One request (redirects are not followed); header names in lower case.
  response send(std::string method, std::string target, std::string body = {}, headers extra = {}) {
    request req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::move(body);
    req.client = "127.0.0.1";
    req.headers = std::move(extra);
    req.headers.emplace_back("host", "minitwit.test");
    if (!cookie.empty()) req.headers.emplace_back("cookie", "session=" + cookie);
    auto r = test::call_handler(ui, std::move(req));
    if (auto set = header(r, "Set-Cookie"); set.starts_with("session=")) {
      auto value = set.substr(8, set.find(';') - 8);
      cookie = set.find("Max-Age=0") != std::string::npos ? std::string() : value;
    }
    return r;
  }
  response post(std::string target, const headers& fields, headers extra = {}) {
    extra.emplace_back("content-type", "application/x-www-form-urlencoded");
    return send("POST", std::move(target), test::form_encode(fields), std::move(extra));
  }
  void sign_up_and_in(const std::string& name) {
    REQUIRE(post("/register", {{"username", name},
                               {"email", name + "@x.org"},
                               {"password", "pw"},
                               {"password2", "pw"}})
                .status == 302);
    REQUIRE(header(post("/login", {{"username", name}, {"password", "pw"}}), "Location") == "/");
  }
};

}  // namespace

TEST_CASE(
    "sign up, sign in, post: the message is in my timeline, the public one and the read models") {
  web_fixture f;
  auto signed_up = f.post("/register", {{"username", "Roger Histand"},
                                        {"email", "r@x.org"},
                                        {"password", "pw"},
                                        {"password2", "pw"}});
  CHECK(signed_up.status == 302);
  CHECK(header(signed_up, "Location") == "/login");
  auto login_page = f.send("GET", "/login");
  CHECK(login_page.status == 200);
  CHECK(has(login_page, "You were successfully registered and can login now"));
  CHECK_FALSE(has(f.send("GET", "/login"), "successfully registered"));  // a flash is shown once

  CHECK(header(f.post("/login", {{"username", "Roger Histand"}, {"password", "wrong"}}), "Location")
            .empty());
  auto logged_in = f.post("/login", {{"username", "Roger Histand"}, {"password", "pw"}});
  CHECK(logged_in.status == 302);
  CHECK(header(logged_in, "Location") == "/");
  CHECK(header(f.post("/add_message", {{"text", "Blåbærgrød & <b>"}}), "Location") == "/");
  auto mine = f.send("GET", "/");
  CHECK(mine.status == 200);
  CHECK(has(mine, "My Timeline"));
  CHECK(has(mine, "Your message was recorded"));
  CHECK(has(mine, "Blåbærgrød &amp; &lt;b&gt;"));
  CHECK(has(f.send("GET", "/public"), "Blåbærgrød"));
  CHECK(has(f.send("GET", "/Roger%20Histand"), "Roger Histand&#39;s Timeline"));
  auto page = f.store.reads->public_timeline(10);
  REQUIRE(page);
  REQUIRE(page->messages.size() == 1);
  CHECK(page->messages[0].text == "Blåbærgrød & <b>");
  CHECK(page->messages[0].author_name == "Roger Histand");
}

TEST_CASE("follow and unfollow links change the read models and flash") {
  web_fixture f;
  f.sign_up_and_in("bob");
  f.cookie.clear();
  f.sign_up_and_in("alice");
  auto followed = f.send("GET", "/bob/follow");
  CHECK(followed.status == 302);
  CHECK(header(followed, "Location") == "/bob");
  CHECK(has(f.send("GET", "/bob"), "You are now following &#34;bob&#34;"));
  auto alice = (*f.store.reads->user_by_name("alice"))->id;
  auto bob = (*f.store.reads->user_by_name("bob"))->id;
  CHECK(*f.store.reads->is_following(alice, bob));
  f.send("GET", "/bob/unfollow");
  CHECK_FALSE(*f.store.reads->is_following(alice, bob));
  CHECK(f.send("GET", "/nobody/follow").status == 404);
}

TEST_CASE("logged out: my timeline redirects, actions are 401") {
  web_fixture f;
  auto root = f.send("GET", "/");
  CHECK(root.status == 302);
  CHECK(header(root, "Location") == "/public");
  CHECK(f.send("GET", "/bob/follow").status == 401);
  CHECK(f.post("/add_message", {{"text", "hi"}}).status == 401);
  f.cookie = "garbage.cookie";
  CHECK(f.send("GET", "/").status == 302);  // a garbled cookie is "logged out", never an error
}

TEST_CASE("cross-site state changes are refused, same-site and header-less ones pass") {
  web_fixture f;
  f.sign_up_and_in("victim");
  f.store.user("bob");
  CHECK(f.post("/add_message", {{"text", "x"}}, {{"sec-fetch-site", "cross-site"}}).status == 403);
  CHECK(f.post("/add_message", {{"text", "x"}}, {{"origin", "https://evil.example"}}).status ==
        403);
  CHECK(f.send("GET", "/bob/follow", {}, {{"sec-fetch-site", "cross-site"}}).status == 403);
  CHECK(f.post("/nope", {}, {{"origin", "null"}}).status ==
        403);  // before 404: POSTs never pass from elsewhere
  CHECK(f.send("GET", "/public", {}, {{"sec-fetch-site", "cross-site"}}).status == 200);
  CHECK(f.post("/add_message", {{"text", "x"}}, {{"origin", "http://minitwit.test"}}).status ==
        302);
  CHECK(f.send("GET", "/bob/follow", {}, {{"sec-fetch-site", "same-origin"}}).status == 302);
}

TEST_CASE(
    "error pages: 400 for bad escapes, 404 for no such page or user, 405 for a wrong method") {
  web_fixture f;
  auto bad = f.send("GET", "/%zz");
  CHECK(bad.status == 400);
  CHECK(has(bad, "The address is not valid."));
  CHECK(f.send("GET", "/public?before=%4").status == 400);
  auto missing = f.send("GET", "/a/b/c");
  CHECK(missing.status == 404);
  CHECK(has(missing, "There is no such page."));
  CHECK(missing.content_type == "text/html; charset=utf-8");
  CHECK(has(f.send("GET", "/nobody"), "There is no user with that name."));
  CHECK(f.send("DELETE", "/public").status == 405);
  CHECK(f.send("GET", "/add_message").status == 405);  // never the timeline of a user "add_message"
  CHECK(f.send("HEAD", "/public").status == 200);
}

TEST_CASE("HTML answers carry the security headers, the stylesheet a long cache lifetime") {
  web_fixture f;
  auto page = f.send("GET", "/public");
  CHECK(header(page, "Content-Security-Policy").starts_with("default-src 'none'"));
  CHECK(header(page, "X-Content-Type-Options") == "nosniff");
  CHECK(header(page, "Referrer-Policy") == "same-origin");
  CHECK(header(page, "Cache-Control") == "no-store");
  auto at = page.body.find("/static/style.");
  REQUIRE(at != std::string::npos);
  auto path = page.body.substr(at, page.body.find('"', at) - at);
  auto css = f.send("GET", path);
  CHECK(css.status == 200);
  CHECK(css.content_type == "text/css; charset=utf-8");
  CHECK(header(css, "Cache-Control") == "public, max-age=31536000, immutable");
  CHECK(f.send("GET", "/static/style.0000.css").status == 404);
}

TEST_CASE("pagination: an older-messages link with a cursor") {
  web_fixture f;
  f.sign_up_and_in("p");
  for (std::size_t i = 0; i < messages_per_page + 2; ++i)
    f.post("/add_message", {{"text", "msg-" + std::to_string(i) + "-end"}});
  auto first = f.send("GET", "/public");
  CHECK(has(first, "msg-31-end"));
  CHECK_FALSE(has(first, "msg-1-end"));
  auto at = first.body.find("href=\"/public?before=");
  REQUIRE(at != std::string::npos);
  auto link = first.body.substr(at + 6, first.body.find('"', at + 6) - at - 6);
  auto second = f.send("GET", link);
  CHECK(has(second, "msg-1-end"));
  CHECK(has(second, "msg-0-end"));
  CHECK_FALSE(has(second, "msg-2-end"));
}
