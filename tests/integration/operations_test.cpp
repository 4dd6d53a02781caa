// Recovery and administration end to end: minitwit-admin and minitwit-replay against
// real servers and data directories.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <atomic>
#include <boost/json.hpp>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "projections/rows.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/record.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/run_tool.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/web_client.hpp"

using namespace minitwit;
using namespace minitwit::test;
namespace json = boost::json;

namespace {

std::string reg(const std::string& u) {
  return json::serialize(json::object{{"username", u}, {"email", u + "@x.dk"}, {"pwd", "pw"}});
}

// Everything the simulator API can tell about these users.
std::string api_state(const server_process& s, const std::vector<std::string>& users) {
  std::string out =
      request(s.api(), "GET", "/latest").body + "\n" + sim(s.api(), "GET", "/msgs?no=100000").body;
  for (auto& u : users)
    out += "\n" + u + ": " + sim(s.api(), "GET", "/msgs/" + u + "?no=100000").body + " " +
           sim(s.api(), "GET", "/fllws/" + u + "?no=100000").body;
  return out;
}

std::uint64_t last_seq(const server_process& s) {
  auto r = run_tool("minitwit-admin", {"stats", "--json", "--server", s.admin()});
  REQUIRE(r.exit_code == 0);
  return json::parse(r.output).at("last_seq").to_number<std::uint64_t>();
}

const std::vector<std::string> users = {"u0", "u1", "u2", "u3", "u4"};

void seed(const server_process& s) {
  for (auto& u : users) REQUIRE(request(s.api(), "POST", "/register", reg(u)).status == 204);
}

// Posts, follows and unfollows from several threads until stopped; records what was
// acknowledged.
struct write_load {
  const server_process& s;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acked;
  std::vector<std::thread> threads;
  explicit write_load(const server_process& server, int n = 3) : s(server) {
    for (int t = 0; t < n; ++t)
      threads.emplace_back([this, t] {
        for (int i = 0; i < 2000 && !stop; ++i) {
          const auto& u = users[(t + i) % users.size()];
          std::string text = "t" + std::to_string(t) + "-" + std::to_string(i);
          if (sim(s.api(), "POST", "/msgs/" + u + "?latest=" + std::to_string(i),
                  json::serialize(json::object{{"content", text}}))
                  .status == 204) {
            std::lock_guard lock(mu);
            acked.push_back(text);
          }
          auto other = users[(t + i + 1) % users.size()];
          sim(s.api(), "POST", "/fllws/" + u,
              json::serialize(json::object{{i % 3 ? "follow" : "unfollow", other}}));
        }
      });
  }
  std::vector<std::string> acknowledged() {
    std::lock_guard lock(mu);
    return acked;
  }
  void finish() {
    stop = true;
    for (auto& t : threads) t.join();
    threads.clear();
  }
  ~write_load() { finish(); }
};

}  // namespace

TEST_CASE(
    "a backup taken under concurrent writes restores to a server answering as the original did "
    "then") {
  temp_dir dir;
  auto data = (dir.path() / "data").string(), backups = (dir.path() / "backups").string();
  std::uint64_t seq = 0;
  {
    server_process s({}, data);
    seed(s);
    write_load load(s);
    while (load.acknowledged().size() < 50) std::this_thread::yield();
    auto b = run_tool("minitwit-admin", {"backup", "--server", s.admin(), "--to", backups});
    INFO(b.output);
    REQUIRE(b.exit_code == 0);
    load.finish();
    CHECK(s.stop() == 0);
  }
  auto verified = run_tool("minitwit-admin", {"backup", "verify", "--dir", backups});
  INFO(verified.output);
  REQUIRE(verified.exit_code == 0);
  auto at = verified.output.find("events up to ");
  REQUIRE(at != std::string::npos);
  seq = std::stoull(verified.output.substr(at + 13));
  CHECK(seq > users.size());

  auto restored = (dir.path() / "restored").string(), pit = (dir.path() / "pit").string();
  auto r = run_tool("minitwit-admin", {"restore", "--from", backups, "--data-dir", restored});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto p = run_tool("minitwit-replay",
                    {"--data-dir", data, "--to", pit, "--until-seq", std::to_string(seq)});
  INFO(p.output);
  REQUIRE(p.exit_code == 0);
  server_process from_backup({}, restored), from_replay({}, pit);
  CHECK(last_seq(from_backup) == seq);
  CHECK(api_state(from_backup, users) == api_state(from_replay, users));
  CHECK(run_tool("minitwit-admin", {"restore", "--from", backups, "--data-dir", restored})
            .exit_code == 4);
}

TEST_CASE(
    "a snapshot holds every write acknowledged before it was requested, and nothing half-applied") {
  temp_dir dir;
  auto snap = (dir.path() / "snap").string();
  std::vector<std::string> before;
  {
    server_process s;
    seed(s);
    write_load load(s);
    while (load.acknowledged().size() < 50) std::this_thread::yield();
    before = load.acknowledged();
    auto r = run_tool("minitwit-admin", {"snapshot", "--server", s.admin(), "--to", snap});
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(r.output.find("snapshot of event ") != std::string::npos);
  }
  {
    server_process s({}, snap);
    auto all = sim(s.api(), "GET", "/msgs?no=100000").body;
    for (auto& text : before) CHECK(all.find("\"" + text + "\"") != std::string::npos);
  }
  auto v = run_tool("minitwit-replay", {"--data-dir", snap, "--verify"});
  INFO(v.output);
  CHECK(v.exit_code == 0);
  CHECK(v.output.find("no drift") != std::string::npos);
}

TEST_CASE("point-in-time replay reproduces the state at N, or at a time") {
  temp_dir dir;
  auto data = (dir.path() / "data").string();
  std::string state_at_n;
  std::uint64_t n = 0;
  {
    server_process s({}, data);
    seed(s);
    sim(s.api(), "POST", "/msgs/u1?latest=11", R"({"content":"before"})");
    sim(s.api(), "POST", "/fllws/u1", R"({"follow":"u2"})");
    n = last_seq(s);
    state_at_n = api_state(s, users);
    sim(s.api(), "POST", "/msgs/u1?latest=12", R"({"content":"after"})");
    sim(s.api(), "POST", "/fllws/u1", R"({"unfollow":"u2"})");
    CHECK(api_state(s, users) != state_at_n);
  }
  auto pit = (dir.path() / "pit").string();
  auto r = run_tool("minitwit-replay",
                    {"--data-dir", data, "--to", pit, "--until-seq", std::to_string(n)});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  {
    server_process s({}, pit);
    CHECK(api_state(s, users) == state_at_n);
  }
  auto everything = (dir.path() / "all").string(), nothing = (dir.path() / "none").string();
  REQUIRE(run_tool("minitwit-replay",
                   {"--data-dir", data, "--to", everything, "--until-time", "2999-01-01T00:00:00Z"})
              .exit_code == 0);
  REQUIRE(run_tool("minitwit-replay",
                   {"--data-dir", data, "--to", nothing, "--until-time", "946684800"})
              .exit_code == 0);
  CHECK(
      json::parse(run_tool("minitwit-admin", {"stats", "--json", "--data-dir", everything}).output)
          .at("last_seq") == n + 2);
  CHECK(json::parse(run_tool("minitwit-admin", {"stats", "--json", "--data-dir", nothing}).output)
            .at("last_seq") == 0);
  CHECK(run_tool("minitwit-replay", {"--data-dir", data, "--until-seq", "3"}).exit_code == 2);
  CHECK(run_tool("minitwit-replay", {"--data-dir", data, "--to", pit, "--until-seq", "3"})
            .exit_code == 4);
}

TEST_CASE("--verify catches a corrupted read-model row, and an in-place replay repairs it") {
  temp_dir dir;
  auto data = (dir.path() / "data").string();
  {
    server_process s({}, data);
    seed(s);
    sim(s.api(), "POST", "/fllws/u0", R"({"follow":"u1"})");
  }
  auto corrupt = [&] {
    auto db = std::move(*storage::database::open(data));
    projections::user_row forged{1, "u0", "attacker@evil.example", "x"};
    rocksdb::WriteOptions wo;
    REQUIRE(db->db()
                .Put(wo, db->cf(storage::column::users), "u0", projections::encode_row(forged))
                .ok());
    REQUIRE(
        db->db().Delete(wo, db->cf(storage::column::follows), storage::keys::u64_pair(1, 2)).ok());
  };
  corrupt();
  auto v = run_tool("minitwit-replay", {"--data-dir", data, "--verify"});
  INFO(v.output);
  CHECK(v.exit_code == 3);
  CHECK(v.output.find("DRIFT: 2 differences") != std::string::npos);
  CHECK(v.output.find("users 'u0': value differs") != std::string::npos);
  CHECK(v.output.find(
            "follows 0x00000000000000010000000000000002: missing from the live read model") !=
        std::string::npos);
  REQUIRE(run_tool("minitwit-replay", {"--data-dir", data}).exit_code == 0);
  CHECK(run_tool("minitwit-replay", {"--data-dir", data, "--verify"}).exit_code == 0);
  // The ordinary path (through memtables) repairs the same way.
  corrupt();
  CHECK(run_tool("minitwit-replay", {"--data-dir", data, "--verify"}).exit_code == 3);
  REQUIRE(run_tool("minitwit-replay", {"--data-dir", data, "--ordinary"}).exit_code == 0);
  CHECK(run_tool("minitwit-replay", {"--data-dir", data, "--verify"}).exit_code == 0);
}

namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE(
    "a legacy Flask MiniTwit SQLite database migrates, and Werkzeug passwords log in and upgrade") {
  temp_dir dir;
  auto file = (dir.path() / "minitwit.db").string(), data = (dir.path() / "data").string();
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
  // The original schema (no UNIQUE constraints, as in the course's minitwit.db).
  exec(raw, R"(
    create table user (user_id integer primary key autoincrement, username string not null,
                       email string not null, pw_hash string not null);
    create table follower (who_id integer, whom_id integer);
    create table message (message_id integer primary key autoincrement, author_id integer not null,
                          text string not null, pub_date integer, flagged integer);
    insert into user values (1, 'alice', 'alice@example.com',
      'pbkdf2:sha256:1000$NaCl$60f8064f6ad3184c7bc1773b1492fc74385d9292b624711773b6f5a3605618f5');
    insert into user values (2, 'bob', 'bob@example.com',
      'scrypt:32768:8:1$saltSCRY$3e713bfe64415baf1ed327dadb8a705169b71f00cb1dea9ea72f739c4e3afff6038cf8baffe941d3c7ad19ab60124e678b9403636fa8f46b7bb53401a2524f9b');
    insert into user values (3, 'alice', 'alice2@example.com', 'pbkdf2:sha256:1000$x$00');
    insert into follower values (1, 2), (1, 2), (2, 99), (2, 2), (3, 2);
    insert into message values (1, 1, 'hello from 2012', 1330000000, 0);
    insert into message values (2, 2, 'a flagged one', 1330000100, 1);
    insert into message values (3, 99, 'orphan', 1330000200, 0);
    insert into message values (4, 3, 'by the duplicate alice', 1330000300, 0);
    insert into message values (5, 2, cast(x'626164ff2062797465' as text), 1330000400, 0);
  )");
  sqlite3_close(raw);

  auto r = run_tool("minitwit-admin", {"import-sqlite", file, "--data-dir", data});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("migrated 2 users, 4 messages (1 flagged), 1 follows") != std::string::npos);
  CHECK(r.output.find("skipped:  2 x duplicate follow") != std::string::npos);
  CHECK(r.output.find("skipped:  1 x follow of or by a missing user") != std::string::npos);
  CHECK(r.output.find("skipped:  1 x message by a missing user") != std::string::npos);
  CHECK(r.output.find("skipped:  1 x user following themselves") != std::string::npos);
  CHECK(r.output.find("repaired: 1 x duplicate username merged into the first account") !=
        std::string::npos);
  CHECK(r.output.find("repaired: 1 x invalid UTF-8 in messages") != std::string::npos);
  CHECK(run_tool("minitwit-admin", {"import-sqlite", file, "--data-dir", data}).exit_code == 4);

  server_process s({}, data);
  auto all = json::parse(sim(s.api(), "GET", "/msgs").body).as_array();
  REQUIRE(all.size() == 3);  // the flagged one is hidden
  CHECK(all[2].at("content") == "hello from 2012");
  CHECK(all[2].at("pub_date") == 1330000000);
  CHECK(all[1].at("content") == "by the duplicate alice");
  CHECK(all[1].at("user") == "alice");
  CHECK(all[0].at("content") == "bad\xEF\xBF\xBD byte");
  CHECK(sim(s.api(), "GET", "/fllws/alice").body == R"({"follows":["bob"]})");

  for (auto [user, pw] : {std::pair{"alice", "legacy-secret"}, std::pair{"bob", "legacy-secret"}}) {
    web_client c(s.web());
    CHECK(c.post("/login", {{"username", user}, {"password", "wrong"}})
              .body.find("Invalid password") != std::string::npos);
    CHECK(
        c.post("/login", {{"username", user}, {"password", pw}}).body.find("You were logged in") !=
        std::string::npos);
  }
  auto stats =
      json::parse(run_tool("minitwit-admin", {"stats", "--json", "--server", s.admin()}).output);
  CHECK(stats.at("events_by_type").at("password_rehashed") == 2);
  // Upgraded hashes still log in, and are not upgraded again.
  web_client again(s.web());
  CHECK(again.post("/login", {{"username", "alice"}, {"password", "legacy-secret"}})
            .body.find("You were logged in") != std::string::npos);
  stats =
      json::parse(run_tool("minitwit-admin", {"stats", "--json", "--server", s.admin()}).output);
  CHECK(stats.at("events_by_type").at("password_rehashed") == 2);
}

TEST_CASE("export, import, export is byte-identical, and the import serves the same answers") {
  temp_dir dir;
  auto data = (dir.path() / "data").string(), copy = (dir.path() / "copy").string();
  auto first = (dir.path() / "1.ndjson").string(), second = (dir.path() / "2.ndjson").string();
  std::string state;
  {
    server_process s({}, data);
    seed(s);
    sim(s.api(), "POST", "/msgs/u1?latest=5", R"({"content":"Blåbær \"quoted\" \n 😀"})");
    sim(s.api(), "POST", "/fllws/u1", R"({"follow":"u2"})");
    sim(s.api(), "POST", "/fllws/u1", R"({"unfollow":"u2"})");
    REQUIRE(run_tool("minitwit-admin", {"flag", "1", "--server", s.admin()}).exit_code == 0);
    REQUIRE(run_tool("minitwit-admin", {"unflag", "1", "--server", s.admin()}).exit_code == 0);
    state = api_state(s, users);
    auto e = run_tool("minitwit-admin", {"export", "--server", s.admin(), "--to", first});
    INFO(e.output);
    REQUIRE(e.exit_code == 0);
  }
  auto i = run_tool("minitwit-admin", {"import", first, "--data-dir", copy});
  INFO(i.output);
  REQUIRE(i.exit_code == 0);
  REQUIRE(run_tool("minitwit-admin", {"export", "--data-dir", copy, "--to", second}).exit_code ==
          0);
  auto slurp = [](const std::string& f) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  auto a = slurp(first);
  CHECK(std::count(a.begin(), a.end(), '\n') == 10);
  CHECK(a == slurp(second));
  server_process s({}, copy);
  CHECK(api_state(s, users) == state);
  // A broken line is refused with its line number, into a fresh directory.
  std::ofstream(dir.path() / "bad.ndjson")
      << a.substr(0, a.find('\n') + 1) << "{\"v\":1,\"seq\":2}\n";
  auto bad = run_tool("minitwit-admin", {"import", (dir.path() / "bad.ndjson").string(),
                                         "--data-dir", (dir.path() / "x").string()});
  CHECK(bad.exit_code == 1);
  CHECK(bad.output.find("line 2: missing field 'recorded_at_ms'") != std::string::npos);
}

TEST_CASE(
    "events of an older schema version are upcast; an unknown version stops replay naming its "
    "seq") {
  temp_dir dir;
  auto data = (dir.path() / "data").string();
  // Hand-written version-1 events, in the layout storage/event_codec.hpp documents:
  // cereal's endianness byte, envelope format 1, type tag, u16 version, recorded-at,
  // has-latest, then the v1 payload with personal fields inline.
  auto v1 = [](std::uint8_t type, auto&& payload) {
    storage::record_writer w;
    w.u8(1).u8(type).u16(1).i64(1600000000000).boolean(false);
    payload(w);
    return w.finish();
  };
  {
    auto db = std::move(*storage::database::open(data));
    rocksdb::WriteBatch b;
    auto events = db->cf(storage::column::events);
    (void)b.Put(events, storage::keys::u64(1),
                v1(1, [](auto& w) { w.u64(1).str("oldtimer").str("o@x").str("h"); }));
    (void)b.Put(events, storage::keys::u64(2),
                v1(2, [](auto& w) { w.u64(1).u64(1).str("written in 2020").i64(1600000000); }));
    REQUIRE(db->db().Write(rocksdb::WriteOptions(), &b).ok());
  }
  {
    server_process s({}, data);  // start-up replays the log into read models
    auto msgs = json::parse(sim(s.api(), "GET", "/msgs/oldtimer").body).as_array();
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].at("content") == "written in 2020");
    CHECK(msgs[0].at("pub_date") == 1600000000);
    CHECK(request(s.api(), "POST", "/register", reg("oldtimer")).status == 400);
  }
  auto exported = run_tool("minitwit-admin", {"export", "--data-dir", data});
  CHECK(exported.output.find(
            R"("data":{"id":1,"username":"oldtimer","email":"o@x","password_hash":"h"})") !=
        std::string::npos);
  {
    auto db = std::move(*storage::database::open(data));
    storage::record_writer w;
    w.u8(1).u8(2).u16(9).i64(0).boolean(false).u64(2).u64(1);
    REQUIRE(db->db()
                .Put(rocksdb::WriteOptions(), db->cf(storage::column::events),
                     storage::keys::u64(3), w.finish())
                .ok());
  }
  auto r =
      run_tool("minitwit-replay", {"--data-dir", data, "--to", (dir.path() / "copy").string()});
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("event 3: unsupported schema version 9 of type tag 2") != std::string::npos);
}

TEST_CASE("admin commands: moderation, refusals and exit codes") {
  server_process s;
  seed(s);
  sim(s.api(), "POST", "/msgs/u0", R"({"content":"rude"})");
  REQUIRE(run_tool("minitwit-admin", {"flag", "1", "--server", s.admin()}).exit_code == 0);
  CHECK(sim(s.api(), "GET", "/msgs").body == "[]");
  CHECK(sim(s.api(), "GET", "/msgs/u0").body == "[]");
  REQUIRE(run_tool("minitwit-admin", {"unflag", "1", "--server", s.admin()}).exit_code == 0);
  CHECK(sim(s.api(), "GET", "/msgs").body.find("rude") != std::string::npos);
  auto missing = run_tool("minitwit-admin", {"flag", "42", "--server", s.admin()});
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("Message not found") != std::string::npos);
  auto busy = run_tool("minitwit-admin", {"flag", "1", "--data-dir", s.data_dir()});
  CHECK(busy.exit_code == 4);
  CHECK(busy.output.find("in use by a running server: use --server") != std::string::npos);
  CHECK(run_tool("minitwit-admin", {}).exit_code == 2);
  CHECK(run_tool("minitwit-admin", {"snapshot", "--help"}).exit_code == 0);
  CHECK(run_tool("minitwit-replay", {"--help"}).exit_code == 0);
  auto stats = run_tool("minitwit-admin", {"stats", "--server", s.admin()});
  CHECK(stats.output.find("users             5") != std::string::npos);
  temp_dir dir;
  auto taken = run_tool("minitwit-admin", {"snapshot", "--server", s.admin(), "--to", dir.str()});
  CHECK(taken.exit_code == 1);
  CHECK(taken.output.find("server answered 409") != std::string::npos);
  CHECK(taken.output.find("exists already") != std::string::npos);
}

TEST_CASE("the admin listener asks for a token when one is configured") {
  ::setenv("MINITWIT_ADMIN_TOKEN", "test-token-123", 1);
  server_process s;
  ::unsetenv("MINITWIT_ADMIN_TOKEN");
  CHECK(request(s.admin(), "GET", "/admin/stats").status == 401);
  CHECK(request(s.admin(), "GET", "/admin/stats", "", {{"Authorization", "Bearer wrong"}}).status ==
        401);
  CHECK(request(s.admin(), "GET", "/admin/stats", "", {{"Authorization", "Bearer test-token-123"}})
            .status == 200);
  CHECK(request(s.admin(), "GET", "/health/ready").status == 200);  // health needs no token
  CHECK(run_tool("minitwit-admin", {"stats", "--server", s.admin()}).exit_code == 4);
}
