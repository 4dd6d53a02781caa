#include "tools/legacy_import.hpp"

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <set>
#include <unordered_map>

#include "core/input_rules.hpp"
#include "projections/bulk_rebuild.hpp"
#include "storage/event_appender.hpp"
#include "storage/local_event_log.hpp"

namespace minitwit::tools {

namespace {

using db_ptr = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;
using stmt_ptr = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

struct legacy_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

stmt_ptr prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
    throw legacy_error(std::string("the legacy database does not have the expected schema (") +
                       sqlite3_errmsg(db) + ")");
  return stmt_ptr(s, &sqlite3_finalize);
}

std::string text(sqlite3_stmt* s, int col) {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, col))) : std::string();
}

class importer {
 public:
  importer(storage::event_appender& out, legacy_report& r) : out_(out), r_(r) {}

  void skip(const std::string& reason, const std::string& detail) {
    ++r_.skipped[reason];
    if (r_.examples.size() < 20) r_.examples.push_back(detail);
  }
  std::string clean(std::string s, const char* what) {
    if (core::is_valid_utf8(s)) return s;
    ++r_.repaired[std::string("invalid UTF-8 in ") + what];
    return repair_utf8(s);
  }
  void emit(core::event e) {
    if (auto ok = out_.append({0, now_ms_, std::nullopt, std::move(e)}); !ok)
      throw legacy_error(ok.error().message);
    ++r_.events;
  }

  void users(sqlite3* db) {
    auto s = prepare(db, "SELECT user_id, username, email, pw_hash FROM user ORDER BY user_id");
    std::unordered_map<std::string, std::int64_t> by_name;
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      auto old_id = sqlite3_column_int64(s.get(), 0);
      auto name = clean(text(s.get(), 1), "usernames");
      if (name.empty()) {
        skip("user without a username",
             "user " + std::to_string(old_id) + " has no username: skipped");
        continue;
      }
      if (auto dup = by_name.find(name); dup != by_name.end()) {
        // The same person twice: keep the first account and give it the second's rows.
        ids_[old_id] = ids_[dup->second];
        ++r_.repaired["duplicate username merged into the first account"];
        if (r_.examples.size() < 20)
          r_.examples.push_back("user " + std::to_string(old_id) + " repeats the username '" +
                                name + "' of user " + std::to_string(dup->second) +
                                ": merged into it");
        continue;
      }
      auto hash = text(s.get(), 3);
      if (hash.empty()) ++r_.repaired["user without a password hash (cannot log in until reset)"];
      core::user_id id = ++r_.users;
      by_name.emplace(name, old_id);
      ids_[old_id] = id;
      emit(core::user_registered{id, name, clean(text(s.get(), 2), "emails"), hash});
    }
  }

  void follows(sqlite3* db) {
    auto s = prepare(db, "SELECT who_id, whom_id FROM follower ORDER BY rowid");
    std::set<std::pair<core::user_id, core::user_id>> seen;
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      auto who = sqlite3_column_int64(s.get(), 0), whom = sqlite3_column_int64(s.get(), 1);
      auto a = ids_.find(who), b = ids_.find(whom);
      std::string row = "follow " + std::to_string(who) + " -> " + std::to_string(whom);
      if (a == ids_.end() || b == ids_.end()) {
        skip("follow of or by a missing user", row + ": a user does not exist, skipped");
      } else if (a->second == b->second) {
        skip("user following themselves", row + ": self-follow, skipped");
      } else if (!seen.emplace(a->second, b->second).second) {
        skip("duplicate follow", row + ": duplicate, skipped");
      } else {
        ++r_.follows;
        emit(core::user_followed{a->second, b->second});
      }
    }
  }

  void messages(sqlite3* db, const projections::progress_fn& progress, std::uint64_t total) {
    // Timelines are newest-first by id, so ids follow the original dates.
    auto s = prepare(db,
                     "SELECT message_id, author_id, text, pub_date, flagged FROM message "
                     "ORDER BY pub_date, message_id");
    std::uint64_t done = 0;
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      auto old_id = sqlite3_column_int64(s.get(), 0);
      auto author = ids_.find(sqlite3_column_int64(s.get(), 1));
      if (progress && ++done % 50000 == 0) progress(done, total);
      if (author == ids_.end()) {
        skip("message by a missing user",
             "message " + std::to_string(old_id) + " has no author: skipped");
        continue;
      }
      if (sqlite3_column_type(s.get(), 3) == SQLITE_NULL)
        ++r_.repaired["message without a date (set to 1970)"];
      core::message_id id = ++r_.messages;
      emit(core::message_posted{id, author->second, clean(text(s.get(), 2), "messages"),
                                sqlite3_column_int64(s.get(), 3)});
      if (sqlite3_column_int64(s.get(), 4) != 0) {
        ++r_.flagged;
        emit(core::message_flagged{id, true});
      }
    }
  }

 private:
  storage::event_appender& out_;
  legacy_report& r_;
  std::unordered_map<std::int64_t, core::user_id> ids_;
  std::int64_t now_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
};

}  // namespace

std::string repair_utf8(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    // Take the longest valid prefix of up to 4 bytes.
    std::size_t len = 0;
    for (std::size_t n = 1; n <= 4 && i + n <= s.size(); ++n)
      if (core::is_valid_utf8(s.substr(i, n))) {
        len = n;
        break;
      }
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out += s.substr(i, len);
      i += len;
    }
  }
  return out;
}

result<legacy_report> import_legacy_sqlite(const std::filesystem::path& file, storage::database& db,
                                           const projections::progress_fn& progress) {
  if (!std::filesystem::exists(file))
    return make_error(errc::not_found, file.string() + " does not exist");
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  db_ptr sqlite(raw, &sqlite3_close);
  if (rc != SQLITE_OK)
    return make_error(errc::io, "cannot open " + file.string() + ": " + sqlite3_errstr(rc));
  auto appender = storage::event_appender::open(db);
  if (!appender) return make_error(appender.error());
  legacy_report report;
  try {
    std::uint64_t total = 0;
    auto count = prepare(sqlite.get(), "SELECT count(*) FROM message");
    if (sqlite3_step(count.get()) == SQLITE_ROW)
      total = static_cast<std::uint64_t>(sqlite3_column_int64(count.get(), 0));
    importer imp(*appender, report);
    imp.users(sqlite.get());
    imp.follows(sqlite.get());
    imp.messages(sqlite.get(), progress, total);
  } catch (const legacy_error& e) {
    return make_error(errc::invalid_argument, e.what());
  }
  if (auto n = appender->finish(); !n) return make_error(n.error());
  auto log = storage::local_event_log::open(db);
  if (!log) return make_error(log.error());
  auto built = projections::full_rebuild(db, **log);
  if (!built) return make_error(built.error());
  return report;
}

}  // namespace minitwit::tools
