#include "core/result.hpp"

namespace minitwit {

std::string_view to_string(errc code) {
  switch (code) {
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::not_found:
      return "not_found";
    case errc::already_exists:
      return "already_exists";
    case errc::not_empty:
      return "not_empty";
    case errc::locked:
      return "locked";
    case errc::conflict:
      return "conflict";
    case errc::corrupt:
      return "corrupt";
    case errc::unsupported:
      return "unsupported";
    case errc::io:
      return "io";
    case errc::unavailable:
      return "unavailable";
    case errc::interrupted:
      return "interrupted";
  }
  return "unknown";
}

}  // namespace minitwit
