// minitwit-admin cluster-import: moves a single-node data directory into a new cluster
// by publishing its event log, in order, into the cluster's JetStream stream.
//
// Each registration is published alone on its username's subject (so the name stays
// taken), the events between registrations as batched records; every record at its own
// seq (JetStream's expected last sequence), with its Nats-Msg-Id, and every event keeps
// the user and message ids it has: the cluster's nodes give ids only to events published
// without them. A rerun after an interruption first checks, event by event, that what
// the stream holds is this log's prefix, then publishes the rest; a stream holding
// anything else is refused, never extended.
#include <fmt/format.h>

#include "storage/local_event_log.hpp"
#include "storage/meta.hpp"
#include "tools/admin_commands.hpp"
#include "tools/offline_database.hpp"
#include "tools/progress.hpp"

namespace minitwit::tools {

namespace {

constexpr std::size_t events_per_round = 20000;  // published, then acknowledged together

int fail(int code, const std::string& message) {
  fmt::print(stderr, "minitwit-admin: {}\n", message);
  return code;
}

struct stream_prefix {
  std::uint64_t events = 0;   // the stream's events, all equal to this log's first ones
  std::uint64_t differs = 0;  // else: the first event that differs (or is not here)
};

// Compares the stream's events (records 1..head) with the local log's, in order.
result<stream_prefix> compare_prefix(const storage::event_log& local,
                                     const storage::event_log& stream, std::uint64_t head,
                                     std::uint64_t local_events) {
  stream_prefix p;
  std::optional<error> unreadable;
  progress bar("check", "records");
  auto compared = stream.scan(1, [&](const storage::log_record& theirs) {
    if (theirs.seq > head) return false;
    auto n = p.events + 1;
    std::optional<std::string> mine;
    if (n <= local_events) {
      auto r = local.scan(n, [&](const storage::log_record& m) {
        if (m.seq == n) mine.emplace(m.bytes);
        return false;
      });
      if (!r) return unreadable = r.error(), false;  // a read error is not another history
    }
    if (!mine || *mine != theirs.bytes) return p.differs = n, false;
    p.events = n;
    bar.update(theirs.seq, head);
    return true;
  });
  if (!compared) return make_error(compared.error());
  if (unreadable) return make_error(std::move(*unreadable));
  bar.finish(head);
  return p;
}

}  // namespace

int cmd_cluster_import(const std::string& data_dir, const cluster::nats_settings& nats) {
  auto db = open_offline_database(data_dir, /*read_only=*/true);
  if (!db)
    return fail(
        db.error().code == errc::locked ? refused : failed,
        db.error().message + (db.error().code == errc::locked ? ": stop the server first" : ""));
  auto local = storage::local_event_log::open(**db);
  if (!local) return fail(failed, local.error().message);
  auto last = (*local)->last_seq();
  if (!last) return fail(failed, last.error().message);
  auto stream = cluster::jetstream_log::open(nats);
  if (!stream) return fail(failed, stream.error().message);
  auto head = (*stream)->last_seq();
  if (!head) return fail(failed, head.error().message);

  std::uint64_t published = 0;  // events of this log the stream holds already
  if (*head > 0) {
    auto prefix = compare_prefix(**local, **stream, *head, *last);
    if (!prefix) return fail(failed, prefix.error().message);
    if (prefix->differs != 0)
      return fail(refused, fmt::format("the stream {} already holds another history (event {} "
                                       "differs from {}'s): publish only into an empty stream",
                                       nats.stream, prefix->differs, data_dir));
    published = prefix->events;
    fmt::print("the stream {} already holds events 1..{} of {}; publishing the rest\n", nats.stream,
               published, data_dir);
  }

  progress bar("publish", "events");
  std::vector<std::string> chunk;
  std::uint64_t records = *head, events = published;
  std::optional<error> failure;
  auto publish = [&]() -> bool {
    auto r = (*stream)->import_events(records, events + 1, chunk);
    if (!r) return failure = r.error(), false;
    records = *r;
    events += chunk.size();
    chunk.clear();
    bar.update(events - published, *last - published);
    return true;
  };
  auto scanned = (*local)->scan(published + 1, [&](const storage::log_record& r) {
    if (r.seq > *last) return false;
    chunk.emplace_back(r.bytes);
    return chunk.size() < events_per_round || publish();
  });
  if (scanned && !failure && !chunk.empty()) publish();
  if (!scanned) return fail(failed, scanned.error().message);
  if (failure)
    return fail(failure->code == errc::conflict ? refused : failed,
                fmt::format("{} (published events up to {}; run the same command again to go on)",
                            failure->message, events));
  bar.finish(events - published);

  // The simulator's `latest`, unless a node stored one already.
  auto latest = storage::read_meta_optional(**db, storage::meta_key::latest);
  if (!latest) return fail(failed, latest.error().message);
  auto theirs = (*stream)->load_latest();
  if (!theirs) return fail(failed, theirs.error().message);
  if (*latest && !*theirs) {
    if (auto r = (*stream)->store_latest(static_cast<std::int64_t>(**latest)); !r)
      return fail(failed, r.error().message);
  } else if (*latest) {
    fmt::print("the cluster has a `latest` of its own ({}): kept\n", **theirs);
  }
  fmt::print("published {} events into the stream {}; it now ends at record {}\n",
             events - published, nats.stream, records);
  return ok;
}

}  // namespace minitwit::tools
