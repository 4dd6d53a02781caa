#include "http/html_pages.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <kainjow/mustache.hpp>
#include <memory>
#include <stdexcept>

#include "http/target.hpp"

namespace minitwit::http::templates {
extern const std::string_view layout_mustache, timeline_mustache, login_mustache, register_mustache,
    error_mustache, style_css;
}

namespace minitwit::http {

namespace mst = kainjow::mustache;

namespace {

// Parsed templates, one set per thread: kainjow's render() is not const.
struct template_set {
  mst::mustache layout{std::string(templates::layout_mustache)};
  mst::mustache timeline{std::string(templates::timeline_mustache)};
  mst::mustache login{std::string(templates::login_mustache)};
  mst::mustache sign_up{std::string(templates::register_mustache)};
  mst::mustache error{std::string(templates::error_mustache)};
  template_set() {
    for (auto* t : {&layout, &timeline, &login, &sign_up, &error}) {
      if (!t->is_valid()) throw std::runtime_error("broken template: " + t->error_message());
      t->set_custom_escape([](const std::string& s) { return html_escape(s); });
    }
  }
};

template_set& templates_for_this_thread() {
  thread_local template_set set;
  return set;
}

std::string hex(const unsigned char* data, std::size_t n) {
  std::string out(2 * n + 1, '\0');  // sodium_bin2hex writes a terminating NUL
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string gravatar_url(std::string_view email, int size) {
  auto begin = email.find_first_not_of(" \t\r\n");
  auto end = email.find_last_not_of(" \t\r\n");
  std::string normal(begin == std::string_view::npos ? std::string_view{}
                                                     : email.substr(begin, end - begin + 1));
  std::transform(normal.begin(), normal.end(), normal.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(normal.data(), normal.size(), md, &len, EVP_md5(), nullptr);
  return fmt::format("https://www.gravatar.com/avatar/{}?d=identicon&s={}", hex(md, len), size);
}

std::string format_pub_date(std::int64_t t) {
  std::tm tm{};
  std::time_t tt = static_cast<std::time_t>(t);
  if (!::gmtime_r(&tt, &tm)) return "?";
  return fmt::format("{:%Y-%m-%d @ %H:%M}", tm);
}

html_pages::html_pages() {
  (void)templates_for_this_thread();  // fail at start-up, not on the first request
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest,
                     reinterpret_cast<const unsigned char*>(templates::style_css.data()),
                     templates::style_css.size(), nullptr, 0);
  stylesheet_path_ = "/static/style." + hex(digest, 6) + ".css";
}

std::string_view html_pages::stylesheet() const { return templates::style_css; }

namespace {

std::string in_layout(const page_frame& f, const std::string& title, const std::string& body,
                      const std::string& stylesheet) {
  mst::data d;
  d.set("title", title);
  d.set("stylesheet", stylesheet);
  if (f.username) {
    mst::data user;
    user.set("username", *f.username);
    d.set("user", user);
  } else {
    d.set("user", false);
  }
  mst::data flashes{mst::data::type::list};
  for (const auto& text : f.flashes) {
    mst::data item;
    item.set("text", text);
    flashes.push_back(item);
  }
  d.set("has_flashes", !f.flashes.empty());
  d.set("flashes", flashes);
  d.set("body", body);
  return templates_for_this_thread().layout.render(d);
}

}  // namespace

std::string html_pages::timeline(const page_frame& f, const timeline_view& v) const {
  mst::data d;
  d.set("title", v.title);
  if (v.status != follow_status::none) {
    mst::data st;
    st.set("is_you", v.status == follow_status::is_you);
    st.set("following", v.status == follow_status::following);
    st.set("not_following", v.status == follow_status::not_following);
    st.set("follow_url", "/" + percent_encode(v.profile_user) + "/follow");
    st.set("unfollow_url", "/" + percent_encode(v.profile_user) + "/unfollow");
    d.set("followstatus", st);
  }
  if (v.twitbox && f.username) {
    mst::data box;
    box.set("username", *f.username);
    d.set("twitbox", box);
  }
  mst::data list{mst::data::type::list};
  for (const auto& m : v.messages) {
    mst::data item;
    item.set("username", m.username);
    item.set("user_url", "/" + percent_encode(m.username));
    item.set("text", m.text);
    item.set("date", format_pub_date(m.pub_date));
    item.set("avatar", gravatar_url(m.email));
    list.push_back(item);
  }
  d.set("messages", list);
  if (v.older_url) d.set("older_url", *v.older_url);
  auto body = templates_for_this_thread().timeline.render(d);
  return in_layout(f, v.title, body, stylesheet_path_);
}

std::string html_pages::login(const page_frame& f, std::string_view error,
                              std::string_view username) const {
  mst::data d;
  if (!error.empty()) d.set("error", std::string(error));
  d.set("username", std::string(username));
  return in_layout(f, "Sign In", templates_for_this_thread().login.render(d), stylesheet_path_);
}

std::string html_pages::sign_up(const page_frame& f, std::string_view error,
                                std::string_view username, std::string_view email) const {
  mst::data d;
  if (!error.empty()) d.set("error", std::string(error));
  d.set("username", std::string(username));
  d.set("email", std::string(email));
  return in_layout(f, "Sign Up", templates_for_this_thread().sign_up.render(d), stylesheet_path_);
}

std::string html_pages::error(const page_frame& f, std::string_view title,
                              std::string_view text) const {
  mst::data d;
  d.set("title", std::string(title));
  d.set("text", std::string(text));
  return in_layout(f, std::string(title), templates_for_this_thread().error.render(d),
                   stylesheet_path_);
}

}  // namespace minitwit::http
