#include "storage/event_json.hpp"

#include <boost/json.hpp>
#include <type_traits>

#include "core/input_rules.hpp"

namespace minitwit::storage {

namespace json = boost::json;

result<std::string> to_ndjson(const envelope& e) {
  std::string bad_field;
  auto text = [&](const char* name, const std::string& value) {
    if (bad_field.empty() && !core::is_valid_utf8(value)) bad_field = name;
    return json::string(value);
  };
  json::object data;
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, core::user_registered>) {
          data = {{"id", ev.id},
                  {"username", text("username", ev.username)},
                  {"email", text("email", ev.email)},
                  {"password_hash", text("password_hash", ev.password_hash)}};
        } else if constexpr (std::is_same_v<T, core::message_posted>) {
          data = {{"id", ev.id},
                  {"author", ev.author},
                  {"text", text("text", ev.text)},
                  {"pub_date", ev.pub_date}};
        } else if constexpr (std::is_same_v<T, core::message_flagged>) {
          data = {{"id", ev.id}, {"flagged", ev.flagged}};
        } else if constexpr (std::is_same_v<T, core::password_rehashed>) {
          data = {{"id", ev.id}, {"password_hash", text("password_hash", ev.password_hash)}};
        } else {
          data = {{"follower", ev.follower}, {"followee", ev.followee}};
        }
      },
      e.event);
  json::object line;
  line.reserve(6);
  line.emplace("v", 1);
  line.emplace("seq", e.seq);
  line.emplace("type", core::event_type_name(e.event));
  line.emplace("recorded_at_ms", e.recorded_at_ms);
  if (e.latest)
    line.emplace("latest", *e.latest);
  else
    line.emplace("latest", nullptr);
  line.emplace("data", std::move(data));
  if (!bad_field.empty())
    return make_error(errc::invalid_argument, "event " + std::to_string(e.seq) + ": field '" +
                                                  bad_field + "' is not valid UTF-8");
  return json::serialize(line);
}

namespace {

struct field_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json::value& field(const json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  if (!v) throw field_error("missing field '" + std::string(name) + "'");
  return *v;
}

std::uint64_t u64(const json::object& o, std::string_view name) {
  const auto& v = field(o, name);
  if (v.is_uint64()) return v.as_uint64();
  if (v.is_int64() && v.as_int64() >= 0) return static_cast<std::uint64_t>(v.as_int64());
  throw field_error("field '" + std::string(name) + "' must be a non-negative integer");
}

std::int64_t i64(const json::object& o, std::string_view name) {
  const auto& v = field(o, name);
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.as_uint64());
  throw field_error("field '" + std::string(name) + "' must be an integer");
}

std::string str(const json::object& o, std::string_view name) {
  const auto& v = field(o, name);
  if (!v.is_string()) throw field_error("field '" + std::string(name) + "' must be a string");
  return std::string(v.as_string());
}

}  // namespace

result<envelope> from_ndjson(std::string_view line) {
  boost::system::error_code ec;
  auto v = json::parse(line, ec);
  if (ec) return make_error(errc::invalid_argument, "not JSON: " + ec.message());
  if (!v.is_object()) return make_error(errc::invalid_argument, "not a JSON object");
  try {
    const auto& o = v.as_object();
    if (u64(o, "v") != 1)
      return make_error(errc::invalid_argument,
                        "unsupported line schema version " + std::to_string(u64(o, "v")));
    envelope e;
    e.seq = u64(o, "seq");
    e.recorded_at_ms = i64(o, "recorded_at_ms");
    if (!field(o, "latest").is_null()) e.latest = i64(o, "latest");
    auto type = str(o, "type");
    const auto& dv = field(o, "data");
    if (!dv.is_object())
      return make_error(errc::invalid_argument, "field 'data' must be an object");
    const auto& d = dv.as_object();
    if (type == "user_registered")
      e.event = core::user_registered{u64(d, "id"), str(d, "username"), str(d, "email"),
                                      str(d, "password_hash")};
    else if (type == "message_posted")
      e.event =
          core::message_posted{u64(d, "id"), u64(d, "author"), str(d, "text"), i64(d, "pub_date")};
    else if (type == "user_followed")
      e.event = core::user_followed{u64(d, "follower"), u64(d, "followee")};
    else if (type == "user_unfollowed")
      e.event = core::user_unfollowed{u64(d, "follower"), u64(d, "followee")};
    else if (type == "message_flagged") {
      const auto& f = field(d, "flagged");
      if (!f.is_bool())
        return make_error(errc::invalid_argument, "field 'flagged' must be true or false");
      e.event = core::message_flagged{u64(d, "id"), f.as_bool()};
    } else if (type == "password_rehashed")
      e.event = core::password_rehashed{u64(d, "id"), str(d, "password_hash")};
    else
      return make_error(errc::invalid_argument, "unknown event type '" + type + "'");
    return e;
  } catch (const field_error& ex) {
    return make_error(errc::invalid_argument, ex.what());
  }
}

}  // namespace minitwit::storage
