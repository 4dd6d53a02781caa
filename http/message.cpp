#include "http/message.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace minitwit::http {

std::string_view request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return {};
}

response json_error(unsigned status, std::string_view message) {
  boost::json::object o;
  o["status"] = status;
  o["error_msg"] = message;
  return json_body(boost::json::serialize(o), status);
}

response json_body(std::string body, unsigned status) {
  return response{status, "application/json", std::move(body), {}};
}

response no_content() { return response{204, {}, {}, {}}; }

}  // namespace minitwit::http
