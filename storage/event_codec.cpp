#include "storage/event_codec.hpp"

#include <fmt/format.h>

#include <type_traits>

#include "storage/record.hpp"

namespace minitwit::storage {

namespace {

constexpr std::uint8_t envelope_format = 1;
constexpr std::uint8_t last_type_tag = 6;

// The personal block: a nested record, length-prefixed inside the payload.
std::string personal(std::initializer_list<std::string_view> fields) {
  record_writer w;
  for (auto f : fields) w.str(f);
  return w.finish();
}

void save_payload(record_writer& w, const core::event& e, std::uint16_t version) {
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, core::user_registered>) {
          if (version == 1)
            w.u64(ev.id).str(ev.username).str(ev.email).str(ev.password_hash);
          else
            w.u64(ev.id).str(personal({ev.username, ev.email, ev.password_hash}));
        } else if constexpr (std::is_same_v<T, core::message_posted>) {
          if (version == 1)
            w.u64(ev.id).u64(ev.author).str(ev.text).i64(ev.pub_date);
          else
            w.u64(ev.id).u64(ev.author).i64(ev.pub_date).str(personal({ev.text}));
        } else if constexpr (std::is_same_v<T, core::message_flagged>) {
          w.u64(ev.id).boolean(ev.flagged);
        } else if constexpr (std::is_same_v<T, core::password_rehashed>) {
          w.u64(ev.id).str(personal({ev.password_hash}));
        } else {
          w.u64(ev.follower).u64(ev.followee);
        }
      },
      e);
}

// Reads the payload of (type, version). Each older version is read in its own shape
// and upcast to the current struct right here; unknown types and versions are errors.
core::event load_payload(record_reader& r, std::uint8_t type, std::uint16_t version) {
  if (type < 1 || type > last_type_tag)
    throw unsupported_record(fmt::format("unknown type tag {}", type));
  auto t = static_cast<event_type>(type);
  if (version < 1 || version > current_schema_version(t))
    throw unsupported_record(
        fmt::format("unsupported schema version {} of type tag {}", version, type));
  switch (t) {
    case event_type::user_registered: {
      core::user_registered ev;
      ev.id = r.u64();
      if (version == 1) {  // upcast: flat fields
        ev.username = r.str();
        ev.email = r.str();
        ev.password_hash = r.str();
      } else {
        auto block = r.str();  // the reader views it: keep it alive
        record_reader p(block);
        ev.username = p.str();
        ev.email = p.str();
        ev.password_hash = p.str();
        p.expect_end();
      }
      return ev;
    }
    case event_type::message_posted: {
      core::message_posted ev;
      ev.id = r.u64();
      ev.author = r.u64();
      if (version == 1) {  // upcast: flat fields, text before the date
        ev.text = r.str();
        ev.pub_date = r.i64();
      } else {
        ev.pub_date = r.i64();
        auto block = r.str();  // the reader views it: keep it alive
        record_reader p(block);
        ev.text = p.str();
        p.expect_end();
      }
      return ev;
    }
    case event_type::user_followed: {
      core::user_followed ev;
      ev.follower = r.u64();
      ev.followee = r.u64();
      return ev;
    }
    case event_type::user_unfollowed: {
      core::user_unfollowed ev;
      ev.follower = r.u64();
      ev.followee = r.u64();
      return ev;
    }
    case event_type::message_flagged: {
      core::message_flagged ev;
      ev.id = r.u64();
      ev.flagged = r.boolean();
      return ev;
    }
    case event_type::password_rehashed: {
      core::password_rehashed ev;
      ev.id = r.u64();
      auto block = r.str();  // the reader views it: keep it alive
      record_reader p(block);
      ev.password_hash = p.str();
      p.expect_end();
      return ev;
    }
  }
  throw unsupported_record(fmt::format("unknown type tag {}", type));
}

}  // namespace

std::uint16_t current_schema_version(event_type t) {
  switch (t) {
    case event_type::user_registered:
    case event_type::message_posted:
      return 2;
    default:
      return 1;
  }
}

event_type type_of(const core::event& e) {
  return static_cast<event_type>(e.index() + 1);  // variant order == tag order
}

std::string encode_version(const envelope& e, std::uint16_t version) {
  record_writer w;
  w.u8(envelope_format).u8(static_cast<std::uint8_t>(type_of(e.event))).u16(version);
  w.i64(e.recorded_at_ms).boolean(e.latest.has_value());
  if (e.latest) w.i64(*e.latest);
  save_payload(w, e.event, version);
  return w.finish();
}

std::string encode(const envelope& e) {
  return encode_version(e, current_schema_version(type_of(e.event)));
}

result<envelope> decode(std::uint64_t seq, std::string_view value) {
  try {
    record_reader r(value);
    auto format = r.u8();
    if (format != envelope_format)
      throw unsupported_record(fmt::format("unknown envelope format {}", format));
    auto type = r.u8();
    auto version = r.u16();
    envelope e;
    e.seq = seq;
    e.recorded_at_ms = r.i64();
    if (r.boolean()) e.latest = r.i64();
    e.event = load_payload(r, type, version);
    r.expect_end();
    return e;
  } catch (const unsupported_record& ex) {
    return make_error(errc::unsupported, fmt::format("event {}: {}", seq, ex.what()));
  } catch (const std::exception& ex) {
    return make_error(errc::corrupt, fmt::format("event {}: {}", seq, ex.what()));
  }
}

}  // namespace minitwit::storage
