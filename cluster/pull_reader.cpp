#include "cluster/pull_reader.hpp"

#include "cluster/streams.hpp"

namespace minitwit::cluster {

namespace {

constexpr std::int64_t ns_per_ms = std::int64_t{1000} * 1000;
// An abandoned consumer (a node killed, a reader gone) is removed by the server.
constexpr std::int64_t inactive_threshold_ns = 30LL * 1000 * ns_per_ms;

struct msg_list {
  natsMsgList list{};
  ~msg_list() { natsMsgList_Destroy(&list); }
};

bool no_messages(natsStatus s) { return s == NATS_TIMEOUT || s == NATS_NOT_FOUND; }

}  // namespace

result<void> pull_reader::subscribe(std::uint64_t from) {
  sub_.reset();
  jsOptions jo = wait_options(timeout_);
  jsSubOptions so = from_seq_options(stream_, from);
  // Acknowledging the last record of a batch acknowledges the batch.
  so.Config.AckPolicy = js_AckAll;
  so.Config.MaxAckPending = 1 << 20;
  so.Config.InactiveThreshold = inactive_threshold_ns;
  natsSubscription* raw = nullptr;
  jsErrCode jerr{};
  natsStatus s = js_PullSubscribe(&raw, js_, filter_.c_str(), nullptr, &jo, &so, &jerr);
  if (s != NATS_OK)
    return make_error(nats_error("cannot read the NATS stream '" + stream_ + "'", s, jerr));
  sub_.reset(raw);
  sub_next_ = from;
  return {};
}

result<void> pull_reader::fetch(std::uint64_t& next, int max, std::chrono::milliseconds wait,
                                std::vector<storage::received_record>& out) {
  if (!sub_ || sub_next_ != next) {
    if (auto r = subscribe(next); !r) return r;
  }
  msg_list got;
  jsFetchRequest req;
  jsFetchRequest_Init(&req);
  req.Batch = max;
  req.NoWait = true;  // what is there now, at once
  req.Expires = timeout_.count() * ns_per_ms;
  natsStatus s = natsSubscription_FetchRequest(&got.list, sub_.get(), &req);
  if (no_messages(s) && wait.count() > 0) {
    // Nothing there: wait for the next record alone (a batch would wait to be full).
    natsMsgList_Destroy(&got.list);
    got.list = natsMsgList{};
    jsErrCode jerr{};
    s = natsSubscription_Fetch(&got.list, sub_.get(), 1, wait.count(), &jerr);
  }
  if (no_messages(s)) {
    // A consumer lives on one server: when that server dies, fetches only time out. So
    // a wait that brought nothing while the stream holds `next` means the consumer is
    // gone: make it again on the next call.
    if (wait.count() > 0 && stream_holds(js_, stream_, next, timeout_)) sub_.reset();
    return {};
  }
  if (s != NATS_OK) {
    sub_.reset();
    return make_error(nats_error("cannot read the NATS stream '" + stream_ + "'", s));
  }
  natsMsg* last = nullptr;
  bool skipped = false;
  for (int i = 0; i < got.list.Count; ++i) {
    natsMsg* m = got.list.Msgs[i];
    jsMsgMetaData* raw = nullptr;
    if (natsMsg_GetMetaData(&raw, m) != NATS_OK) continue;  // a status message
    nats_ptr<jsMsgMetaData> meta(raw);
    auto seq = meta->Sequence.Stream;
    if (seq < next) continue;
    if (seq > next) {  // the consumer skipped: read again from next
      skipped = true;
      break;
    }
    out.push_back(record_of(m, seq));
    ++next;
    last = m;
  }
  if (last) natsMsg_Ack(last, nullptr);
  sub_next_ = next;
  natsMsgList_Destroy(&got.list);
  got.list = natsMsgList{};
  if (skipped) sub_.reset();
  return {};
}

}  // namespace minitwit::cluster
