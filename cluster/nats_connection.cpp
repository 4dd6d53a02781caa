#include <fmt/format.h>

#include <vector>

#include "cluster/nats_handles.hpp"

namespace minitwit::cluster {

error nats_error(const std::string& what, natsStatus s, jsErrCode jerr) {
  std::string text = what + ": " + natsStatus_GetText(s);
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail && *detail && last != NATS_OK) text += std::string(" (") + detail + ")";
  if (jerr != 0) text += " [JetStream error " + std::to_string(static_cast<int>(jerr)) + "]";
  bool down = s == NATS_TIMEOUT || s == NATS_NO_SERVER || s == NATS_CONNECTION_CLOSED ||
              s == NATS_CONNECTION_DISCONNECTED || s == NATS_NO_RESPONDERS ||
              s == NATS_INSUFFICIENT_BUFFER || s == NATS_IO_ERROR || s == NATS_STALE_CONNECTION;
  return {down ? errc::unavailable : errc::io, text};
}

result<std::vector<std::string>> parse_nats_servers(const std::string& spec) {
  std::vector<std::string> servers;
  std::size_t at = 0;
  while (at <= spec.size()) {
    auto comma = spec.find(',', at);
    auto item = spec.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    at = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (item.rfind("nats://", 0) == 0) item = item.substr(7);
    if (item.find('@') != std::string::npos)
      return make_error(
          errc::invalid_argument,
          "'" + spec +
              "' holds credentials: give them in MINITWIT_NATS_USER and "
              "MINITWIT_NATS_PASSWORD (or MINITWIT_NATS_CREDS), never in the address");
    auto colon = item.rfind(':');
    bool port_ok = colon != std::string::npos && colon > 0 && colon + 1 < item.size() &&
                   item.size() - colon <= 6 &&
                   item.find_first_not_of("0123456789", colon + 1) == std::string::npos;
    if (!port_ok)
      return make_error(errc::invalid_argument,
                        fmt::format("'{}' in '{}' is not HOST:PORT of a NATS server", item, spec));
    servers.push_back("nats://" + item);
  }
  return servers;
}

result<nats_ptr<natsConnection>> connect(const nats_settings& settings) {
  natsOptions* raw = nullptr;
  if (auto s = natsOptions_Create(&raw); s != NATS_OK) return make_error(nats_error("nats", s));
  nats_ptr<natsOptions> opts(raw);
  std::vector<const char*> urls;
  for (const auto& u : settings.servers) urls.push_back(u.c_str());
  auto ms = static_cast<int64_t>(settings.timeout.count());
  natsStatus s = natsOptions_SetServers(opts.get(), urls.data(), static_cast<int>(urls.size()));
  if (s == NATS_OK) s = natsOptions_SetName(opts.get(), settings.client_name.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts.get(), ms);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts.get(), -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts.get(), 250);
  // A ping every second, two missed: a dead server is noticed within about 3 s.
  if (s == NATS_OK) s = natsOptions_SetPingInterval(opts.get(), 1000);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(opts.get(), 2);
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(opts.get(), 1);
  if (s == NATS_OK && settings.creds_file)
    s = natsOptions_SetUserCredentialsFromFiles(opts.get(), settings.creds_file->c_str(), nullptr);
  if (s == NATS_OK && settings.user)
    s = natsOptions_SetUserInfo(opts.get(), settings.user->c_str(),
                                settings.password ? settings.password->c_str() : "");
  if (s == NATS_OK && settings.token) s = natsOptions_SetToken(opts.get(), settings.token->c_str());
  bool tls = settings.tls_ca || settings.tls_cert;
  if (s == NATS_OK && tls) s = natsOptions_SetSecure(opts.get(), true);
  if (s == NATS_OK && settings.tls_ca)
    s = natsOptions_LoadCATrustedCertificates(opts.get(), settings.tls_ca->c_str());
  if (s == NATS_OK && settings.tls_cert)
    s = natsOptions_LoadCertificatesChain(opts.get(), settings.tls_cert->c_str(),
                                          settings.tls_key ? settings.tls_key->c_str() : nullptr);
  if (s != NATS_OK) return make_error(nats_error("invalid NATS client settings", s));
  natsConnection* conn = nullptr;
  s = natsConnection_Connect(&conn, opts.get());
  if (s != NATS_OK) {
    std::string list;
    for (const auto& u : settings.servers) list += (list.empty() ? "" : ",") + u;
    auto e = nats_error("cannot reach NATS at " + list + " within " +
                            std::to_string(settings.timeout.count()) + " ms",
                        s);
    e.code = errc::unavailable;
    return make_error(e);
  }
  return nats_ptr<natsConnection>(conn);
}

}  // namespace minitwit::cluster
