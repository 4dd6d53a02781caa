// A synthetic scenario with the simulator's mix: every user registers once (spread over
// the scenario, the first ones at its start), and the other actions are about 45 %
// tweets, 37 % follows and 17 % unfollows, a quarter of the unfollows for pairs that do
// not follow each other. Popularity is skewed (a few users tweet and are followed a
// lot), names have spaces and accents, and tweets mix ASCII with other scripts and
// emoji, up to 140 characters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>

#include "core/result.hpp"

namespace minitwit::loadgen {

struct generate_options {
  std::size_t users = 1000;
  std::size_t actions = 100000;
  std::uint64_t seed = 1;
};

// Writes the scenario; fails (writing nothing) when the options cannot make one.
result<void> generate_scenario(const generate_options& o, std::ostream& out);

}  // namespace minitwit::loadgen
