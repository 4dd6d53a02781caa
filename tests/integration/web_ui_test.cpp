// The web UI as docs/web-ui.md describes it, over HTTP, with the real server.
#include <doctest/doctest.h>

#include "tests/support/server_process.hpp"
#include "tests/support/web_client.hpp"

using namespace minitwit::test;

namespace {

bool has(const http_result& r, const std::string& s) { return r.body.find(s) != std::string::npos; }

http_result sign_up(web_client& c, const std::string& user, const std::string& pw = "default",
                    std::string pw2 = {}, std::string email = {}) {
  if (pw2.empty()) pw2 = pw;
  if (email.empty()) email = user + "@example.com";
  return c.post("/register",
                {{"username", user}, {"email", email}, {"password", pw}, {"password2", pw2}});
}

http_result sign_in(web_client& c, const std::string& user, const std::string& pw = "default") {
  return c.post("/login", {{"username", user}, {"password", pw}});
}

web_client signed_in(const server_process& s, const std::string& user) {
  web_client c(s.web());
  REQUIRE(has(sign_up(c, user), "You were successfully registered and can login now"));
  REQUIRE(has(sign_in(c, user), "You were logged in"));
  return c;
}

}  // namespace

TEST_CASE("sign up: success flash on the sign-in page, then every error in the spec's order") {
  server_process s;
  web_client c(s.web());
  auto r = sign_up(c, "user1");
  CHECK(r.status == 200);
  CHECK(c.visited.back() == "/login");
  CHECK(has(r, "<title>Sign In | MiniTwit</title>"));
  CHECK(has(r, "<ul class=\"flashes\">"));
  CHECK(has(r, "You were successfully registered and can login now"));
  // Shown once.
  CHECK_FALSE(has(c.get("/login"), "You were successfully registered"));

  web_client d(s.web());
  CHECK(has(sign_up(d, "user1"), "<strong>Error:</strong> The username is already taken"));
  CHECK(has(sign_up(d, ""), "You have to enter a username"));
  CHECK(has(sign_up(d, "meh", "foo", "foo", "broken"), "You have to enter a valid email address"));
  auto empty_pw = d.post(
      "/register", {{"username", "meh"}, {"email", "m@x"}, {"password", ""}, {"password2", ""}});
  CHECK(has(empty_pw, "You have to enter a password"));
  auto mismatch = sign_up(d, "meh", "x", "y");
  CHECK(mismatch.status == 200);
  CHECK(has(mismatch, "The two passwords do not match"));
  CHECK(has(mismatch, "value=\"meh\""));              // typed username kept
  CHECK(has(mismatch, "value=\"meh@example.com\""));  // and email
}

TEST_CASE("the sign-up form's fields come in the spec's order, submit inside div.actions") {
  server_process s;
  auto body = web_client(s.web()).get("/register").body;
  auto u = body.find("name=\"username\""), e = body.find("name=\"email\""),
       p = body.find("name=\"password\""), p2 = body.find("name=\"password2\""),
       actions = body.find("<div class=\"actions\"><input type=\"submit\" value=\"Sign Up\">");
  CHECK(u < e);
  CHECK(e < p);
  CHECK(p < p2);
  CHECK(p2 < actions);
  CHECK(actions != std::string::npos);
  CHECK(body.find("<title>Sign Up | MiniTwit</title>") != std::string::npos);
}

TEST_CASE("sign in and out: flashes, errors, navigation") {
  server_process s;
  web_client c(s.web());
  sign_up(c, "user1");
  auto r = sign_in(c, "user1");
  CHECK(has(r, "You were logged in"));
  CHECK(c.visited.back() == "/");
  CHECK(has(r, "<title>My Timeline | MiniTwit</title>"));
  CHECK(has(r, "<a href=\"/logout\">sign out [user1]</a>"));
  CHECK(has(r, "<h3>What's on your mind user1?</h3>"));
  // Already signed in: the forms redirect home.
  CHECK(c.send("GET", "/login").header("location") == "/");
  CHECK(c.send("GET", "/register").header("location") == "/");
  auto out = c.get("/logout");
  CHECK(has(out, "You were logged out"));
  CHECK(c.visited.back() == "/public");
  CHECK(has(out, "<a href=\"/login\">sign in</a>"));
  CHECK(has(sign_in(c, "user1", "wrongpassword"), "<strong>Error:</strong> Invalid password"));
  CHECK(has(sign_in(c, "user2", "wrongpassword"), "<strong>Error:</strong> Invalid username"));
  // Logged out: "/" goes to the public timeline.
  CHECK(web_client(s.web()).send("GET", "/").header("location") == "/public");
}

TEST_CASE("messages: recorded with a flash, escaped, in timelines with avatar and date") {
  server_process s;
  auto c = signed_in(s, "foo");
  auto r = c.post("/add_message", {{"text", "test message 1"}});
  CHECK(has(r, "Your message was recorded"));
  c.post("/add_message", {{"text", "<test message 2>"}});
  c.post("/add_message", {{"text", "<script>alert('x')</script> & \"q\""}});
  auto pub = web_client(s.web()).get("/");  // logged out: redirected to /public
  CHECK(has(pub, "<title>Public Timeline | MiniTwit</title>"));
  CHECK(has(pub, "test message 1"));
  CHECK(has(pub, "&lt;test message 2&gt;"));
  CHECK(has(pub, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;q&#34;"));
  CHECK_FALSE(has(pub, "<script>"));
  CHECK(has(pub, "<ul class=\"messages\">"));
  CHECK(has(pub, "<strong><a href=\"/foo\">foo</a></strong>"));
  // md5("foo@example.com")
  CHECK(
      has(pub,
          "https://www.gravatar.com/avatar/b48def645758b95537d4424c84d1a9ff?d=identicon&amp;s=48"));
  CHECK(has(pub, "<small>&mdash; 20"));
  // An empty text records nothing, and says nothing.
  auto empty = c.post("/add_message", {{"text", ""}});
  CHECK_FALSE(has(empty, "Your message was recorded"));
}

TEST_CASE("an empty timeline says so") {
  server_process s;
  CHECK(has(web_client(s.web()).get("/public"), "<li><em>There's no message so far.</em>"));
}

TEST_CASE("timelines: my timeline has me and whom I follow, user pages only that user") {
  server_process s;
  auto foo = signed_in(s, "foo");
  foo.post("/add_message", {{"text", "the message by foo"}});
  auto bar = signed_in(s, "bar");
  bar.post("/add_message", {{"text", "the message by bar"}});

  auto pub = bar.get("/public");
  CHECK(has(pub, "the message by foo"));
  CHECK(has(pub, "the message by bar"));
  auto mine = bar.get("/");
  CHECK_FALSE(has(mine, "the message by foo"));
  CHECK(has(mine, "the message by bar"));

  auto foo_page = bar.get("/foo");
  CHECK(has(foo_page, "<title>foo&#39;s Timeline | MiniTwit</title>"));
  CHECK(has(foo_page, "You are not yet following this user."));
  CHECK(has(foo_page, "<a class=\"follow\" href=\"/foo/follow\">Follow user</a>"));

  auto followed = bar.get("/foo/follow");
  CHECK(has(followed, "You are now following &#34;foo&#34;"));
  CHECK(bar.visited.back() == "/foo");
  CHECK(has(followed, "You are currently following this user."));
  CHECK(has(followed, "<a class=\"unfollow\" href=\"/foo/unfollow\">Unfollow user</a>"));

  mine = bar.get("/");
  CHECK(has(mine, "the message by foo"));
  CHECK(has(mine, "the message by bar"));
  CHECK(mine.body.find("the message by bar") <
        mine.body.find("the message by foo"));  // newest first
  CHECK_FALSE(has(bar.get("/bar"), "the message by foo"));
  CHECK(has(bar.get("/bar"), "This is you!"));
  CHECK_FALSE(has(bar.get("/foo"), "the message by bar"));

  auto unfollowed = bar.get("/foo/unfollow");
  CHECK(has(unfollowed, "You are no longer following &#34;foo&#34;"));
  CHECK_FALSE(has(bar.get("/"), "the message by foo"));
  // Logged-out viewers see no follow status.
  CHECK_FALSE(has(web_client(s.web()).get("/foo"), "followstatus"));
}

TEST_CASE("401 for actions when logged out, 404 for unknown users") {
  server_process s;
  signed_in(s, "foo");
  web_client anon(s.web());
  CHECK(anon.send("GET", "/foo/follow").status == 401);
  CHECK(anon.send("GET", "/foo/unfollow").status == 401);
  CHECK(anon.send("POST", "/add_message", "text=hi").status == 401);
  auto missing = anon.send("GET", "/nobody");
  CHECK(missing.status == 404);
  CHECK(missing.header("content-type") == "text/html; charset=utf-8");
  auto c = signed_in(s, "bar");
  CHECK(c.send("GET", "/nobody/follow").status == 404);
  CHECK(has(anon.get("/public"), "<title>Public Timeline | MiniTwit</title>"));
}

TEST_CASE("usernames with spaces and non-ASCII work in links and pages") {
  server_process s;
  auto c = signed_in(s, "Roger Histand");
  c.post("/add_message", {{"text", "Blåbærgrød"}});
  auto other = signed_in(s, "Åse");
  auto page = other.get("/Roger%20Histand");
  CHECK(has(page, "Roger Histand&#39;s Timeline"));
  CHECK(has(page, "<a class=\"follow\" href=\"/Roger%20Histand/follow\">"));
  CHECK(has(page, "Blåbærgrød"));
  CHECK(has(other.get("/Roger%20Histand/follow"), "You are now following &#34;Roger Histand&#34;"));
}

TEST_CASE("pagination: 30 per page and an older-messages cursor") {
  server_process s;
  auto c = signed_in(s, "p");
  for (int i = 0; i < 35; ++i)
    c.post("/add_message", {{"text", "msg-" + std::to_string(i) + "-end"}});
  auto first = c.get("/public");
  CHECK(has(first, "msg-34-end"));
  CHECK(has(first, "msg-5-end"));
  CHECK_FALSE(has(first, "msg-4-end"));
  auto at = first.body.find("href=\"/public?before=");
  REQUIRE(at != std::string::npos);
  auto link = first.body.substr(at + 6, first.body.find('"', at + 6) - at - 6);
  auto second = c.get(link);
  CHECK(has(second, "msg-4-end"));
  CHECK(has(second, "msg-0-end"));
  CHECK_FALSE(has(second, "msg-5-end"));
  CHECK_FALSE(has(second, "before="));
}

TEST_CASE("CSRF: cross-site state changes are refused, same-site and header-less ones pass") {
  server_process s;
  auto c = signed_in(s, "victim");
  signed_in(s, "other");
  auto cross = c.send("GET", "/other/follow", {}, {{"Sec-Fetch-Site", "cross-site"}});
  CHECK(cross.status == 403);
  auto foreign = c.send(
      "POST", "/add_message", "text=pwned",
      {{"Origin", "http://evil.example"}, {"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(foreign.status == 403);
  auto null_origin = c.send("POST", "/add_message", "text=pwned", {{"Origin", "null"}});
  CHECK(null_origin.status == 403);
  CHECK_FALSE(has(c.get("/public"), "pwned"));
  // Same-origin browser requests and plain clients pass.
  auto same = c.send("POST", "/add_message", "text=ok1",
                     {{"Origin", "http://" + s.web()}, {"Sec-Fetch-Site", "same-origin"}});
  CHECK(same.status == 302);
  CHECK(c.send("POST", "/add_message", "text=ok2").status == 302);
  CHECK(c.send("GET", "/other/follow", {}, {{"Sec-Fetch-Site", "same-origin"}}).status == 302);
  auto pub = c.get("/public");
  CHECK(has(pub, "ok1"));
  CHECK(has(pub, "ok2"));
  // Reading is never refused.
  CHECK(c.send("GET", "/public", {}, {{"Sec-Fetch-Site", "cross-site"}}).status == 200);
}

TEST_CASE("a tampered or garbage cookie means logged out, never an error") {
  server_process s;
  auto c = signed_in(s, "foo");
  auto good = c.cookie;
  REQUIRE_FALSE(good.empty());
  for (const std::string& bad :
       {good.substr(0, good.size() - 2) + "AA", "x" + good, std::string("garbage"),
        std::string("."), std::string(5000, 'a'), good.substr(0, good.find('.'))}) {
    web_client t(s.web());
    t.cookie = bad;
    auto r = t.send("GET", "/");
    CHECK(r.status == 302);
    CHECK(r.header("location") == "/public");
    CHECK(t.get("/public").status == 200);
  }
}

TEST_CASE("sessions survive a server restart (the key is kept in the data directory)") {
  temp_dir dir;
  auto data = (dir.path() / "data").string();
  std::string cookie;
  {
    server_process s({}, data);
    cookie = signed_in(s, "stay").cookie;
    CHECK(s.stop() == 0);
  }
  server_process again({}, data);
  web_client c(again.web());
  c.cookie = cookie;
  auto r = c.get("/");
  CHECK(has(r, "<title>My Timeline | MiniTwit</title>"));
  CHECK(has(r, "sign out [stay]"));
}

TEST_CASE("HTML responses carry the security headers and session cookies their flags") {
  server_process s;
  web_client c(s.web());
  auto r = c.send("GET", "/public");
  CHECK(r.header("content-security-policy").find("frame-ancestors 'none'") != std::string::npos);
  CHECK(r.header("content-security-policy").find("default-src 'none'") != std::string::npos);
  CHECK(r.header("x-content-type-options") == "nosniff");
  CHECK_FALSE(r.header("referrer-policy").empty());
  sign_up(c, "flags");
  auto login = c.send("POST", "/login", "username=flags&password=default");
  auto cookie = login.header("set-cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Lax") != std::string::npos);
}

TEST_CASE("the stylesheet is served under a content hash with a long cache lifetime") {
  server_process s;
  auto page = web_client(s.web()).get("/public").body;
  auto at = page.find("href=\"/static/style.");
  REQUIRE(at != std::string::npos);
  auto path = page.substr(at + 6, page.find('"', at + 6) - at - 6);
  auto css = request(s.web(), "GET", path);
  CHECK(css.status == 200);
  CHECK(css.header("content-type") == "text/css; charset=utf-8");
  CHECK(css.header("cache-control").find("max-age=31536000") != std::string::npos);
  CHECK(css.body.find(".messages") != std::string::npos);
  CHECK(request(s.web(), "GET", "/static/style.0000.css").status == 404);
}

TEST_CASE("web and API share the same events: a web post shows in the API and vice versa") {
  server_process s;
  auto c = signed_in(s, "both");
  c.post("/add_message", {{"text", "from the web"}});
  auto api = sim(s.api(), "GET", "/msgs/both");
  CHECK(api.body.find("from the web") != std::string::npos);
  REQUIRE(sim(s.api(), "POST", "/msgs/both", R"({"content":"from the api"})").status == 204);
  CHECK(has(c.get("/"), "from the api"));
}
