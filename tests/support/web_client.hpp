// A browser-like client for web-UI tests: keeps the session cookie and follows
// redirects, like the course's `requests`-based test suite does.
#pragma once

#include <string>
#include <vector>

#include "tests/support/http_client.hpp"

namespace minitwit::test {

class web_client {
 public:
  explicit web_client(std::string host_port) : host_(std::move(host_port)) {}

  // GET, following redirects; the last response is returned.
  http_result get(const std::string& path,
                  const std::vector<std::pair<std::string, std::string>>& headers = {});
  // POST a form (fields are percent-encoded), following redirects.
  http_result post(const std::string& path,
                   const std::vector<std::pair<std::string, std::string>>& fields,
                   const std::vector<std::pair<std::string, std::string>>& headers = {});
  // One request, no redirects followed.
  http_result send(const std::string& method, const std::string& path, const std::string& body = {},
                   std::vector<std::pair<std::string, std::string>> headers = {});

  std::string cookie;                // the session cookie's value, "" when none
  std::vector<std::string> visited;  // every path requested, redirects included

 private:
  http_result follow(http_result r);
  std::string host_;
};

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace minitwit::test
