// The command pipeline: a single writer with group commit. Request threads submit()
// commands into a bounded queue; one thread takes everything queued and runs it
// through the steps of process(), in order:
//   decide   each command against committed state plus the batch's pending writes
//            (core::decide), staging its events and read-model rows (the projector);
//   append   the events to the event log, after the log's last seq;
//   commit   events + rows + `latest` + id counters + checkpoint as ONE synced write;
//   publish  the new state (counters, `latest`, in-memory heads) — or abandon it;
//   answer   every request of the batch, only now.
// Durability costs one fsync per batch, not per request.
//
// Cluster mode (writer_options::shared): the steps differ, the queue and the answers do
// not. A batch is decided against this node's applied state, published to the shared
// log (which alone decides what must be decided once: a username is claimed there),
// and answered once the log has stored it AND this node has applied it, which the same
// thread does for every record the log hands back, this node's or any other's
// (app/writer_shared.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/commands.hpp"
#include "core/decide.hpp"
#include "core/result.hpp"
#include "projections/projector.hpp"
#include "storage/database.hpp"
#include "storage/event_log.hpp"
#include "storage/shared_log.hpp"

namespace minitwit::app {

enum class write_status {
  applied,      // written and fsynced (events may be empty: "nothing changes")
  refused,      // the command broke a domain rule; `latest` was still recorded
  unavailable,  // the write failed (disk full, I/O error) or the writer stopped
};

struct write_result {
  write_status status = write_status::unavailable;
  std::optional<core::domain_error> error;  // when refused
  std::string detail;                       // when unavailable
  std::vector<storage::envelope> events;    // what was recorded, when applied
};

// One queued request: a command, a `latest` to store, or both.
struct write_request {
  std::optional<core::command> command;
  std::optional<std::int64_t> latest;
  std::function<void(write_result)> done;  // called once, on the writer thread
};

struct writer_options {
  std::size_t queue_capacity = 10000;
  std::size_t max_batch = 2048;
  // The writer's clock in unix milliseconds; tests replace it.
  std::function<std::int64_t()> now_ms;
  // Called on the writer thread after each written batch (for metrics): commands in
  // it, events written, seconds spent in the synced write, whether it succeeded.
  std::function<void(std::size_t, std::size_t, double, bool)> on_batch;
  // Writes are refused (unavailable) while the data directory's filesystem has less
  // than this many bytes free, so that RocksDB itself never runs out of space: in the
  // RocksDB version Debian 12 ships (7.8), a write-ahead log that once hit "no space
  // left" keeps failing until the database is reopened (facebook/rocksdb#11643).
  // 0: no reserve.
  std::uint64_t min_free_disk_bytes = 0;
  // Cluster mode: called on the writer thread after each batch published to the shared
  // log, with the seconds from the first record sent to the last acknowledgement
  // (including `latest`'s), for metrics.
  std::function<void(double)> on_publish;
  // Called on the writer thread when a batch fails, with what RocksDB said (for logs).
  std::function<void(const std::string&)> on_error;
  // Cluster mode: the shared log this node publishes to and applies from; the log
  // given to start() is then this node's copy of it. nullptr: local mode.
  storage::shared_log* shared = nullptr;
  // Cluster mode: how long a write waits for its records to come back from the shared
  // log and be applied here before it is answered "unavailable".
  std::chrono::milliseconds apply_timeout{10000};
  // Cluster mode: prefix of the publish ids (with a counter): unique per process.
  std::string publish_id_prefix;
};

struct writer_stats {
  std::uint64_t batches = 0;
  std::uint64_t commands = 0;
  std::uint64_t events = 0;
  std::uint64_t failed_batches = 0;
};

class writer {
 public:
  // Reads the counters from meta and the log's last seq, then starts the thread; fails
  // if they are unreadable. db, log and proj must outlive the writer.
  static result<std::unique_ptr<writer>> start(storage::database& db, storage::event_log& log,
                                               projections::projector& proj,
                                               writer_options options = {});
  ~writer();  // stop()s

  // Queues a request. Returns false, without calling done, when the queue is full or
  // the writer is stopping: the caller answers "try again later".
  [[nodiscard]] bool submit(write_request r);

  // Finishes every queued request, then ends the thread. Idempotent.
  void stop();

  // The stored `latest` as of the last written batch (-1: never stored), without a read:
  // a request answered after its write sees its own value here.
  std::int64_t latest() const { return latest_.load(std::memory_order_acquire); }

  // The `latest` to answer GET /latest with: latest() in local mode; in cluster mode
  // the value any node stored last, asked of the shared log (this node's last known
  // value when the log cannot be reached).
  std::int64_t current_latest() const;

  // True once the read models have caught up with the log as it was when the writer
  // started (local mode: at once), and as long as applying has not failed.
  bool caught_up() const;
  bool cluster_mode() const { return shared_ != nullptr; }
  const storage::shared_log* shared() const { return shared_; }
  // Cluster mode: the shared log's last record applied here, and its last record when
  // the writer started (records, not events: a record may hold a batch of events).
  std::uint64_t applied_seq() const { return applied_seq_.load(std::memory_order_acquire); }
  std::uint64_t start_head() const { return start_head_; }

  std::size_t queue_depth() const;
  std::size_t queue_capacity() const { return options_.queue_capacity; }
  writer_stats stats() const;
  bool running() const;

  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

 private:
  struct batch;  // one batch of requests on its way through the pipeline
  // Cluster mode: a published batch, answered once the shared log's record seq is
  // applied here.
  struct waiter {
    std::vector<write_request> requests;
    std::vector<write_result> results;
    std::uint64_t seq = 0;
    std::chrono::steady_clock::time_point deadline;
  };

  writer(storage::database& db, storage::event_log& log, projections::projector& proj,
         writer_options options);
  void run();
  // Waits for requests and moves up to max_batch of them into out; false once stopping
  // with nothing left.
  bool take(std::vector<write_request>& out);
  void process(std::vector<write_request>& requests);
  // The steps of process(), in order.
  result<void> decide_all(std::vector<write_request>& requests, batch& b);
  result<void> check_disk_reserve() const;
  result<void> append_and_commit(batch& b);
  void publish(const batch& b);
  void abandon(batch& b, const error& e);
  void count(const batch& b, bool wrote, bool failed);

  // Cluster mode (app/writer_shared.cpp).
  // Checks that this node's copy is a prefix of the shared log; notes the log's head.
  result<void> join_shared();
  // The shared log's record that holds this node's last event (a directory without the
  // position); kept in meta.
  result<std::uint64_t> locate_record(std::uint64_t events);
  void run_shared();
  bool take_shared(std::vector<write_request>& out);
  void process_shared(std::vector<write_request>& requests);
  result<void> decide_shared(std::vector<write_request>& requests, batch& b,
                             std::vector<std::size_t>& to_confirm, bool confirming);
  // Publishes the batch's events and `latest`; the shared log's last record of them.
  result<std::uint64_t> publish_shared(std::vector<write_request>& requests, batch& b);
  // Applies what the shared log handed over; false when nothing was there.
  bool apply_received();
  // Applies until the shared log's record seq is applied here; fails after the deadline.
  result<void> wait_applied(std::uint64_t seq, std::chrono::steady_clock::time_point deadline);
  void answer_applied(bool all);
  void fail_applying(const error& e);

  storage::database& db_;
  storage::event_log& log_;
  projections::projector& proj_;
  writer_options options_;
  storage::shared_log* shared_ = nullptr;

  // Committed state: touched only by the writer thread.
  std::uint64_t last_seq_ = 0;
  std::uint64_t next_user_id_ = 1;
  std::uint64_t next_message_id_ = 1;
  std::atomic<std::int64_t> latest_{-1};
  std::atomic<std::uint64_t> applied_seq_{0};

  // Cluster mode, writer thread only except where atomic.
  std::uint64_t shared_seq_ = 0;  // the shared log's last record applied here
  std::uint64_t start_head_ = 0;
  std::atomic<bool> caught_up_{true};
  std::atomic<bool> apply_failed_{false};
  std::string apply_error_;
  std::deque<waiter> waiters_;
  std::vector<storage::received_record> unapplied_;
  std::uint64_t next_publish_ = 0;
  bool log_woke_ = false;  // guarded by mu_

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<write_request> queue_;
  bool stopping_ = false;
  writer_stats stats_;
  std::thread thread_;
};

}  // namespace minitwit::app
