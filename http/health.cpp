#include "http/health.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace minitwit::http {

namespace json = boost::json;

response admin_api::ready() const {
  json::object o;
  auto checkpoint = reads_.checkpoint();
  auto last = log_.last_seq();
  bool caught_up = checkpoint && last && *checkpoint == *last;
  bool writing = writer_.running();
  bool ok = caught_up && writing;
  o["ready"] = ok;
  o["database"] = checkpoint && last ? "open" : "unreadable";
  o["projection_checkpoint"] = checkpoint ? *checkpoint : 0;
  o["last_event"] = last ? *last : 0;
  o["writer"] = writing ? "running" : "stopped";
  o["writer_queue"] = writer_.queue_depth();
  return json_body(json::serialize(o), ok ? 200 : 503);
}

void admin_api::handle(request req, responder done) {
  auto path = std::string_view(req.target).substr(0, req.target.find('?'));
  if (path != "/health/live" && path != "/health/ready")
    return done(json_error(404, "Not found: no such resource"));
  if (req.method != "GET") {
    auto r = json_error(405, "Method not allowed; this resource allows GET");
    r.headers.emplace_back("Allow", "GET");
    return done(std::move(r));
  }
  if (path == "/health/live") return done(json_body(R"({"live":true})"));
  done(ready());
}

}  // namespace minitwit::http
