// result<T>: a value or an error, the return type at every module boundary. An error
// has a kind (errc), which callers branch on, and a message, which people read; no
// caller ever matches on the message. [[nodiscard]], so an ignored error is a compile
// warning. Built on TartanLlama's expected (Debian's libexpected-dev) rather than
// std::expected, because libstdc++ 12 hides std::expected from clang (its concepts
// level is too old), and the fuzzers are built with clang's libFuzzer.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace minitwit {

enum class errc {
  invalid_argument,  // the input is malformed or out of range
  not_found,         // what was named does not exist (a database, a backup, a user)
  already_exists,    // the target exists already (a snapshot directory, a backup)
  not_empty,         // the target directory or database holds data already
  locked,            // another process holds the database
  conflict,          // the log moved on: its last sequence is not the one expected
  corrupt,           // stored data cannot be decoded or contradicts itself
  unsupported,       // written by a newer format, type or schema version
  io,                // the storage or the operating system failed
  unavailable,       // cannot be done right now (disk reserve, stopped, timed out)
  interrupted,       // stopped on request (a signal) before finishing
};

// A short name of the kind, e.g. "not_empty" (for logs and JSON).
std::string_view to_string(errc code);

struct error {
  errc code = errc::io;
  std::string message;

  // The same kind with context in front: "reading users: " + message.
  [[nodiscard]] error prefixed(std::string_view context) const {
    return {code, std::string(context) + message};
  }
};

template <class T>
class [[nodiscard]] result : public tl::expected<T, error> {
  using base = tl::expected<T, error>;

 public:
  using base::base;
  result() = default;
  result(base b)
      : base(std::move(b)) {}  // NOLINT(google-explicit-constructor): from and_then & co.
};

// The error side of a result: `return make_error(errc::not_found, "no backup 3");`.
inline tl::unexpected<error> make_error(errc code, std::string message) {
  return tl::make_unexpected(error{code, std::move(message)});
}
inline tl::unexpected<error> make_error(error e) { return tl::make_unexpected(std::move(e)); }

}  // namespace minitwit
