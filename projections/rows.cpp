#include "projections/rows.hpp"

#include "storage/record.hpp"

namespace minitwit::projections {

std::string encode_row(const user_row& r) {
  storage::record_writer w;
  w.u64(r.id).str(r.username).str(r.email).str(r.password_hash);
  return w.finish();
}

std::string encode_row(const message_row& r) {
  storage::record_writer w;
  w.u64(r.id).u64(r.author).str(r.author_name).str(r.text).i64(r.pub_date).boolean(r.flagged);
  return w.finish();
}

result<user_row> decode_user_row(std::string_view bytes) {
  try {
    storage::record_reader rd(bytes);
    user_row r;
    r.id = rd.u64();
    r.username = rd.str();
    r.email = rd.str();
    r.password_hash = rd.str();
    rd.expect_end();
    return r;
  } catch (const std::exception& e) {
    return make_error(errc::corrupt, std::string("corrupt user row: ") + e.what());
  }
}

result<message_row> decode_message_row(std::string_view bytes) {
  try {
    storage::record_reader rd(bytes);
    message_row r;
    r.id = rd.u64();
    r.author = rd.u64();
    r.author_name = rd.str();
    r.text = rd.str();
    r.pub_date = rd.i64();
    r.flagged = rd.boolean();
    rd.expect_end();
    return r;
  } catch (const std::exception& e) {
    return make_error(errc::corrupt, std::string("corrupt message row: ") + e.what());
  }
}

}  // namespace minitwit::projections
