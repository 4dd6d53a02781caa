#include "app/writer.hpp"

#include <sys/statvfs.h>

#include <type_traits>

#include "app/writer_batch.hpp"
#include "storage/event_codec.hpp"
#include "storage/meta.hpp"
#include "storage/write_batch.hpp"

namespace minitwit::app {

namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

result<std::unique_ptr<writer>> writer::start(storage::database& db, storage::event_log& log,
                                              projections::projector& proj,
                                              writer_options options) {
  if (!options.now_ms) options.now_ms = system_now_ms;
  std::unique_ptr<writer> w(new writer(db, log, proj, std::move(options)));
  auto last = log.last_seq();
  if (!last) return make_error(last.error());
  auto users = storage::read_meta_u64(db, storage::meta_key::next_user_id);
  auto msgs = storage::read_meta_u64(db, storage::meta_key::next_message_id);
  auto latest = storage::read_meta_optional(db, storage::meta_key::latest);
  if (!users) return make_error(users.error());
  if (!msgs) return make_error(msgs.error());
  if (!latest) return make_error(latest.error());
  w->latest_ = *latest ? static_cast<std::int64_t>(**latest) : -1;
  w->last_seq_ = *last;
  w->applied_seq_ = *last;
  w->next_user_id_ = std::max<std::uint64_t>(*users, 1);
  w->next_message_id_ = std::max<std::uint64_t>(*msgs, 1);
  if (w->shared_) {
    if (auto joined = w->join_shared(); !joined) return make_error(joined.error());
    w->thread_ = std::thread([p = w.get()] { p->run_shared(); });
  } else {
    w->thread_ = std::thread([p = w.get()] { p->run(); });
  }
  return w;
}

writer::writer(storage::database& db, storage::event_log& log, projections::projector& proj,
               writer_options options)
    : db_(db), log_(log), proj_(proj), options_(std::move(options)), shared_(options_.shared) {}

writer::~writer() { stop(); }

bool writer::submit(write_request r) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.queue_capacity) return false;
    queue_.push_back(std::move(r));
  }
  wake_.notify_one();
  return true;
}

void writer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::size_t writer::queue_depth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

writer_stats writer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

bool writer::caught_up() const {
  return caught_up_.load(std::memory_order_acquire) &&
         !apply_failed_.load(std::memory_order_acquire);
}

std::int64_t writer::current_latest() const {
  if (!shared_) return latest();
  auto stored = shared_->load_latest();
  if (!stored) return latest();
  return stored->value_or(-1);
}

bool writer::running() const {
  std::lock_guard lock(mu_);
  return !stopping_ && thread_.joinable();
}

void writer::run() {
  std::vector<write_request> requests;
  while (take(requests)) {
    process(requests);
    requests.clear();  // release the callbacks (and what they hold) now, not next batch
  }
}

bool writer::take(std::vector<write_request>& out) {
  std::unique_lock lock(mu_);
  wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return false;  // stopping, and everything queued is answered
  std::size_t n = std::min(queue_.size(), options_.max_batch);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return true;
}

void writer::process(std::vector<write_request>& requests) {
  batch b(db_, requests.size());
  b.now_ms = options_.now_ms();
  b.ctx = core::decision_context{b.now_ms / 1000, next_user_id_, next_message_id_};
  auto done = decide_all(requests, b);
  bool wrote = false;
  if (done && b.writes()) done = check_disk_reserve();
  if (done && b.writes()) {
    wrote = true;
    done = append_and_commit(b);
  }
  if (done) {
    publish(b);
  } else {
    abandon(b, done.error());
  }
  count(b, wrote, !done);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].done) requests[i].done(std::move(b.results[i]));
  }
}

// A command that breaks a rule is refused and the others go on; a state that cannot
// be read fails the whole batch.
result<void> writer::decide_all(std::vector<write_request>& requests, batch& b) {
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto& r = requests[i];
    auto& result = b.results[i];
    result.status = write_status::applied;
    if (r.latest) b.latest = r.latest;
    if (!r.command) continue;
    auto decided = core::decide(*r.command, proj_.state(), b.ctx);
    if (!decided) return make_error(decided.error());
    if (!*decided) {
      result.status = write_status::refused;
      result.error = decided->error();
      continue;
    }
    for (auto& ev : **decided) {
      if (std::holds_alternative<core::user_registered>(ev)) ++b.ctx.next_user_id;
      if (std::holds_alternative<core::message_posted>(ev)) ++b.ctx.next_message_id;
      storage::envelope env{last_seq_ + b.encoded.size() + 1, b.now_ms, r.latest, std::move(ev)};
      if (auto applied = proj_.apply(env, b.rows); !applied) return applied;
      b.encoded.push_back(storage::encode(env));
      result.events.push_back(std::move(env));
    }
  }
  return {};
}

result<void> writer::check_disk_reserve() const {
  if (options_.min_free_disk_bytes == 0) return {};
  struct statvfs fs {};
  if (::statvfs(db_.dir().c_str(), &fs) != 0) return {};
  auto free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (free_bytes >= options_.min_free_disk_bytes) return {};
  return make_error(errc::unavailable,
                    "the disk is almost full: " + std::to_string(free_bytes) + " bytes free, " +
                        std::to_string(options_.min_free_disk_bytes) + " kept in reserve");
}

result<void> writer::append_and_commit(batch& b) {
  if (!b.encoded.empty()) {
    if (auto appended = log_.append(last_seq_, b.encoded, b.rows); !appended) return appended;
    b.rows.put_meta(storage::meta_key::next_user_id, b.ctx.next_user_id);
    b.rows.put_meta(storage::meta_key::next_message_id, b.ctx.next_message_id);
    b.rows.put_meta(storage::meta_key::checkpoint, last_seq_ + b.encoded.size());
  }
  if (b.latest) b.rows.put_meta(storage::meta_key::latest, static_cast<std::uint64_t>(*b.latest));
  proj_.finish_batch(b.rows);
  auto started = std::chrono::steady_clock::now();
  auto written = db_.write(b.rows, storage::durability::synced);
  if (options_.on_batch)
    options_.on_batch(
        b.results.size(), b.encoded.size(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
        written.has_value());
  return written;
}

void writer::publish(const batch& b) {
  proj_.end_batch(true);
  if (b.latest) latest_.store(*b.latest, std::memory_order_release);
  last_seq_ += b.encoded.size();
  applied_seq_.store(last_seq_, std::memory_order_release);
  next_user_id_ = b.ctx.next_user_id;
  next_message_id_ = b.ctx.next_message_id;
}

void writer::abandon(batch& b, const error& e) {
  proj_.end_batch(false);
  if (options_.on_error) options_.on_error(e.message);
  for (auto& result : b.results)
    result = write_result{write_status::unavailable,
                          std::nullopt,
                          "the database cannot write right now: " + e.message,
                          {}};
}

void writer::count(const batch& b, bool wrote, bool failed) {
  std::lock_guard lock(mu_);
  stats_.batches += wrote ? 1 : 0;
  stats_.failed_batches += failed ? 1 : 0;
  stats_.commands += b.results.size();
  stats_.events += failed ? 0 : b.encoded.size();
}

}  // namespace minitwit::app
