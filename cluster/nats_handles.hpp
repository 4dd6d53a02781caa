// Owning handles for the NATS C client's objects, its error text, and the connection
// this project makes (private to cluster/).
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "cluster/jetstream_log.hpp"
#include "core/result.hpp"

namespace minitwit::cluster {

struct nats_deleter {
  void operator()(natsConnection* c) const { natsConnection_Destroy(c); }
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
  void operator()(jsCtx* j) const { jsCtx_Destroy(j); }
  void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
  void operator()(jsStreamInfo* i) const { jsStreamInfo_Destroy(i); }
  void operator()(jsMsgMetaData* m) const { jsMsgMetaData_Destroy(m); }
};
template <class T>
using nats_ptr = std::unique_ptr<T, nats_deleter>;

// JetStream options whose every request waits at most `wait`.
inline jsOptions wait_options(std::chrono::milliseconds wait) {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = wait.count();
  return jo;
}

// A consumer of `stream` (which must outlive the options) that starts at seq `from`.
inline jsSubOptions from_seq_options(const std::string& stream, std::uint64_t from) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Config.DeliverPolicy = js_DeliverByStartSequence;
  so.Config.OptStartSeq = from;
  return so;
}

// The header that marks a record holding a frame of events (storage::frame_events).
inline constexpr const char* batch_header = "Minitwit-Batch";

// A stream's message as the shared log's record at seq.
inline storage::received_record record_of(natsMsg* m, std::uint64_t seq) {
  const char* data = natsMsg_GetData(m);
  const char* batched = nullptr;
  return {seq, std::string(data ? data : "", static_cast<std::size_t>(natsMsg_GetDataLength(m))),
          natsMsgHeader_Get(m, batch_header, &batched) == NATS_OK};
}

// "what: <the client's text for s> (<its last error>)"; jerr: JetStream's code, if any.
error nats_error(const std::string& what, natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0));

// Connects to the servers of settings within settings.timeout; reconnects forever
// afterwards on its own. Publishes made while disconnected fail at once (nothing is
// buffered to be sent later, when its request has long been answered).
result<nats_ptr<natsConnection>> connect(const nats_settings& settings);

}  // namespace minitwit::cluster
