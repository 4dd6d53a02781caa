#include "http/web_session.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>

namespace minitwit::http {

namespace json = boost::json;

namespace {

constexpr std::size_t max_cookie_bytes = 4096;
constexpr std::size_t max_flash_bytes = 512;

std::string to_base64url(const unsigned char* data, std::size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> from_base64url(std::string_view s) {
  std::string out(s.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(),
                        s.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

}  // namespace

std::string session_codec::encode(const web_session& s, std::int64_t now) const {
  json::object o;
  o["u"] = s.user;
  o["x"] = now + lifetime_.count();
  json::array flashes;
  for (std::size_t i = 0; i < s.flashes.size() && i < max_flashes; ++i)
    flashes.emplace_back(json::string(s.flashes[i].substr(0, max_flash_bytes)));
  o["f"] = std::move(flashes);
  auto payload = json::serialize(o);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(payload.data()),
                         payload.size(), key_.data());
  return to_base64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) +
         "." + to_base64url(mac, sizeof mac);
}

web_session session_codec::decode(std::string_view value, std::int64_t now) const {
  if (value.empty() || value.size() > max_cookie_bytes) return {};
  auto dot = value.find('.');
  if (dot == std::string_view::npos) return {};
  auto payload = from_base64url(value.substr(0, dot));
  auto mac = from_base64url(value.substr(dot + 1));
  if (!payload || !mac || mac->size() != crypto_auth_hmacsha256_BYTES) return {};
  if (crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(mac->data()),
                                    reinterpret_cast<const unsigned char*>(payload->data()),
                                    payload->size(), key_.data()) != 0)
    return {};
  boost::system::error_code ec;
  auto v = json::parse(*payload, ec);
  if (ec || !v.is_object()) return {};
  const auto& o = v.as_object();
  auto u = o.if_contains("u");
  auto x = o.if_contains("x");
  auto f = o.if_contains("f");
  if (!u || !x || !f || !x->is_int64() || !f->is_array() || x->as_int64() < now) return {};
  web_session s;
  if (u->is_uint64())
    s.user = u->as_uint64();
  else if (u->is_int64() && u->as_int64() >= 0)
    s.user = static_cast<core::user_id>(u->as_int64());
  else
    return {};
  for (const auto& flash : f->as_array()) {
    if (flash.is_string() && s.flashes.size() < max_flashes)
      s.flashes.emplace_back(flash.as_string());
  }
  return s;
}

result<session_key> load_session_key(const std::optional<std::string>& secret,
                                     const std::filesystem::path& data_dir) {
  session_key key{};
  if (secret) {
    if (secret->size() < 16)
      return make_error(errc::invalid_argument,
                        "the secret key must be at least 16 characters long");
    crypto_generichash(key.data(), key.size(),
                       reinterpret_cast<const unsigned char*>(secret->data()), secret->size(),
                       nullptr, 0);
    return key;
  }
  auto path = data_dir / "session.key";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    // Create it atomically: write a temporary file, fsync, then link it into place.
    randombytes_buf(key.data(), key.size());
    auto tmp = data_dir / "session.key.tmp";
    int w = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (w < 0)
      return make_error(errc::io, "cannot create " + tmp.string() + ": " + std::strerror(errno));
    bool ok =
        ::write(w, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(w) == 0;
    ::close(w);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
      return make_error(errc::io, "cannot write " + path.string() + ": " + std::strerror(errno));
    return key;
  }
  if (fd < 0)
    return make_error(errc::io, "cannot read " + path.string() + ": " + std::strerror(errno));
  struct stat st {};
  ::fstat(fd, &st);
  auto n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(key.size()))
    return make_error(
        errc::corrupt,
        path.string() +
            " is not a 32-byte key: delete it to make a new one (this logs everyone out)");
  if (st.st_mode & 077)
    return make_error(errc::invalid_argument,
                      path.string() + " is readable by others: chmod 600 it");
  return key;
}

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    auto part = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
  }
  return std::nullopt;
}

}  // namespace minitwit::http
