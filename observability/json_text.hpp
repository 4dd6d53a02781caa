// Appending a JSON string literal to a buffer, for the few hot paths that write JSON
// directly instead of building a boost::json value: quotes, backslashes and control
// characters escaped as Boost.JSON escapes them; UTF-8 passes through (it was
// validated on the way in).
#pragma once

#include <string>
#include <string_view>

namespace minitwit::observability {

inline void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\b') {
      out += "\\b";
    } else if (c == '\f') {
      out += "\\f";
    } else if (u < 0x20) {
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace minitwit::observability
