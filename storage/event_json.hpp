// The export format of the event log: NDJSON, one self-describing JSON object per
// event, in sequence order. Version 1 of the line schema ("v": 1):
//
//   {"v":1,"seq":1,"type":"user_registered","recorded_at_ms":1700000000123,"latest":42,
//    "data":{"id":1,"username":"a","email":"a@b","password_hash":"$argon2id$..."}}
//
// "latest" is null when the request had none. "data" by type:
//   user_registered   {"id","username","email","password_hash"}
//   message_posted    {"id","author","text","pub_date"}       (pub_date: unix seconds)
//   user_followed     {"follower","followee"}                 (user ids)
//   user_unfollowed   {"follower","followee"}
//   message_flagged   {"id","flagged"}
//   password_rehashed {"id","password_hash"}
// Key order is fixed and output is deterministic, so export -> import -> export is
// byte-identical. An export holds password hashes: keep it as safe as a backup.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "storage/envelope.hpp"

namespace minitwit::storage {

// One line, without the trailing newline. Fails, naming the event and the field, when a
// string is not valid UTF-8 (JSON cannot carry it; such an export would not import).
result<std::string> to_ndjson(const envelope& e);

// Parses one line; errors say which field is wrong.
result<envelope> from_ndjson(std::string_view line);

}  // namespace minitwit::storage
