// Flat binary records on top of cereal's portable (little-endian) archive, with reads
// that are safe on arbitrary bytes: a corrupt length or boolean throws record_error
// instead of allocating wildly or loading an invalid bool. Used by the event codec
// and the projection rows.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace minitwit::storage {

struct record_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Well-formed, but of a kind this binary does not know (a newer type or version).
struct unsupported_record : record_error {
  using record_error::record_error;
};

// No string field may be longer than this.
inline constexpr std::uint64_t max_record_string_bytes = 1u << 20;

class record_writer {
 public:
  record_writer();
  ~record_writer();
  record_writer& u8(std::uint8_t v);
  record_writer& u16(std::uint16_t v);
  record_writer& u64(std::uint64_t v);
  record_writer& i64(std::int64_t v);
  record_writer& boolean(bool v);
  record_writer& str(std::string_view s);
  // The bytes written so far; the writer is spent afterwards.
  std::string finish();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Reads fields in the order they were written. Every getter throws record_error (or
// cereal::Exception, also a std::runtime_error) when the bytes run out or are invalid.
class record_reader {
 public:
  // The reader views bytes: they must outlive it (hence no temporaries).
  explicit record_reader(std::string_view bytes);
  explicit record_reader(std::string&&) = delete;
  ~record_reader();
  std::uint8_t u8();
  std::uint16_t u16();
  std::uint64_t u64();
  std::int64_t i64();
  bool boolean();
  std::string str();
  // Throws unless every byte has been read.
  void expect_end();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace minitwit::storage
