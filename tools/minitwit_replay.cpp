// minitwit-replay: rebuilds read models from the event log.
//   minitwit-replay --data-dir DIR                 rebuild in place (server stopped)
//   minitwit-replay --data-dir DIR --to NEW        rebuild into a new data directory
//   ... --to NEW --until-seq N | --until-time T    the state as it was then
//   minitwit-replay --data-dir DIR --verify        compare live read models with a rebuild
// Exit codes: 0 done (no drift), 1 failed, 2 usage, 3 drift found, 4 refused.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "projections/replay.hpp"
#include "storage/backup.hpp"
#include "tools/admin_commands.hpp"
#include "tools/offline_database.hpp"
#include "tools/progress.hpp"

using namespace minitwit;
using tools::exit_code;
namespace fs = std::filesystem;

namespace {

int fail(int code, const std::string& message) {
  fmt::print(stderr, "minitwit-replay: {}\n", message);
  return code;
}

// Unix seconds, or ISO 8601 UTC "2026-11-23T12:00:00Z"; returns milliseconds.
std::optional<std::int64_t> parse_time(const std::string& s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), ::isdigit)) return std::stoll(s) * 1000;
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  std::string rest;
  in >> rest;
  if (!rest.empty() && rest != "Z") return std::nullopt;
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000;
}

tl::expected<std::unique_ptr<storage::database>, int> open(const std::string& dir, bool read_only) {
  auto db = tools::open_offline_database(dir, read_only);
  if (db) return std::move(*db);
  if (db.error().code == errc::locked)
    return tl::make_unexpected(
        fail(exit_code::refused, db.error().message + ": stop it first, or use --to"));
  return tl::make_unexpected(fail(exit_code::failed, db.error().message));
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir, to, until_time;
  std::optional<std::uint64_t> until_seq;
  bool verify = false;
  std::size_t max_listed = 50;
  projections::replay_options options;
  CLI::App app{
      "minitwit-replay: rebuild MiniTwit-ES read models from the event log, in place, into a new "
      "directory, or as they were at a point in time; or verify live read models against a "
      "rebuild.\n"
      "Exit codes: 0 done (no drift), 1 failed, 2 usage error, 3 drift found, 4 refused."};
  app.add_option("--data-dir", data_dir, "Data directory whose log is replayed")->required();
  app.add_option("--to", to, "New data directory to build (default: rebuild in place)");
  auto* seq_opt = app.add_option("--until-seq", until_seq,
                                 "Keep events up to this sequence number (needs --to)");
  auto* time_opt = app.add_option(
      "--until-time", until_time,
      "Keep events recorded up to this time: unix seconds or 2026-11-23T12:00:00Z (needs --to)");
  seq_opt->excludes(time_opt);
  app.add_flag("--verify", verify,
               "Rebuild into scratch space and compare with the live read models");
  app.add_flag("--ordinary", options.ordinary,
               "Rebuild through memtables, event by event, instead of as sorted files "
               "(slower; the reference the default is tested against)");
  app.add_option("--max-listed", max_listed, "Differences listed at most with --verify")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int r = app.exit(e);
    return r == 0 ? 0 : exit_code::usage;
  }
  options.until_seq = until_seq;
  if (!until_time.empty()) {
    options.until_time_ms = parse_time(until_time);
    if (!options.until_time_ms)
      return fail(exit_code::usage, "--until-time '" + until_time + "' is not a time");
  }
  if ((until_seq || options.until_time_ms) && to.empty() && !verify)
    return fail(exit_code::usage,
                "a point in time needs --to NEW_DIR: the log itself is never cut");
  if (verify && !to.empty())
    return fail(exit_code::usage, "--verify builds in scratch space: leave out --to");

  tools::progress bar("replay", "events");
  options.progress = [&](std::uint64_t d, std::uint64_t t) { bar.update(d, t); };

  if (verify) {
    auto live = open(data_dir, /*read_only=*/true);
    if (!live) return live.error();
    auto scratch = fs::temp_directory_path() / fmt::format("minitwit-verify-{}", ::getpid());
    auto report = projections::replay_into(**live, scratch, options);
    if (!report) return fs::remove_all(scratch), fail(exit_code::failed, report.error().message);
    bar.finish(report->events_copied);
    result<projections::verify_report> cmp;
    {
      auto rebuilt = storage::database::open(scratch, tools::offline_options(/*read_only=*/true));
      if (!rebuilt)
        return fs::remove_all(scratch), fail(exit_code::failed, rebuilt.error().message);
      cmp = projections::compare_read_models(**live, **rebuilt, max_listed);
    }
    fs::remove_all(scratch);
    if (!cmp) return fail(exit_code::failed, cmp.error().message);
    if (cmp->differences == 0) {
      fmt::print("no drift: {} read-model rows match a rebuild of {} events\n", cmp->rows_compared,
                 report->events_copied);
      return exit_code::ok;
    }
    fmt::print("DRIFT: {} differences between the live read models and a rebuild of {} events:\n",
               cmp->differences, report->events_copied);
    for (auto& d : cmp->listed) fmt::print("  {} {}: {}\n", d.column, d.key, d.what);
    if (cmp->differences > cmp->listed.size())
      fmt::print("  ... and {} more\n", cmp->differences - cmp->listed.size());
    fmt::print("repair: stop the server and run minitwit-replay --data-dir {}\n", data_dir);
    return exit_code::damaged;
  }

  if (to.empty()) {
    auto db = open(data_dir, false);
    if (!db) return db.error();
    auto r = projections::rebuild_in_place(**db, options.progress, options.ordinary);
    if (!r) return fail(exit_code::failed, r.error().message);
    bar.finish(r->events);
    fmt::print("rebuilt every read model of {} from {} events ({:.0f} events/s)\n", data_dir,
               r->events, r->seconds > 0 ? r->events / r->seconds : 0.0);
    return exit_code::ok;
  }
  auto source = open(data_dir, /*read_only=*/true);
  if (!source) return source.error();
  if (!storage::is_empty_dir(to))
    return fail(exit_code::refused, to + " is not empty: replay into a new directory");
  auto r = projections::replay_into(**source, to, options);
  if (!r) return fail(exit_code::failed, r.error().message);
  bar.finish(r->events_copied);
  fmt::print("{} holds events 1..{} with rebuilt read models ({:.0f} events/s)\n", to,
             r->events_copied, r->seconds > 0 ? r->events_copied / r->seconds : 0.0);
  return exit_code::ok;
}
