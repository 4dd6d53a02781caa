// The shared event log on NATS JetStream (storage/shared_log.hpp), for cluster mode.
//
// Two streams, created when missing and checked when present:
//   <stream>         subjects <stream>.> ; file storage, replicated, kept forever, a
//                    duplicate window of two minutes. Registrations go to
//                    <stream>.users.<hex of the username> with an expected last
//                    subject sequence of 0: JetStream stores the first and refuses
//                    every later one, on whichever node it was decided. Every other
//                    event goes to <stream>.events, a batch's events between two
//                    registrations as one record (header Minitwit-Batch; its bytes a
//                    frame: storage::frame_events). Each record carries Nats-Msg-Id,
//                    so a publish retried within the window is stored once.
//   <stream>_latest  subject <stream>_latest, one message kept (a key-value entry):
//                    the simulator's `latest`. Not in the event log, since it changes
//                    with nearly every request and the log is kept forever; read
//                    from the stream's leader, so a read after a stored value sees it.
//                    Published in the same round as the batch's events (pipelined,
//                    one wait for all acks), not after them.
// Records are received on a thread of this log's through an ordered push consumer
// from a start sequence (cluster/ordered_reader.hpp: the server sends each record as it
// is stored, with flow control); the consumer is made again from the next seq needed
// after any error, gap or lost server. Bounded reads (scan) use a pull consumer
// (cluster/pull_reader.hpp).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "storage/shared_log.hpp"

namespace minitwit::cluster {

struct nats_settings {
  std::vector<std::string> servers;  // nats://HOST:PORT
  std::string stream = "minitwit";
  int replicas = 3;
  // The bound on connecting, on every JetStream request and on a publish's ack.
  std::chrono::milliseconds timeout{2000};
  std::string client_name = "minitwit";
  // Secrets, from the environment only (see server_config).
  std::optional<std::string> creds_file, user, password, token;
  std::optional<std::string> tls_ca, tls_cert, tls_key;
};

// "nats://a:4222,b:4222" (the scheme on the first or on every address) → the list of
// server URLs; errc::invalid_argument when an address is not HOST:PORT.
result<std::vector<std::string>> parse_nats_servers(const std::string& spec);

class jetstream_log final : public storage::shared_log {
 public:
  // Connects (within settings.timeout) and makes sure both streams exist with the
  // settings above; refuses a stream that exists with others.
  static result<std::unique_ptr<jetstream_log>> open(const nats_settings& settings);
  ~jetstream_log() override;

  // storage::event_log. append() publishes records expected at seq expected_last_seq+1,
  // +2, ... (errc::conflict when the stream ends elsewhere), one event a record,
  // idempotently: a record's publish id is its seq. `local` is untouched (the node's
  // copy is written by its writer as it applies). scan() and follow() visit every event,
  // with the seq of the record that holds it: a batched record's events share one.
  result<void> append(std::uint64_t expected_last_seq, std::span<const std::string> encoded,
                      storage::write_batch& local) override;
  result<std::uint64_t> last_seq() const override;
  result<void> scan(std::uint64_t from, const storage::record_visitor& visit) const override;
  result<void> follow(std::uint64_t from, const storage::record_visitor& visit,
                      std::stop_token stop) const override;

  // cluster-import: publishes a single-node log's events, the first being event
  // first_event, after record expected_last_record (errc::conflict when the stream
  // ends elsewhere): each registration alone on its username's subject, the events
  // between them as batched records; a record's publish id names its first event, so
  // a retried publish is stored once. The stream's new last record.
  result<std::uint64_t> import_events(std::uint64_t expected_last_record, std::uint64_t first_event,
                                      std::span<const std::string> encoded);

  // storage::shared_log
  result<std::vector<storage::publish_outcome>> publish(
      std::span<const storage::outgoing_record> records,
      std::optional<std::int64_t> latest) override;
  result<void> start_receiving(std::uint64_t after, std::function<void()> wake) override;
  void take_received(std::vector<storage::received_record>& out, std::size_t max) override;
  result<void> store_latest(std::int64_t value) override;
  result<std::optional<std::int64_t>> load_latest() const override;
  bool connected() const override;
  std::string describe() const override;

  jetstream_log(const jetstream_log&) = delete;
  jetstream_log& operator=(const jetstream_log&) = delete;

 private:
  struct impl;
  explicit jetstream_log(std::unique_ptr<impl> p);
  result<std::uint64_t> publish_in_order(std::uint64_t expected_last_record,
                                         std::uint64_t first_event,
                                         std::span<const std::string> encoded, bool batched);
  std::unique_ptr<impl> impl_;
};

}  // namespace minitwit::cluster
