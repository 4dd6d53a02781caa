#include "cluster/ordered_reader.hpp"

#include <optional>

#include "cluster/streams.hpp"

namespace minitwit::cluster {

namespace {

// Asking the stream after every empty wait would cost an idle node a request a second.
constexpr unsigned stall_check_every = 3;
// Records older than this behind `next` mean the consumer restarted far back.
constexpr std::uint64_t replay_tolerance = 1024;

}  // namespace

result<void> ordered_reader::subscribe(std::uint64_t from) {
  sub_.reset();
  jsOptions jo = wait_options(timeout_);
  jsSubOptions so = from_seq_options(stream_, from);
  so.Ordered = true;  // ephemeral, no acks, flow control and heartbeats
  natsSubscription* raw = nullptr;
  jsErrCode jerr{};
  natsStatus s = js_SubscribeSync(&raw, js_, filter_.c_str(), &jo, &so, &jerr);
  if (s != NATS_OK)
    return make_error(nats_error("cannot follow the NATS stream '" + stream_ + "'", s, jerr));
  sub_.reset(raw);
  // Flow control keeps the server from sending more than the node takes; these limits
  // only bound what may wait in this process meanwhile.
  natsSubscription_SetPendingLimits(sub_.get(), 1 << 18, 256 << 20);
  sub_next_ = from;
  return {};
}

result<void> ordered_reader::fetch(std::uint64_t& next, int max, std::chrono::milliseconds wait,
                                   std::vector<storage::received_record>& out) {
  if (!sub_ || sub_next_ != next) {
    if (auto r = subscribe(next); !r) return r;
  }
  int taken = 0;
  bool again = false;  // make the consumer again from `next` on the next call
  std::optional<error> failure;
  while (taken < max && !again) {
    // The first waits; the rest only take what has arrived already.
    std::int64_t timeout = wait.count();
    if (taken > 0) {
      int msgs = 0, bytes = 0;
      if (natsSubscription_GetPending(sub_.get(), &msgs, &bytes) != NATS_OK || msgs == 0) break;
      timeout = 1;
    }
    natsMsg* raw = nullptr;
    natsStatus s = natsSubscription_NextMsg(&raw, sub_.get(), timeout);
    nats_ptr<natsMsg> m(raw);
    if (s == NATS_TIMEOUT) {
      // Idle, or the consumer's server died: every few empty waits, ask the stream.
      if (taken == 0 && wait.count() > 0 && ++empty_waits_ % stall_check_every == 0)
        again = stream_holds(js_, stream_, next, timeout_);
      break;
    }
    empty_waits_ = 0;
    if (s != NATS_OK) {  // e.g. the client dropped a record (slow consumer)
      again = true;
      failure = nats_error("cannot follow the NATS stream '" + stream_ + "'", s);
      break;
    }
    jsMsgMetaData* meta_raw = nullptr;
    if (natsMsg_GetMetaData(&meta_raw, m.get()) != NATS_OK) {
      again = true;
      failure =
          error{errc::corrupt, "a record of the NATS stream '" + stream_ + "' has no metadata"};
      break;
    }
    nats_ptr<jsMsgMetaData> meta(meta_raw);
    auto seq = meta->Sequence.Stream;
    if (seq < next) {
      // Seen already. Far behind: the client library made the consumer again from the
      // stream's start (it does so when heartbeats stop before the first record).
      again = seq + replay_tolerance < next;
      continue;
    }
    if (seq > next) {  // a record went missing on the way: follow again from next
      again = true;
      break;
    }
    out.push_back(record_of(m.get(), seq));
    ++next;
    ++taken;
  }
  sub_next_ = next;
  if (again) sub_.reset();
  // What was taken before a failure is kept: `next` is past it, and the consumer is
  // made again from there.
  if (failure && taken == 0) return make_error(std::move(*failure));
  return {};
}

}  // namespace minitwit::cluster
