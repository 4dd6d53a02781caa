#include "tests/support/web_client.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <stdexcept>

namespace minitwit::test {

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  // As browsers send forms: unreserved characters as they are, spaces as '+'.
  const boost::urls::encoding_opts as_form(/*space_as_plus=*/true);
  std::string out;
  for (auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += boost::urls::encode(k, boost::urls::unreserved_chars, as_form) + '=' +
           boost::urls::encode(v, boost::urls::unreserved_chars, as_form);
  }
  return out;
}

http_result web_client::send(const std::string& method, const std::string& path,
                             const std::string& body,
                             std::vector<std::pair<std::string, std::string>> headers) {
  visited.push_back(path);
  if (!cookie.empty()) headers.emplace_back("Cookie", "session=" + cookie);
  auto r = request(host_, method, path, body, headers);
  auto set = r.header("set-cookie");
  if (set.starts_with("session=")) {
    auto value = set.substr(8, set.find(';') - 8);
    cookie = set.find("Max-Age=0") != std::string::npos ? std::string() : value;
  }
  return r;
}

http_result web_client::follow(http_result r) {
  for (int hops = 0; r.status == 302 || r.status == 303; ++hops) {
    if (hops == 5) throw std::runtime_error("too many redirects");
    r = send("GET", r.header("location"));
  }
  return r;
}

http_result web_client::get(const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& headers) {
  return follow(send("GET", path, {}, headers));
}

http_result web_client::post(const std::string& path,
                             const std::vector<std::pair<std::string, std::string>>& fields,
                             const std::vector<std::pair<std::string, std::string>>& headers) {
  auto h = headers;
  h.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return follow(send("POST", path, form_encode(fields), h));
}

}  // namespace minitwit::test
