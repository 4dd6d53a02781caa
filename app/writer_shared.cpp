// The writer in cluster mode (see app/writer.hpp). One thread does everything, so that
// the projector is only ever touched by it:
//   apply    every record the shared log hands back, in the log's order, as one synced
//            write per round: this node's copy of the records' events (numbered here,
//            in the log's order, with the ids the order gives them), their read-model
//            rows, counters, checkpoint and the shared log's position;
//   decide   queued commands against the applied state; a refusal ("unknown user")
//            or a "nothing changes" is confirmed against the log's head first, so that
//            no node answers from state older than an answer another node gave;
//   publish  the events (a registration claims its username in the log; the others
//            travel as one batched record) and `latest`, in one round;
//   answer   each request once its records are applied here.
#include <algorithm>

#include "app/order_ids.hpp"
#include "app/writer.hpp"
#include "app/writer_batch.hpp"
#include "storage/event_codec.hpp"
#include "storage/meta.hpp"
#include "storage/write_batch.hpp"

namespace minitwit::app {

namespace {

constexpr std::size_t max_apply_batch = 20000;
// How long the thread sleeps when nothing wakes it: a bound, not a synchronisation
// (the shared log and submit() wake it).
constexpr auto idle_wait = std::chrono::milliseconds(200);

// What a decision with placeholder ids (0) looks like before the log orders it.
void clear_order_ids(core::event& e) {
  if (auto* r = std::get_if<core::user_registered>(&e)) r->id = 0;
  if (auto* m = std::get_if<core::message_posted>(&e)) m->id = 0;
}

// The shared log's record as this node resolved it: the ids the order gave.
void copy_order_ids(core::event& theirs, const core::event& ours) {
  auto* r = std::get_if<core::user_registered>(&theirs);
  auto* ro = std::get_if<core::user_registered>(&ours);
  if (r && ro && r->id == 0) r->id = ro->id;
  auto* m = std::get_if<core::message_posted>(&theirs);
  auto* mo = std::get_if<core::message_posted>(&ours);
  if (m && mo && m->id == 0) m->id = mo->id;
}

bool needs_confirmation(const core::decision& d) {
  if (!d) return d.error() != core::domain_error::username_taken;  // usernames stay taken
  return d->empty();
}

}  // namespace

result<void> writer::join_shared() {
  auto head = shared_->last_seq();
  if (!head) return make_error(head.error().prefixed("cannot read the shared event log: "));
  auto position = storage::read_meta_optional(db_, storage::meta_key::shared_log_seq);
  if (!position) return make_error(position.error());
  if (*position) {
    shared_seq_ = **position;
  } else if (last_seq_ > 0) {
    // The directory a log was imported from (or one from before batched records): its
    // position is the record that holds its last event, found once and kept.
    auto found = locate_record(last_seq_);
    if (!found) return make_error(found.error());
    shared_seq_ = *found;
  }
  applied_seq_ = shared_seq_;
  if (shared_seq_ > *head || (shared_seq_ == 0 && last_seq_ > 0))
    return make_error(errc::conflict,
                      "this data directory holds the shared log up to record " +
                          std::to_string(shared_seq_) + " (" + std::to_string(last_seq_) +
                          " events) but the shared log ends at " + std::to_string(*head) +
                          ": it belongs to another log (publish it into an empty stream with "
                          "minitwit-admin cluster-import, or start this node on an empty "
                          "data directory)");
  if (last_seq_ > 0) {
    // The last event here must be the last event of the shared log's record.
    std::optional<std::string> theirs;
    auto scanned = shared_->scan(shared_seq_, [&](const storage::log_record& r) {
      if (r.seq != shared_seq_) return false;
      theirs.emplace(r.bytes);
      return true;
    });
    if (!scanned) return make_error(scanned.error().prefixed("cannot read the shared log: "));
    std::optional<std::string> ours;
    auto mine = log_.scan(last_seq_, [&](const storage::log_record& r) {
      ours.emplace(r.bytes);
      return false;
    });
    if (!mine) return make_error(mine.error());
    auto a = theirs ? storage::decode(last_seq_, *theirs) : make_error(errc::not_found, "absent");
    auto b = ours ? storage::decode(last_seq_, *ours) : make_error(errc::not_found, "absent");
    if (a && b) copy_order_ids(a->event, b->event);
    if (!a || !b || *a != *b)
      return make_error(errc::conflict, "this data directory's event " + std::to_string(last_seq_) +
                                            " differs from the shared log's record " +
                                            std::to_string(shared_seq_) +
                                            ": it belongs to another log");
  }
  start_head_ = *head;
  caught_up_ = shared_seq_ >= start_head_;
  return {};
}

result<std::uint64_t> writer::locate_record(std::uint64_t events) {
  std::uint64_t counted = 0, record = 0;
  bool last_of_record = false;
  auto scanned = shared_->scan(1, [&](const storage::log_record& r) {
    if (counted == events) {
      last_of_record = r.seq != record;
      return false;
    }
    ++counted;
    record = r.seq;
    return true;
  });
  if (!scanned) return make_error(scanned.error().prefixed("cannot read the shared log: "));
  if (counted == events && counted > 0 && !last_of_record) {
    auto head = shared_->last_seq();
    if (!head) return make_error(head.error());
    last_of_record = record == *head;  // the scan ended with the log
  }
  if (counted < events || !last_of_record)
    return make_error(
        errc::conflict,
        "this data directory holds " + std::to_string(events) + " events, which end " +
            (counted < events ? "after the shared log's " + std::to_string(counted)
                              : "inside the shared log's record " + std::to_string(record)) +
            ": it belongs to another log (publish it into an empty stream with "
            "minitwit-admin cluster-import, or start this node on an empty "
            "data directory)");
  storage::write_batch b(db_);
  b.put_meta(storage::meta_key::shared_log_seq, record);
  if (auto w = db_.write(b, storage::durability::synced); !w) return make_error(w.error());
  return record;
}

void writer::run_shared() {
  auto started = shared_->start_receiving(shared_seq_, [this] {
    {
      std::lock_guard lock(mu_);
      log_woke_ = true;
    }
    wake_.notify_one();
  });
  if (!started) fail_applying(started.error());
  std::vector<write_request> requests;
  for (;;) {
    bool more = take_shared(requests);
    while (apply_received()) {
    }
    answer_applied(false);
    if (!requests.empty()) {
      process_shared(requests);
      requests.clear();
    }
    if (!more) break;
  }
  // Stopping: what was published gets its chance to be applied, within its deadline.
  while (!waiters_.empty()) {
    if (!apply_received()) {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, idle_wait, [&] { return log_woke_; });
      log_woke_ = false;
    }
    answer_applied(false);
  }
}

bool writer::take_shared(std::vector<write_request>& out) {
  std::unique_lock lock(mu_);
  wake_.wait_for(lock, idle_wait, [&] { return stopping_ || !queue_.empty() || log_woke_; });
  log_woke_ = false;
  std::size_t n = std::min(queue_.size(), options_.max_batch);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return !(stopping_ && queue_.empty());
}

bool writer::apply_received() {
  if (apply_failed_) return false;
  if (unapplied_.size() < max_apply_batch)
    shared_->take_received(unapplied_, max_apply_batch - unapplied_.size());
  if (unapplied_.empty()) return false;

  storage::write_batch rows(db_);
  std::vector<std::string> encoded;
  id_counters ids{next_user_id_, next_message_id_};
  std::uint64_t position = shared_seq_;
  std::size_t used = 0;  // records of unapplied_ this round takes
  for (; used < unapplied_.size() && encoded.size() < max_apply_batch; ++used) {
    const auto& rec = unapplied_[used];
    if (rec.seq <= position) continue;  // had it already
    if (rec.seq != position + 1) {
      proj_.end_batch(false);
      fail_applying({errc::corrupt, "the shared log skipped from record " +
                                        std::to_string(position) + " to " +
                                        std::to_string(rec.seq)});
      return false;
    }
    auto events = storage::events_of(rec);
    if (!events) {
      proj_.end_batch(false);
      fail_applying(events.error());
      return false;
    }
    for (auto bytes : *events) {
      auto env = storage::decode(last_seq_ + encoded.size() + 1, bytes);
      if (!env) {
        proj_.end_batch(false);
        fail_applying(env.error());
        return false;
      }
      ids.resolve(env->event);
      if (auto applied = proj_.apply(*env, rows); !applied) {
        proj_.end_batch(false);
        fail_applying(applied.error());
        return false;
      }
      encoded.push_back(storage::encode(*env));
    }
    position = rec.seq;
  }
  if (encoded.empty()) {
    unapplied_.erase(unapplied_.begin(), unapplied_.begin() + static_cast<std::ptrdiff_t>(used));
    return true;
  }
  if (auto appended = log_.append(last_seq_, encoded, rows); !appended) {
    proj_.end_batch(false);
    fail_applying(appended.error());
    return false;
  }
  std::uint64_t to = last_seq_ + encoded.size();
  rows.put_meta(storage::meta_key::next_user_id, ids.user);
  rows.put_meta(storage::meta_key::next_message_id, ids.message);
  rows.put_meta(storage::meta_key::checkpoint, to);
  rows.put_meta(storage::meta_key::shared_log_seq, position);
  auto latest = latest_.load(std::memory_order_acquire);
  if (latest >= 0) rows.put_meta(storage::meta_key::latest, static_cast<std::uint64_t>(latest));
  proj_.finish_batch(rows);
  auto started = std::chrono::steady_clock::now();
  auto written = db_.write(rows, storage::durability::synced);
  if (options_.on_batch)
    options_.on_batch(
        0, encoded.size(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
        written.has_value());
  proj_.end_batch(written.has_value());
  if (!written) {
    // Kept in unapplied_: the next round tries again.
    if (options_.on_error) options_.on_error(written.error().message);
    return false;
  }
  unapplied_.erase(unapplied_.begin(), unapplied_.begin() + static_cast<std::ptrdiff_t>(used));
  last_seq_ = to;
  shared_seq_ = position;
  applied_seq_.store(position, std::memory_order_release);
  next_user_id_ = ids.user;
  next_message_id_ = ids.message;
  if (!caught_up_ && shared_seq_ >= start_head_) caught_up_ = true;
  {
    std::lock_guard lock(mu_);
    stats_.events += encoded.size();
  }
  return true;
}

void writer::fail_applying(const error& e) {
  apply_error_ = "cannot apply the shared log: " + e.message;
  apply_failed_ = true;
  if (options_.on_error) options_.on_error(apply_error_);
}

result<void> writer::wait_applied(std::uint64_t seq,
                                  std::chrono::steady_clock::time_point deadline) {
  while (shared_seq_ < seq) {
    if (apply_failed_) return make_error(errc::unavailable, apply_error_);
    if (apply_received()) continue;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
      return make_error(errc::unavailable, "this node has applied the shared log up to record " +
                                               std::to_string(shared_seq_) + ", not yet " +
                                               std::to_string(seq));
    std::unique_lock lock(mu_);
    wake_.wait_until(lock, std::min(deadline, now + idle_wait), [&] { return log_woke_; });
    log_woke_ = false;
  }
  return {};
}

void writer::answer_applied(bool all) {
  auto now = std::chrono::steady_clock::now();
  while (!waiters_.empty()) {
    auto& w = waiters_.front();
    bool applied = shared_seq_ >= w.seq;
    if (!applied && !all && now < w.deadline && !apply_failed_) break;
    for (std::size_t i = 0; i < w.requests.size(); ++i) {
      auto& result = w.results[i];
      if (!applied && result.status == write_status::applied && !result.events.empty())
        result = write_result{write_status::unavailable,
                              std::nullopt,
                              "stored in the shared log, but not yet applied on this node",
                              {}};
      if (w.requests[i].done) w.requests[i].done(std::move(result));
    }
    waiters_.pop_front();
  }
}

void writer::process_shared(std::vector<write_request>& requests) {
  batch b(db_, requests.size());
  b.now_ms = options_.now_ms();
  b.ctx = core::decision_context{b.now_ms / 1000, 0, 0};
  std::vector<std::size_t> to_confirm;
  auto done = decide_shared(requests, b, to_confirm, false);
  if (done && !to_confirm.empty()) {
    auto head = shared_->last_seq();
    if (!head) done = make_error(head.error());
    if (done) done = wait_applied(*head, std::chrono::steady_clock::now() + options_.apply_timeout);
    if (done) done = decide_shared(requests, b, to_confirm, true);
  }
  bool writes = b.latest.has_value();
  for (const auto& result : b.results) writes = writes || !result.events.empty();
  if (done && writes) done = check_disk_reserve();
  std::uint64_t need = 0;  // the shared log's last record of this batch
  if (done && writes) {
    auto started = std::chrono::steady_clock::now();
    auto published = publish_shared(requests, b);
    if (published) need = *published;
    done = published ? result<void>{} : make_error(published.error());
    if (done && options_.on_publish)
      options_.on_publish(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  if (!done) {
    for (auto& result : b.results)
      result = write_result{write_status::unavailable,
                            std::nullopt,
                            "the shared event log cannot write right now: " + done.error().message,
                            {}};
    if (options_.on_error) options_.on_error(done.error().message);
  }
  {
    std::lock_guard lock(mu_);
    stats_.batches += writes ? 1 : 0;
    stats_.failed_batches += done ? 0 : 1;
    stats_.commands += b.results.size();
  }
  waiters_.push_back(waiter{std::move(requests), std::move(b.results), need,
                            std::chrono::steady_clock::now() + options_.apply_timeout});
  requests.clear();
  answer_applied(false);
}

// Decides every request (confirming: only those in to_confirm, against a state now
// caught up with the log's head). No command stages anything: decisions see the
// applied state only, and the log's order settles what concurrent decisions mean
// (a second follow of the same pair changes nothing when applied).
result<void> writer::decide_shared(std::vector<write_request>& requests, batch& b,
                                   std::vector<std::size_t>& to_confirm, bool confirming) {
  std::vector<std::size_t> all;
  if (!confirming) {
    all.resize(requests.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  }
  const auto& which = confirming ? to_confirm : all;
  for (auto i : which) {
    auto& r = requests[i];
    auto& result = b.results[i];
    result.status = write_status::applied;
    if (!confirming && r.latest) b.latest = r.latest;
    if (!r.command) continue;
    auto decided = core::decide(*r.command, proj_.state(), b.ctx);
    if (!decided) return make_error(decided.error());
    if (!confirming && needs_confirmation(*decided)) {
      to_confirm.push_back(i);
      continue;
    }
    if (!*decided) {
      result.status = write_status::refused;
      result.error = decided->error();
      continue;
    }
    for (auto& ev : **decided) {
      clear_order_ids(ev);
      result.events.push_back(storage::envelope{0, b.now_ms, r.latest, std::move(ev)});
    }
  }
  return {};
}

result<std::uint64_t> writer::publish_shared(std::vector<write_request>& requests, batch& b) {
  std::vector<storage::outgoing_record> out;
  std::vector<std::size_t> owner;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    for (const auto& env : b.results[i].events) {
      storage::outgoing_record rec;
      rec.bytes = storage::encode(env);
      if (const auto* r = std::get_if<core::user_registered>(&env.event)) rec.claim = r->username;
      rec.publish_id = options_.publish_id_prefix + std::to_string(++next_publish_);
      out.push_back(std::move(rec));
      owner.push_back(i);
    }
  }
  auto outcomes = shared_->publish(out, b.latest);
  if (!outcomes) return make_error(outcomes.error());
  std::uint64_t last = 0;
  for (std::size_t k = 0; k < out.size(); ++k) {
    const auto& o = (*outcomes)[k];
    if (o.status == storage::publish_status::claimed_already)
      b.results[owner[k]] =
          write_result{write_status::refused, core::domain_error::username_taken, {}, {}};
    else
      last = std::max(last, o.seq);
  }
  if (b.latest) latest_.store(*b.latest, std::memory_order_release);
  return last;
}

}  // namespace minitwit::app
