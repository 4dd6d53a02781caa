// Binary encoding of event envelopes (cereal, portable little-endian).
//
//   value := u8 envelope_format(=1) . u8 type_tag . u16 schema_version
//            . i64 recorded_at_ms . bool has_latest . [i64 latest] . payload
//
// Payloads by (type, version); "personal" is one length-prefixed sub-record holding
// every piece of personal data of the event, so that sealing it one day (per-user
// keys, crypto-shredding) changes only how that block is written:
//   user_registered   v1: id . username . email . password_hash     (read via upcast)
//                     v2: id . personal(username . email . password_hash)
//   message_posted    v1: id . author . text . pub_date               (read via upcast)
//                     v2: id . author . pub_date . personal(text)
//   user_followed     v1: follower . followee
//   user_unfollowed   v1: follower . followee
//   message_flagged   v1: id . flagged
//   password_rehashed v1: id . personal(password_hash)
//
// The seq is the key, not part of the value. Type tags and schema versions are
// forever: a new shape of an event gets a new version, and decode() upcasts old
// versions to the current struct. Decoding arbitrary bytes returns an error, never
// undefined behaviour, and never allocates more than the input's size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "storage/envelope.hpp"

namespace minitwit::storage {

enum class event_type : std::uint8_t {
  user_registered = 1,
  message_posted = 2,
  user_followed = 3,
  user_unfollowed = 4,
  message_flagged = 5,
  password_rehashed = 6,
};

// The schema version this binary writes for a type.
std::uint16_t current_schema_version(event_type t);

event_type type_of(const core::event& e);

// Encodes the envelope's value (everything but the seq).
std::string encode(const envelope& e);

// Encodes with an explicit (older) schema version, for tests of the upcasters.
std::string encode_version(const envelope& e, std::uint16_t version);

// Decodes a value written by encode() (any supported version) and sets its seq.
// Errors name the seq and what is wrong, e.g. "event 42: unknown type tag 9": kind
// errc::unsupported for a type, version or format this binary does not know,
// errc::corrupt for bytes that are not a valid record.
result<envelope> decode(std::uint64_t seq, std::string_view value);

}  // namespace minitwit::storage
