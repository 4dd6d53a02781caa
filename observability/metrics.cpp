#include "observability/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/statvfs.h>

#include <atomic>
#include <map>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "app/writer.hpp"
#include "observability/process_figures.hpp"
#include "projections/inline_projector.hpp"
#include "storage/database.hpp"
#include "storage/event_log.hpp"
#include "storage/meta.hpp"

namespace minitwit::observability {

namespace pm = prometheus;

namespace {

const pm::Histogram::BucketBoundaries latency_buckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5};

std::atomic<std::uint64_t> next_instance{1};

}  // namespace

struct server_metrics::impl {
  std::shared_ptr<pm::Registry> registry = std::make_shared<pm::Registry>();
  pm::Family<pm::Counter>& requests =
      pm::BuildCounter()
          .Name("minitwit_http_requests_total")
          .Help("HTTP requests answered, by listener, route, method and status")
          .Register(*registry);
  pm::Family<pm::Histogram>& latency =
      pm::BuildHistogram()
          .Name("minitwit_http_request_duration_seconds")
          .Help("Time from a request's arrival to its answer, by listener and route")
          .Register(*registry);
  pm::Family<pm::Counter>& events = pm::BuildCounter()
                                        .Name("minitwit_events_appended_total")
                                        .Help("Events in the log, by type")
                                        .Register(*registry);
  pm::Histogram& batch_size = pm::BuildHistogram()
                                  .Name("minitwit_writer_batch_commands")
                                  .Help("Commands per group-commit batch")
                                  .Register(*registry)
                                  .Add({}, pm::Histogram::BucketBoundaries{
                                               1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048});
  pm::Histogram& fsync = pm::BuildHistogram()
                             .Name("minitwit_writer_fsync_duration_seconds")
                             .Help("Duration of each batch's synced write")
                             .Register(*registry)
                             .Add({}, latency_buckets);
  pm::Histogram& publish = pm::BuildHistogram()
                               .Name("minitwit_cluster_publish_duration_seconds")
                               .Help(
                                   "Cluster mode: each batch's publish to the shared log, "
                                   "until a majority of its replicas acknowledged it")
                               .Register(*registry)
                               .Add({}, latency_buckets);
  pm::Counter& failed_batches = pm::BuildCounter()
                                    .Name("minitwit_writer_failed_batches_total")
                                    .Help("Batches whose write failed (every command answered 503)")
                                    .Register(*registry)
                                    .Add({});
  pm::Counter& backups_ok = pm::BuildCounter()
                                .Name("minitwit_backups_total")
                                .Help("Scheduled backups taken and verified")
                                .Register(*registry)
                                .Add({});
  pm::Counter& backups_failed = pm::BuildCounter()
                                    .Name("minitwit_backup_failures_total")
                                    .Help("Scheduled backups that failed")
                                    .Register(*registry)
                                    .Add({});
  pm::Counter& process_cpu = pm::BuildCounter()
                                 .Name("process_cpu_seconds_total")
                                 .Help("User and system CPU time spent")
                                 .Register(*registry)
                                 .Add({});

  std::map<std::string, pm::Gauge*> named;  // simple gauges by metric name
  pm::Gauge& gauge(const std::string& name, const std::string& help) {
    auto it = named.find(name);
    if (it != named.end()) return *it->second;
    auto& g = pm::BuildGauge().Name(name).Help(help).Register(*registry).Add({});
    named.emplace(name, &g);
    return g;
  }

  // Distinguishes instances in the per-thread caches (an address could be reused).
  const std::string cache_prefix = std::to_string(next_instance.fetch_add(1)) + '\0';
  std::mutex mu;  // guards the caches, the sources and the counters' last values
  std::map<std::string, pm::Counter*> request_counters;
  std::map<std::string, pm::Histogram*> latency_histograms;
  std::map<std::string, pm::Counter*> event_counters;
  std::map<std::string, double> last_totals;
  storage::database* db = nullptr;
  const storage::event_log* log = nullptr;
  app::writer* writer = nullptr;
  projections::inline_projector* projector = nullptr;
  double last_cpu = 0;

  // Moves a counter up to an absolute total read from elsewhere.
  void raise_to(pm::Counter& c, const std::string& key, double total) {
    auto& last = last_totals[key];
    if (total > last) c.Increment(total - last), last = total;
  }
};

server_metrics::server_metrics() : impl_(std::make_unique<impl>()) {}
server_metrics::~server_metrics() = default;

void server_metrics::attach_database(storage::database& db, const storage::event_log& log) {
  std::lock_guard lock(impl_->mu);
  impl_->db = &db;
  impl_->log = &log;
}

void server_metrics::attach_writer(app::writer& w, projections::inline_projector& p) {
  std::lock_guard lock(impl_->mu);
  impl_->writer = &w;
  impl_->projector = &p;
  impl_->gauge("minitwit_writer_queue_capacity", "Writes the writer's queue holds at most")
      .Set(double(w.queue_capacity()));
}

void server_metrics::observe_request(std::string_view listener, std::string_view route,
                                     std::string_view method, unsigned status, double seconds) {
  // The families' children, found through a per-thread cache first: no lock and no
  // label maps on the hot path once a (listener, route, method, status) has been seen.
  struct children {
    pm::Counter* counter;
    pm::Histogram* histogram;
  };
  thread_local std::unordered_map<std::string, children> cache;
  std::string ckey;
  ckey.reserve(64);
  ckey.append(impl_->cache_prefix).append(listener).append(1, '\0').append(route);
  ckey.append(1, '\0').append(method).append(1, '\0').append(std::to_string(status));
  auto it = cache.find(ckey);
  if (it == cache.end()) {
    std::string key = std::string(listener) + '\0' + std::string(route);
    std::lock_guard lock(impl_->mu);
    auto& c = impl_->request_counters[ckey];
    if (!c)
      c = &impl_->requests.Add({{"listener", std::string(listener)},
                                {"route", std::string(route)},
                                {"method", std::string(method)},
                                {"status", std::to_string(status)}});
    auto& h = impl_->latency_histograms[key];
    if (!h)
      h = &impl_->latency.Add({{"listener", std::string(listener)}, {"route", std::string(route)}},
                              latency_buckets);
    it = cache.emplace(std::move(ckey), children{c, h}).first;
  }
  it->second.counter->Increment();
  it->second.histogram->Observe(seconds);
}

void server_metrics::observe_batch(std::size_t commands, std::size_t, double fsync_seconds,
                                   bool ok) {
  impl_->batch_size.Observe(double(commands));
  impl_->fsync.Observe(fsync_seconds);
  if (!ok) impl_->failed_batches.Increment();
}

void server_metrics::observe_publish(double seconds) { impl_->publish.Observe(seconds); }

void server_metrics::backup_finished(bool ok, std::int64_t unix_time) {
  std::lock_guard lock(impl_->mu);
  if (ok) {
    impl_->backups_ok.Increment();
    impl_
        ->gauge("minitwit_backup_last_success_timestamp_seconds",
                "When the last scheduled backup succeeded")
        .Set(double(unix_time));
  } else {
    impl_->backups_failed.Increment();
  }
}

void server_metrics::set_backup_interval(double seconds) {
  std::lock_guard lock(impl_->mu);
  impl_->gauge("minitwit_backup_interval_seconds", "Configured time between scheduled backups")
      .Set(seconds);
}

std::string server_metrics::scrape() {
  auto& d = *impl_;
  {
    std::lock_guard lock(d.mu);
    auto proc = read_process();
    d.gauge("process_resident_memory_bytes", "Resident memory size in bytes")
        .Set(proc.resident_bytes);
    d.gauge("process_open_fds", "Open file descriptors").Set(proc.open_fds);
    d.gauge("process_start_time_seconds", "Start time of the process since the epoch")
        .Set(proc.start_unix);
    d.raise_to(d.process_cpu, "cpu", proc.cpu_seconds);
    if (auto alloc = read_allocator()) {
      d.gauge("minitwit_allocator_allocated_bytes",
              "Bytes the process holds through malloc (jemalloc's count)")
          .Set(alloc->allocated_bytes);
      d.gauge("minitwit_allocator_resident_bytes", "Bytes jemalloc keeps in physical memory")
          .Set(alloc->resident_bytes);
    }
    d.gauge("minitwit_ready", "1 when read models are caught up and the writer runs")
        .Set(d.writer && d.writer->running() ? 1 : 0);
    if (d.db) {
      storage::database& db = *d.db;
      if (auto last = d.log->last_seq())
        d.gauge("minitwit_last_event_seq", "Sequence number of the newest event")
            .Set(double(*last));
      if (auto cp = storage::read_meta_u64(db, storage::meta_key::checkpoint))
        d.gauge("minitwit_projection_checkpoint", "Newest event applied to the read models")
            .Set(double(*cp));
      if (auto latest = storage::read_meta_optional(db, storage::meta_key::latest);
          latest && *latest)
        d.gauge("minitwit_latest", "The simulator's latest processed action")
            .Set(double(static_cast<std::int64_t>(**latest)));
      std::uint64_t sst = 0, pending = 0, memtables = 0, v = 0;
      for (std::size_t i = 0; i < storage::column_count; ++i) {
        auto* cf = db.cf(static_cast<storage::column>(i));
        if (db.db().GetIntProperty(cf, "rocksdb.total-sst-files-size", &v)) sst += v;
        if (db.db().GetIntProperty(cf, "rocksdb.estimate-pending-compaction-bytes", &v))
          pending += v;
        if (db.db().GetIntProperty(cf, "rocksdb.size-all-mem-tables", &v)) memtables += v;
      }
      d.gauge("minitwit_rocksdb_sst_bytes", "Size of RocksDB's table files").Set(double(sst));
      d.gauge("minitwit_rocksdb_pending_compaction_bytes",
              "Bytes RocksDB estimates it still has to compact")
          .Set(double(pending));
      d.gauge("minitwit_rocksdb_memtable_bytes",
              "Size of RocksDB's memtables, including those being flushed")
          .Set(double(memtables));
      // One block cache shared by every column family: its usage is the same on each.
      if (db.db().GetIntProperty(db.cf(storage::column::events), "rocksdb.block-cache-usage", &v))
        d.gauge("minitwit_rocksdb_block_cache_bytes", "Bytes held by RocksDB's block cache")
            .Set(double(v));
      if (db.db().GetIntProperty(db.cf(storage::column::events), "rocksdb.block-cache-capacity",
                                 &v))
        d.gauge("minitwit_rocksdb_block_cache_capacity_bytes",
                "The most RocksDB's block cache holds")
            .Set(double(v));
      struct statvfs fs {};
      if (::statvfs(db.dir().c_str(), &fs) == 0) {
        d.gauge("minitwit_data_disk_free_bytes", "Free bytes on the data directory's filesystem")
            .Set(double(fs.f_bavail) * fs.f_frsize);
        d.gauge("minitwit_data_disk_size_bytes", "Size of the data directory's filesystem")
            .Set(double(fs.f_blocks) * fs.f_frsize);
      }
    }
    if (d.writer)
      d.gauge("minitwit_writer_queue_depth", "Writes waiting for the writer")
          .Set(double(d.writer->queue_depth()));
    if (d.projector) {
      auto c = d.projector->counts();
      d.gauge("minitwit_users", "Registered users").Set(double(c.users));
      d.gauge("minitwit_messages", "Visible (unflagged) messages").Set(double(c.messages));
      d.gauge("minitwit_follows", "Follow relations").Set(double(c.follows));
      static const auto keys = projections::counter_keys();
      for (std::size_t i = 0; i < c.events_by_type.size(); ++i) {
        std::string type = keys[3 + i].substr(std::string_view("count.events.").size());
        auto& counter = d.event_counters[type];
        if (!counter) counter = &d.events.Add({{"type", type}});
        d.raise_to(*counter, "events." + type, double(c.events_by_type[i]));
      }
    }
  }
  std::ostringstream out;
  pm::TextSerializer().Serialize(out, d.registry->Collect());
  return std::move(out).str();
}

}  // namespace minitwit::observability
