// The server-rendered web application (the course's web-UI contract): timelines, follow and
// unfollow, posting, sign up, sign in and out. Writes go through the same writer and
// events as the simulator API; passwords are hashed and verified on the worker pool;
// the session lives in a signed cookie (http/web_session.hpp); state-changing
// requests from other sites are refused (Sec-Fetch-Site / Origin).
#pragma once

#include <functional>

#include "app/worker_pool.hpp"
#include "app/writer.hpp"
#include "http/html_pages.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "http/web_session.hpp"
#include "projections/read_model.hpp"

namespace minitwit::http {

inline constexpr std::size_t messages_per_page = 30;

class web_ui final : public handler {
 public:
  web_ui(const projections::read_model& reads, app::writer& writer, app::worker_pool& workers,
         session_codec sessions, std::function<std::int64_t()> now_seconds = {});

  void handle(request req, responder done) override;
  // The listener's route table (for its observed_handler).
  const route_table& routes() const { return routes_.table(); }

 private:
  struct exchange;
  static router<web_ui, exchange> declare_routes();

  void my_timeline(exchange& x);
  void user_timeline(exchange& x);
  void public_timeline(exchange& x);
  void follow(exchange& x);
  void unfollow(exchange& x);
  void add_message(exchange& x);
  void login(exchange& x);
  void sign_up(exchange& x);
  void logout(exchange& x);
  void stylesheet(exchange& x);
  void timeline(exchange& x, const std::string* profile);
  void change_follow(exchange& x, bool follow);

  // Answers with a page (consuming the flashes) or a redirect (keeping them).
  response page(exchange& x, unsigned status, std::string html);
  response redirect(exchange& x, const std::string& location);
  response error_page(exchange& x, unsigned status, std::string_view title, std::string_view text);
  std::vector<message_view> with_authors(const std::vector<projections::message_row>& rows);

  const projections::read_model& reads_;
  app::writer& writer_;
  app::worker_pool& workers_;
  session_codec sessions_;
  std::function<std::int64_t()> now_;
  html_pages pages_;
  router<web_ui, exchange> routes_;
};

// True when a state-changing request comes from another site: Sec-Fetch-Site says
// cross-site, or an Origin header is present and is not this Host.
bool is_cross_site(const request& r);

}  // namespace minitwit::http
