#include "tools/loadgen/text.hpp"

#include <array>
#include <cmath>
#include <string_view>

namespace minitwit::loadgen {
namespace {

constexpr std::array<std::string_view, 24> first_names = {
    "Roger",   "Zoë",    "José",  "Søren",  "Łukasz", "Chloé", "Ana",    "Mbali",
    "Hiroshi", "Ingrid", "Óscar", "Amélie", "Nguyễn", "Björn", "Fatima", "Kai",
    "Lena",    "Dmitri", "Aoife", "Raúl",   "Yuki",   "Malak", "Jörg",   "Priya"};
constexpr std::array<std::string_view, 24> last_names = {
    "Histand",    "Halvorsen",  "Müller", "Østergaard", "Kowalski", "Dubois",
    "García",     "Dlamini",    "Tanaka", "Lindqvist",  "Ibáñez",   "Lefèvre",
    "Văn An",     "Sigurðsson", "Haddad", "Okafor",     "Novák",    "Ivanov",
    "Ní Bhriain", "Peña",       "Sato",   "Mansour",    "Weiß",     "Raman"};
constexpr std::array<std::string_view, 48> words = {
    "the",    "a",      "and",       "simulator", "is",          "fast",     "today",   "coffee",
    "café",   "naïve",  "straße",    "über",      "smörgåsbord", "niño",     "crème",   "brûlée",
    "façade", "日本語", "東京",      "привет",    "мир",         "ελληνικά", "שלום",    "مرحبا",
    "😀",      "🚀",      "🎉",         "👍",         "deploy",      "again",    "why",     "does",
    "it",     "work",   "on",        "my",        "machine",     "#devops",  "@friend", "lol",
    "ok",     "backup", "restored!", "rocksdb",   "événement",   "ÆØÅ",      "ça",      "va?"};

}  // namespace

std::string person_name(std::size_t i) {
  constexpr auto nf = first_names.size(), nl = last_names.size();
  std::string name(first_names[i % nf]);
  name += ' ';
  name += last_names[(i / nf) % nl];
  if (auto round = i / (nf * nl); round > 0) name += ' ' + std::to_string(round);
  return name;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string tweet_text(std::mt19937_64& rng) {
  std::size_t target = std::uniform_int_distribution<std::size_t>(1, 140)(rng);
  std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1);
  std::string text;
  std::size_t length = 0;
  for (;;) {
    auto w = words[pick(rng)];
    auto add = code_points(w) + (text.empty() ? 0 : 1);
    if (!text.empty() && length + add > target) return text;
    if (length + add > 140) return text.empty() ? std::string("ok") : text;
    if (!text.empty()) text += ' ';
    text += w;
    length += add;
  }
}

std::size_t skewed_index(std::mt19937_64& rng, std::size_t n) {
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  auto i = static_cast<std::size_t>(static_cast<double>(n) * std::pow(u, 3.0));
  return i < n ? i : n - 1;
}

}  // namespace minitwit::loadgen
