#include "app/writer.hpp"

#include <sys/statvfs.h>

#include <type_traits>

#include "storage/meta.hpp"

namespace minitwit::app {

namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

expected<std::unique_ptr<writer>, std::string> writer::start(storage::database& db, projections::projector& proj,
                                                                  writer_options options) {
  if (!options.now_ms) options.now_ms = system_now_ms;
  std::unique_ptr<writer> w(new writer(db, proj, std::move(options)));
  auto last = w->log_.last_seq();
  if (!last) return unexpected(last.error());
  auto users = storage::read_meta_u64(db, storage::meta_key::next_user_id);
  auto msgs = storage::read_meta_u64(db, storage::meta_key::next_message_id);
  auto latest = storage::read_meta_optional(db, storage::meta_key::latest);
  if (!users) return unexpected(users.error());
  if (!msgs) return unexpected(msgs.error());
  if (!latest) return unexpected(latest.error());
  w->latest_ = *latest ? static_cast<std::int64_t>(**latest) : -1;
  w->next_seq_ = *last + 1;
  w->next_user_id_ = std::max<std::uint64_t>(*users, 1);
  w->next_message_id_ = std::max<std::uint64_t>(*msgs, 1);
  w->thread_ = std::thread([p = w.get()] { p->run(); });
  return w;
}

writer::writer(storage::database& db, projections::projector& proj, writer_options options)
    : db_(db), proj_(proj), log_(db), options_(std::move(options)) {}

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

bool writer::running() const {
  std::lock_guard lock(mu_);
  return !stopping_ && thread_.joinable();
}

void writer::run() {
  std::vector<write_request> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is answered
      std::size_t n = std::min(queue_.size(), options_.max_batch);
      batch.clear();
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    process(batch);
    batch.clear();  // release the callbacks (and what they hold) now, not next batch
  }
}

void writer::process(std::vector<write_request>& requests) {
  const std::int64_t now_ms = options_.now_ms();
  core::decision_context ctx{now_ms / 1000, next_user_id_, next_message_id_};
  std::uint64_t seq = next_seq_;
  std::optional<std::int64_t> latest;
  rocksdb::WriteBatch batch;
  std::vector<write_result> results(requests.size());

  std::string failure;  // set when reading state failed: the whole batch is refused
  try {
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto& r = requests[i];
    auto& result = results[i];
    result.status = write_status::applied;
    if (r.latest) latest = r.latest;
    if (!r.command) continue;
    auto decided = core::decide(*r.command, proj_.state(), ctx);
    if (!decided) {
      result.status = write_status::refused;
      result.error = decided.error();
      continue;
    }
    for (auto& ev : *decided) {
      if (std::holds_alternative<core::user_registered>(ev)) ++ctx.next_user_id;
      if (std::holds_alternative<core::message_posted>(ev)) ++ctx.next_message_id;
      storage::envelope env{seq++, now_ms, r.latest, std::move(ev)};
      log_.append(batch, env);
      proj_.apply(env, batch);
      result.events.push_back(std::move(env));
    }
  }
  } catch (const std::exception& ex) {
    failure = ex.what();
  }

  std::uint64_t event_count = seq - next_seq_;
  bool wrote = false;
  rocksdb::Status s;
  if (failure.empty() && (event_count > 0 || latest) && options_.min_free_disk_bytes > 0) {
    struct statvfs fs {};
    if (::statvfs(db_.dir().c_str(), &fs) == 0) {
      auto free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
      if (free_bytes < options_.min_free_disk_bytes)
        failure = "the disk is almost full: " + std::to_string(free_bytes) + " bytes free, " +
                  std::to_string(options_.min_free_disk_bytes) + " kept in reserve";
    }
  }
  if (failure.empty() && (event_count > 0 || latest)) {
    if (event_count > 0) {
      storage::put_meta_u64(db_, batch, storage::meta_key::next_user_id, ctx.next_user_id);
      storage::put_meta_u64(db_, batch, storage::meta_key::next_message_id, ctx.next_message_id);
      storage::put_meta_u64(db_, batch, storage::meta_key::checkpoint, seq - 1);
    }
    if (latest) storage::put_meta_u64(db_, batch, storage::meta_key::latest, static_cast<std::uint64_t>(*latest));
    proj_.finish_batch(batch);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    auto started = std::chrono::steady_clock::now();
    s = db_.db().Write(wo, &batch);
    wrote = true;
    if (options_.on_batch)
      options_.on_batch(requests.size(), event_count,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), s.ok());
  }

  if (!failure.empty() || (wrote && !s.ok())) {
    proj_.end_batch(false);
    if (wrote && !s.ok()) {
      failure = s.ToString();
      // A failed write may put RocksDB into read-only mode; ask it to resume so that
      // writes work again once the cause is gone.
      failure += "; resume: " + db_.db().Resume().ToString();
    }
    if (options_.on_error) options_.on_error(failure);
    for (auto& result : results) {
      result = write_result{write_status::unavailable, std::nullopt,
                            "the database cannot write right now: " + failure, {}};
    }
  } else {
    proj_.end_batch(true);
    if (latest) latest_.store(*latest, std::memory_order_release);
    next_seq_ = seq;
    next_user_id_ = ctx.next_user_id;
    next_message_id_ = ctx.next_message_id;
  }
  {
    std::lock_guard lock(mu_);
    stats_.batches += wrote ? 1 : 0;
    stats_.failed_batches += failure.empty() ? 0 : 1;
    stats_.commands += requests.size();
    stats_.events += failure.empty() ? event_count : 0;
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].done) requests[i].done(std::move(results[i]));
  }
}

}  // namespace minitwit::app
