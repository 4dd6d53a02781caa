#include "cluster/jetstream_log.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "cluster/nats_handles.hpp"
#include "cluster/ordered_reader.hpp"
#include "cluster/pull_reader.hpp"
#include "cluster/streams.hpp"
#include "storage/event_codec.hpp"

namespace minitwit::cluster {

namespace {

constexpr int receive_batch = 4096;
constexpr std::size_t max_received_bytes = 64 << 20;  // held for the writer at most
// A batched record's size at most: well under NATS' default max_payload of 1 MiB.
constexpr std::size_t max_frame_bytes = 256 << 10;
constexpr auto receive_wait = std::chrono::milliseconds(1000);

std::string hex(std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

// One record as it is published.
struct outgoing {
  std::string subject;
  std::string_view bytes;
  std::string id;
  std::optional<std::uint64_t> expect_last_seq;          // whole stream
  std::optional<std::uint64_t> expect_last_subject_seq;  // its subject
  bool batched = false;                                  // bytes: a frame of events
};

// The outcome of one published record, filled in by the client's ack callback.
struct ack {
  bool done = false;
  bool stored = false;
  std::uint64_t seq = 0;
  jsErrCode code{};
  std::string text;
};

struct publish_round {
  std::unordered_map<std::string, std::size_t> index;  // publish id → position
  std::vector<ack> acks;
  std::size_t done = 0;
};

}  // namespace

struct jetstream_log::impl {
  nats_settings settings;
  std::string events_subject_prefix;  // "<stream>."
  std::string latest_stream, latest_subject;
  std::string latest_id_prefix;  // this process's: a stored `latest` is one record
  std::uint64_t latest_publishes = 0;
  nats_ptr<natsConnection> conn;
  nats_ptr<jsCtx> js;

  // The publish in progress (one at a time), its acks arriving on the client's thread.
  std::mutex publish_mu;  // one publish at a time
  std::mutex acks_mu;
  std::condition_variable acks_cv;
  publish_round* round = nullptr;

  // Receiving.
  std::mutex recv_mu;
  std::condition_variable_any recv_room;
  std::deque<storage::received_record> received;
  std::size_t received_bytes = 0;
  std::function<void()> wake;
  std::string recv_error;
  std::jthread receiver;

  std::int64_t wait_ms() const { return settings.timeout.count(); }

  static void on_ack(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
    auto* self = static_cast<impl*>(closure);
    const char* id = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id) {
      std::lock_guard lock(self->acks_mu);
      if (self->round) {
        auto it = self->round->index.find(id);
        if (it != self->round->index.end() && !self->round->acks[it->second].done) {
          auto& a = self->round->acks[it->second];
          a.done = true;
          if (pa) {
            a.stored = true;
            a.seq = pa->Sequence;
          } else if (pae) {
            a.code = pae->ErrCode;
            a.text = pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err);
          }
          ++self->round->done;
          self->acks_cv.notify_all();
        }
      }
    }
    natsMsg_Destroy(msg);
  }

  // Publishes every record, pipelined, and waits for every ack within the time bound.
  result<std::vector<ack>> publish_all(const std::vector<outgoing>& records) {
    std::lock_guard one(publish_mu);
    if (natsConnection_Status(conn.get()) != NATS_CONN_STATUS_CONNECTED)
      return make_error(errc::unavailable, "not connected to NATS (reconnecting)");
    publish_round r;
    r.acks.resize(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) r.index.emplace(records[i].id, i);
    {
      std::lock_guard lock(acks_mu);
      round = &r;
    }
    auto finish = [&] {
      std::lock_guard lock(acks_mu);
      round = nullptr;
    };
    for (const auto& rec : records) {
      natsMsg* raw = nullptr;
      natsStatus s = natsMsg_Create(&raw, rec.subject.c_str(), nullptr, rec.bytes.data(),
                                    static_cast<int>(rec.bytes.size()));
      nats_ptr<natsMsg> m(raw);
      if (s == NATS_OK) s = natsMsgHeader_Set(m.get(), "Nats-Msg-Id", rec.id.c_str());
      if (s == NATS_OK && rec.expect_last_seq)
        s = natsMsgHeader_Set(m.get(), "Nats-Expected-Last-Sequence",
                              std::to_string(*rec.expect_last_seq).c_str());
      if (s == NATS_OK && rec.batched) s = natsMsgHeader_Set(m.get(), batch_header, "1");
      if (s == NATS_OK && rec.expect_last_subject_seq)
        s = natsMsgHeader_Set(m.get(), "Nats-Expected-Last-Subject-Sequence",
                              std::to_string(*rec.expect_last_subject_seq).c_str());
      if (s == NATS_OK) {
        raw = m.release();
        s = js_PublishMsgAsync(js.get(), &raw, nullptr);
        natsMsg_Destroy(raw);  // no-op when the library took it
      }
      if (s != NATS_OK) {
        finish();
        return make_error(nats_error("cannot publish to NATS", s));
      }
    }
    std::unique_lock lock(acks_mu);
    bool all = acks_cv.wait_for(lock, settings.timeout, [&] { return r.done == r.acks.size(); });
    round = nullptr;
    lock.unlock();
    if (!all) {
      // Take back what is still unanswered, so that no late ack refers to this round.
      natsMsgList pending{};
      if (js_PublishAsyncGetPendingList(&pending, js.get()) == NATS_OK)
        natsMsgList_Destroy(&pending);
      return make_error(errc::unavailable, "NATS did not confirm " +
                                               std::to_string(r.acks.size() - r.done) + " of " +
                                               std::to_string(r.acks.size()) + " records within " +
                                               std::to_string(settings.timeout.count()) +
                                               " ms (no quorum of the stream's replicas?)");
    }
    return std::move(r.acks);
  }

  void receive_loop(std::uint64_t after, const std::stop_token& stop) {
    ordered_reader reader(js.get(), settings.stream, events_subject_prefix + ">", settings.timeout);
    std::uint64_t next = after + 1;
    auto backoff = std::chrono::milliseconds(100);
    std::vector<storage::received_record> batch;
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(recv_mu);
        recv_room.wait(lock, stop, [&] { return received_bytes < max_received_bytes; });
        if (stop.stop_requested()) return;
      }
      batch.clear();
      auto got = reader.fetch(next, receive_batch, receive_wait, batch);
      if (!got) {
        {
          std::lock_guard lock(recv_mu);
          recv_error = got.error().message;
        }
        std::unique_lock lock(recv_mu);
        recv_room.wait_for(lock, stop, backoff, [] { return false; });
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
        continue;
      }
      backoff = std::chrono::milliseconds(100);
      if (batch.empty()) continue;
      {
        std::lock_guard lock(recv_mu);
        recv_error.clear();
        for (auto& r : batch) {
          received_bytes += r.bytes.size();
          received.push_back(std::move(r));
        }
      }
      if (wake) wake();
    }
  }
};

jetstream_log::jetstream_log(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

jetstream_log::~jetstream_log() {
  if (impl_->receiver.joinable()) {
    impl_->receiver.request_stop();
    impl_->recv_room.notify_all();
    impl_->receiver.join();
  }
  if (impl_->conn) natsConnection_Close(impl_->conn.get());
}

result<std::unique_ptr<jetstream_log>> jetstream_log::open(const nats_settings& settings) {
  if (settings.replicas < 1 || settings.replicas > 5)
    return make_error(errc::invalid_argument,
                      "--nats-replicas must be 1 to 5, not " + std::to_string(settings.replicas));
  auto p = std::make_unique<impl>();
  p->settings = settings;
  p->events_subject_prefix = settings.stream + ".";
  p->latest_stream = settings.stream + "_latest";
  p->latest_subject = settings.stream + "_latest";
  p->latest_id_prefix = "latest-" + std::to_string(std::random_device{}()) + "-" +
                        std::to_string(std::random_device{}()) + "-";
  auto conn = connect(settings);
  if (!conn) return make_error(conn.error());
  p->conn = std::move(*conn);
  jsOptions jo = wait_options(settings.timeout);
  jo.PublishAsync.MaxPending = 1 << 16;
  jo.PublishAsync.AckHandler = &impl::on_ack;
  jo.PublishAsync.AckHandlerClosure = p.get();
  jsCtx* js = nullptr;
  if (auto s = natsConnection_JetStream(&js, p->conn.get(), &jo); s != NATS_OK)
    return make_error(nats_error("cannot use JetStream", s));
  p->js.reset(js);
  if (auto r = ensure_stream(
          js, {settings.stream, p->events_subject_prefix + ">", settings.replicas, -1});
      !r)
    return make_error(r.error());
  if (auto r = ensure_stream(js, {p->latest_stream, p->latest_subject, settings.replicas, 1}); !r)
    return make_error(r.error());
  return std::unique_ptr<jetstream_log>(new jetstream_log(std::move(p)));
}

result<std::uint64_t> jetstream_log::last_seq() const {
  jsOptions jo = wait_options(impl_->settings.timeout);
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr{};
  natsStatus s =
      js_GetStreamInfo(&raw, impl_->js.get(), impl_->settings.stream.c_str(), &jo, &jerr);
  nats_ptr<jsStreamInfo> info(raw);
  if (s != NATS_OK) return make_error(nats_error("cannot read the NATS stream's state", s, jerr));
  return info->State.LastSeq;
}

result<std::vector<storage::publish_outcome>> jetstream_log::publish(
    std::span<const storage::outgoing_record> records, std::optional<std::int64_t> latest) {
  // A record with a claim goes alone to its username's subject; the records between
  // claims go to <stream>.events, several as one batched record, up to max_frame_bytes.
  std::vector<outgoing> out;
  std::deque<std::string> frames;  // what batched records' bytes point into
  std::vector<std::size_t> message_of(records.size());
  for (std::size_t i = 0; i < records.size();) {
    const auto& r = records[i];
    if (!r.claim.empty()) {
      out.push_back({impl_->events_subject_prefix + "users." + hex(r.claim),
                     r.bytes,
                     r.publish_id,
                     {},
                     0 /* nobody has claimed it yet */});
      message_of[i++] = out.size() - 1;
      continue;
    }
    std::size_t end = i + 1, bytes = r.bytes.size();
    while (end < records.size() && records[end].claim.empty() &&
           bytes + records[end].bytes.size() + 4 <= max_frame_bytes)
      bytes += records[end++].bytes.size() + 4;
    outgoing o{impl_->events_subject_prefix + "events", r.bytes, r.publish_id, {}, {}};
    if (end - i > 1) {
      o.bytes = frames.emplace_back(storage::frame_events(records.subspan(i, end - i)));
      o.batched = true;
    }
    out.push_back(std::move(o));
    for (; i < end; ++i) message_of[i] = out.size() - 1;
  }
  std::string latest_text = latest ? std::to_string(*latest) : std::string();
  if (latest)
    out.push_back({impl_->latest_subject,
                   latest_text,
                   impl_->latest_id_prefix + std::to_string(++impl_->latest_publishes),
                   {},
                   {}});
  auto acks = impl_->publish_all(out);
  if (!acks) return make_error(acks.error());
  if (latest && !acks->back().stored)
    return make_error(errc::unavailable, "NATS did not store `latest`: " + acks->back().text);
  std::vector<storage::publish_outcome> outcomes;
  outcomes.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& a = (*acks)[message_of[i]];
    if (a.stored) {
      outcomes.push_back({storage::publish_status::stored, a.seq});
    } else if (a.code == JSStreamWrongLastSequenceErr) {
      outcomes.push_back({storage::publish_status::claimed_already, 0});
    } else {
      return make_error(errc::unavailable, "NATS refused a record: " + a.text);
    }
  }
  return outcomes;
}

result<void> jetstream_log::append(std::uint64_t expected_last_seq,
                                   std::span<const std::string> encoded, storage::write_batch&) {
  auto last = publish_in_order(expected_last_seq, expected_last_seq + 1, encoded, false);
  if (!last) return make_error(last.error());
  return {};
}

result<std::uint64_t> jetstream_log::import_events(std::uint64_t expected_last_record,
                                                   std::uint64_t first_event,
                                                   std::span<const std::string> encoded) {
  return publish_in_order(expected_last_record, first_event, encoded, true);
}

result<std::uint64_t> jetstream_log::publish_in_order(std::uint64_t expected_last_record,
                                                      std::uint64_t first_event,
                                                      std::span<const std::string> encoded,
                                                      bool batched) {
  // Registrations alone on their username's subject; with batched, the events between
  // them as batched records. Record k is expected at expected_last_record + k.
  std::vector<outgoing> out;
  std::deque<std::string> frames;
  std::vector<storage::outgoing_record> run;
  std::uint64_t run_first = 0;
  auto next_record = [&] { return expected_last_record + out.size(); };
  auto flush_run = [&] {
    if (run.empty()) return;
    outgoing o{impl_->events_subject_prefix + "events",
               run.front().bytes,
               "import-" + std::to_string(run_first),
               next_record(),
               {}};
    if (run.size() > 1) {
      o.bytes = frames.emplace_back(storage::frame_events(run));
      o.batched = true;
    }
    out.push_back(std::move(o));
    run.clear();
  };
  std::size_t run_bytes = 0;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    auto seq = first_event + i;
    auto env = storage::decode(seq, encoded[i]);
    if (!env) return make_error(env.error());
    if (const auto* r = std::get_if<core::user_registered>(&env->event)) {
      flush_run();
      out.push_back({impl_->events_subject_prefix + "users." + hex(r->username),
                     encoded[i],
                     "import-" + std::to_string(seq),
                     next_record(),
                     {}});
      continue;
    }
    if (!batched || (!run.empty() && run_bytes + encoded[i].size() + 4 > max_frame_bytes)) {
      flush_run();
      run_bytes = 0;
    }
    if (run.empty()) run_first = seq;
    run.push_back({encoded[i], {}, {}});
    run_bytes += encoded[i].size() + 4;
  }
  flush_run();
  auto acks = impl_->publish_all(out);
  if (!acks) return make_error(acks.error());
  for (std::size_t i = 0; i < acks->size(); ++i) {
    const auto& a = (*acks)[i];
    auto want = expected_last_record + i + 1;
    if (a.stored && a.seq == want) continue;
    if (a.code == JSStreamWrongLastSequenceErr || a.stored)
      return make_error(errc::conflict, "the NATS stream does not end at record " +
                                            std::to_string(want - 1) + ": " + a.text);
    return make_error(errc::unavailable,
                      "NATS refused record " + std::to_string(want) + ": " + a.text);
  }
  return expected_last_record + out.size();
}

result<void> jetstream_log::scan(std::uint64_t from, const storage::record_visitor& visit) const {
  auto head = last_seq();
  if (!head) return make_error(head.error());
  pull_reader reader(impl_->js.get(), impl_->settings.stream, impl_->events_subject_prefix + ">",
                     impl_->settings.timeout);
  std::uint64_t next = std::max<std::uint64_t>(from, 1);
  std::vector<storage::received_record> batch;
  while (next <= *head) {
    batch.clear();
    if (auto r = reader.fetch(next, receive_batch, impl_->settings.timeout, batch); !r) return r;
    if (batch.empty())
      return make_error(errc::unavailable, "the NATS stream did not deliver seq " +
                                               std::to_string(next) + " within the time bound");
    for (const auto& rec : batch) {
      if (rec.seq > *head) return {};
      auto events = storage::events_of(rec);
      if (!events) return make_error(events.error());
      for (auto e : *events)
        if (!visit(storage::log_record{rec.seq, e})) return {};
    }
  }
  return {};
}

result<void> jetstream_log::follow(std::uint64_t from, const storage::record_visitor& visit,
                                   std::stop_token stop) const {
  pull_reader reader(impl_->js.get(), impl_->settings.stream, impl_->events_subject_prefix + ">",
                     impl_->settings.timeout);
  std::uint64_t next = std::max<std::uint64_t>(from, 1);
  std::vector<storage::received_record> batch;
  while (!stop.stop_requested()) {
    batch.clear();
    if (auto r = reader.fetch(next, receive_batch, receive_wait, batch); !r) return r;
    for (const auto& rec : batch) {
      auto events = storage::events_of(rec);
      if (!events) return make_error(events.error());
      for (auto e : *events)
        if (!visit(storage::log_record{rec.seq, e})) return {};
    }
  }
  return {};
}

result<void> jetstream_log::start_receiving(std::uint64_t after, std::function<void()> wake) {
  if (impl_->receiver.joinable())
    return make_error(errc::invalid_argument, "the shared log is being received already");
  impl_->wake = std::move(wake);
  impl_->receiver = std::jthread(
      [p = impl_.get(), after](const std::stop_token& st) { p->receive_loop(after, st); });
  return {};
}

void jetstream_log::take_received(std::vector<storage::received_record>& out, std::size_t max) {
  {
    std::lock_guard lock(impl_->recv_mu);
    while (max-- > 0 && !impl_->received.empty()) {
      impl_->received_bytes -= impl_->received.front().bytes.size();
      out.push_back(std::move(impl_->received.front()));
      impl_->received.pop_front();
    }
  }
  impl_->recv_room.notify_all();
}

result<void> jetstream_log::store_latest(std::int64_t value) {
  auto text = std::to_string(value);
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = impl_->wait_ms();
  jsPubAck* pa = nullptr;
  jsErrCode jerr{};
  natsStatus s = js_Publish(&pa, impl_->js.get(), impl_->latest_subject.c_str(), text.data(),
                            static_cast<int>(text.size()), &po, &jerr);
  jsPubAck_Destroy(pa);
  if (s != NATS_OK) return make_error(nats_error("cannot store `latest` in NATS", s, jerr));
  return {};
}

result<std::optional<std::int64_t>> jetstream_log::load_latest() const {
  jsOptions jo = wait_options(impl_->settings.timeout);
  natsMsg* raw = nullptr;
  jsErrCode jerr{};
  natsStatus s = js_GetLastMsg(&raw, impl_->js.get(), impl_->latest_stream.c_str(),
                               impl_->latest_subject.c_str(), &jo, &jerr);
  nats_ptr<natsMsg> m(raw);
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) return std::optional<std::int64_t>{};
  if (s != NATS_OK) return make_error(nats_error("cannot read `latest` from NATS", s, jerr));
  std::string text(natsMsg_GetData(m.get()), natsMsg_GetDataLength(m.get()));
  try {
    return std::optional<std::int64_t>{std::stoll(text)};
  } catch (const std::exception&) {
    return make_error(errc::corrupt, "the stored `latest` is not a number: " + text);
  }
}

bool jetstream_log::connected() const {
  return natsConnection_Status(impl_->conn.get()) == NATS_CONN_STATUS_CONNECTED;
}

std::string jetstream_log::describe() const {
  std::string state = connected() ? "connected" : "reconnecting";
  char url[256] = {};
  if (connected() && natsConnection_GetConnectedUrl(impl_->conn.get(), url, sizeof url) == NATS_OK)
    state += std::string(" to ") + url;
  std::lock_guard lock(impl_->recv_mu);
  if (!impl_->recv_error.empty()) state += "; receiving: " + impl_->recv_error;
  return state;
}

}  // namespace minitwit::cluster
