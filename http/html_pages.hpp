// Renders the web UI's pages from mustache templates compiled into the binary
// (http/templates/). Everything user-supplied is HTML-escaped, with " as &#34; and
// ' as &#39; as the frozen web-UI contract (and markupsafe) write them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minitwit::http {

// What every page shows around its body.
struct page_frame {
  std::optional<std::string> username;  // logged in as
  std::vector<std::string> flashes;
};

struct message_view {
  std::string username;
  std::string email;  // for the avatar
  std::string text;
  std::int64_t pub_date = 0;
};

enum class follow_status { none, is_you, following, not_following };

struct timeline_view {
  std::string title;  // "Public Timeline", "My Timeline", "{user}'s Timeline"
  follow_status status = follow_status::none;
  std::string profile_user;  // for the follow/unfollow links
  bool twitbox = false;
  std::vector<message_view> messages;
  std::optional<std::string> older_url;
};

// Gravatar identicon URL: md5 of the trimmed, lower-cased email, size in pixels.
std::string gravatar_url(std::string_view email, int size = 48);
// "YYYY-MM-DD @ HH:MM" in UTC.
std::string format_pub_date(std::int64_t unix_seconds);
// HTML escaping as the contract wants it (& < > " ').
std::string html_escape(std::string_view s);

class html_pages {
 public:
  html_pages();  // checks the templates; throws std::runtime_error on a broken one

  std::string timeline(const page_frame& f, const timeline_view& v) const;
  std::string login(const page_frame& f, std::string_view error, std::string_view username) const;
  std::string sign_up(const page_frame& f, std::string_view error, std::string_view username,
                      std::string_view email) const;
  std::string error(const page_frame& f, std::string_view title, std::string_view text) const;

  // "/static/style.<hash>.css": changes whenever the stylesheet does.
  const std::string& stylesheet_path() const { return stylesheet_path_; }
  std::string_view stylesheet() const;

 private:
  std::string stylesheet_path_;
};

}  // namespace minitwit::http
