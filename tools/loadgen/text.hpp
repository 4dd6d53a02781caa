// Random names and tweet texts for synthetic load: spaces, accents, other scripts and
// emoji, the way the simulator's users write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace minitwit::loadgen {

// A distinct name for every i (up to 2^32), like "Zoë Halvorsen 3".
std::string person_name(std::size_t i);

// 1 to 140 characters (code points), whole words.
std::string tweet_text(std::mt19937_64& rng);

// An index in [0, n) where low indices are much more likely (rank-skewed popularity).
std::size_t skewed_index(std::mt19937_64& rng, std::size_t n);

// Number of code points in valid UTF-8.
std::size_t code_points(std::string_view s);

}  // namespace minitwit::loadgen
