// expected<T, E>: a value or an error, the return type at module boundaries.
// TartanLlama's implementation (Debian's libexpected-dev) rather than std::expected,
// because libstdc++ 12 hides std::expected from clang (its concepts level is too
// old), and the fuzzers are built with clang's libFuzzer.
#pragma once

#include <tl/expected.hpp>

#include <utility>

namespace minitwit {
using tl::expected;

// The error side of an expected: unexpected("text") or unexpected(an_error_enum).
template <class E>
auto unexpected(E&& e) {
  return tl::make_unexpected(std::forward<E>(e));
}
}  // namespace minitwit
