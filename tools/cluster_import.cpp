// minitwit-admin cluster-import: moves a single-node data directory into a new cluster
// by publishing its event log, in order, into the cluster's JetStream stream.
//
// Every record is published at its own seq (JetStream's expected last sequence), with
// its Nats-Msg-Id, and keeps the user and message ids it has: the cluster's nodes give
// ids only to records published without them. A rerun after an interruption first
// checks, record by record, that what the stream holds is this log's prefix, then
// publishes the rest; a stream holding anything else is refused, never extended.
#include <fmt/format.h>

#include "storage/local_event_log.hpp"
#include "storage/meta.hpp"
#include "storage/write_batch.hpp"
#include "tools/admin_commands.hpp"
#include "tools/offline_database.hpp"
#include "tools/progress.hpp"

namespace minitwit::tools {

namespace {

constexpr std::size_t records_per_publish = 2000;

int fail(int code, const std::string& message) {
  fmt::print(stderr, "minitwit-admin: {}\n", message);
  return code;
}

// The first seq in 1..head at which the stream's record differs from the local one
// (0: none differs).
result<std::uint64_t> first_difference(const storage::event_log& local,
                                       const storage::event_log& stream, std::uint64_t head) {
  std::uint64_t differs = 0, checked = 0;
  std::optional<error> unreadable;
  progress bar("check", "events");
  auto compared = stream.scan(1, [&](const storage::log_record& theirs) {
    if (theirs.seq > head) return false;
    std::optional<std::string> mine;
    auto r = local.scan(theirs.seq, [&](const storage::log_record& m) {
      if (m.seq == theirs.seq) mine.emplace(m.bytes);
      return false;
    });
    if (!r) return unreadable = r.error(), false;  // a read error is not another history
    if (!mine || *mine != theirs.bytes) return differs = theirs.seq, false;
    bar.update(++checked, head);
    return true;
  });
  if (!compared) return make_error(compared.error());
  if (unreadable) return make_error(std::move(*unreadable));
  if (differs == 0 && checked < head) differs = checked + 1;
  bar.finish(checked);
  return differs;
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

  if (*head > *last)
    return fail(refused,
                fmt::format("the stream {} holds {} records, more than the {} events of {}: "
                            "it holds another history",
                            nats.stream, *head, *last, data_dir));
  if (*head > 0) {
    auto differs = first_difference(**local, **stream, *head);
    if (!differs) return fail(failed, differs.error().message);
    if (*differs != 0)
      return fail(refused, fmt::format("the stream {} already holds another history (record {} "
                                       "differs from {}'s): publish only into an empty stream",
                                       nats.stream, *differs, data_dir));
    fmt::print("the stream {} already holds events 1..{} of {}; publishing the rest\n", nats.stream,
               *head, data_dir);
  }

  progress bar("publish", "events");
  storage::write_batch unused(**db);  // the shared log writes nothing locally
  std::vector<std::string> chunk;
  std::uint64_t expected = *head;
  std::optional<error> failure;
  auto publish = [&]() -> bool {
    if (auto r = (*stream)->append(expected, chunk, unused); !r) return failure = r.error(), false;
    expected += chunk.size();
    chunk.clear();
    bar.update(expected - *head, *last - *head);
    return true;
  };
  auto scanned = (*local)->scan(*head + 1, [&](const storage::log_record& r) {
    if (r.seq > *last) return false;
    chunk.emplace_back(r.bytes);
    return chunk.size() < records_per_publish || publish();
  });
  if (scanned && !failure && !chunk.empty()) publish();
  if (!scanned) return fail(failed, scanned.error().message);
  if (failure)
    return fail(failure->code == errc::conflict ? refused : failed,
                fmt::format("{} (published up to seq {}; run the same command again to go on)",
                            failure->message, expected));
  bar.finish(expected - *head);

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
  fmt::print("published {} events into the stream {}; it now ends at seq {}\n", expected - *head,
             nats.stream, expected);
  return ok;
}

}  // namespace minitwit::tools
