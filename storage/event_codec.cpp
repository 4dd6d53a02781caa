#include "storage/event_codec.hpp"

#include <type_traits>

#include <fmt/format.h>

#include "storage/record.hpp"

namespace minitwit::storage {

namespace {

constexpr std::uint8_t envelope_format = 1;

void save_payload(record_writer& w, const core::event& e) {
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, core::user_registered>) {
          w.u64(ev.id).str(ev.username).str(ev.email).str(ev.password_hash);
        } else if constexpr (std::is_same_v<T, core::message_posted>) {
          w.u64(ev.id).u64(ev.author).str(ev.text).i64(ev.pub_date);
        } else if constexpr (std::is_same_v<T, core::message_flagged>) {
          w.u64(ev.id).boolean(ev.flagged);
        } else {
          w.u64(ev.follower).u64(ev.followee);
        }
      },
      e);
}

// Reads the payload of (type, version). Upcasters for older versions go here: each
// reads the old shape and returns the current struct.
core::event load_payload(record_reader& r, std::uint8_t type, std::uint16_t version) {
  if (type < 1 || type > 5) throw record_error(fmt::format("unknown type tag {}", type));
  if (version != current_schema_version)
    throw record_error(fmt::format("unsupported schema version {} of type tag {}", version, type));
  switch (static_cast<event_type>(type)) {
    case event_type::user_registered: {
      core::user_registered ev;
      ev.id = r.u64();
      ev.username = r.str();
      ev.email = r.str();
      ev.password_hash = r.str();
      return ev;
    }
    case event_type::message_posted: {
      core::message_posted ev;
      ev.id = r.u64();
      ev.author = r.u64();
      ev.text = r.str();
      ev.pub_date = r.i64();
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
  }
  throw record_error(fmt::format("unknown type tag {}", type));
}

}  // namespace

event_type type_of(const core::event& e) {
  return static_cast<event_type>(e.index() + 1);  // variant order == tag order
}

std::string encode(const envelope& e) {
  record_writer w;
  w.u8(envelope_format).u8(static_cast<std::uint8_t>(type_of(e.event))).u16(current_schema_version);
  w.i64(e.recorded_at_ms).boolean(e.latest.has_value());
  if (e.latest) w.i64(*e.latest);
  save_payload(w, e.event);
  return w.finish();
}

std::expected<envelope, std::string> decode(std::uint64_t seq, std::string_view value) {
  try {
    record_reader r(value);
    auto format = r.u8();
    if (format != envelope_format) throw record_error(fmt::format("unknown envelope format {}", format));
    auto type = r.u8();
    auto version = r.u16();
    envelope e;
    e.seq = seq;
    e.recorded_at_ms = r.i64();
    if (r.boolean()) e.latest = r.i64();
    e.event = load_payload(r, type, version);
    r.expect_end();
    return e;
  } catch (const std::exception& ex) {
    return std::unexpected(fmt::format("event {}: {}", seq, ex.what()));
  }
}

}  // namespace minitwit::storage
