#include "storage/record.hpp"

#include <fmt/format.h>

#include <cereal/archives/portable_binary.hpp>
#include <spanstream>
#include <sstream>

namespace minitwit::storage {

struct record_writer::impl {
  std::ostringstream out;
  cereal::PortableBinaryOutputArchive ar{out};
};

record_writer::record_writer() : impl_(std::make_unique<impl>()) {}
record_writer::~record_writer() = default;

record_writer& record_writer::u8(std::uint8_t v) { return impl_->ar(v), *this; }
record_writer& record_writer::u16(std::uint16_t v) { return impl_->ar(v), *this; }
record_writer& record_writer::u64(std::uint64_t v) { return impl_->ar(v), *this; }
record_writer& record_writer::i64(std::int64_t v) { return impl_->ar(v), *this; }
record_writer& record_writer::boolean(bool v) { return u8(v ? 1 : 0); }
record_writer& record_writer::str(std::string_view s) {
  impl_->ar(static_cast<std::uint64_t>(s.size()));
  impl_->ar(cereal::binary_data(s.data(), s.size()));
  return *this;
}
std::string record_writer::finish() { return std::move(impl_->out).str(); }

struct record_reader::impl {
  explicit impl(std::string_view b)
      : size(b.size()), in(std::span<const char>(b.data(), b.size())), ar(in) {}
  std::uint64_t left() {
    auto pos = in.tellg();
    if (pos < 0) throw record_error("record is truncated");
    return size - static_cast<std::uint64_t>(pos);
  }
  std::size_t size;
  std::ispanstream in;
  cereal::PortableBinaryInputArchive ar;
};

record_reader::record_reader(std::string_view bytes) : impl_(std::make_unique<impl>(bytes)) {}
record_reader::~record_reader() = default;

std::uint8_t record_reader::u8() {
  std::uint8_t v;
  impl_->ar(v);
  return v;
}
std::uint16_t record_reader::u16() {
  std::uint16_t v;
  impl_->ar(v);
  return v;
}
std::uint64_t record_reader::u64() {
  std::uint64_t v;
  impl_->ar(v);
  return v;
}
std::int64_t record_reader::i64() {
  std::int64_t v;
  impl_->ar(v);
  return v;
}
bool record_reader::boolean() {
  auto b = u8();
  if (b > 1) throw record_error(fmt::format("boolean byte {} is invalid", b));
  return b == 1;
}
std::string record_reader::str() {
  auto n = u64();
  if (n > max_record_string_bytes || n > impl_->left())
    throw record_error(fmt::format("string length {} is invalid", n));
  std::string s(n, '\0');
  impl_->ar(cereal::binary_data(s.data(), n));
  return s;
}
void record_reader::expect_end() {
  if (impl_->left() != 0) throw record_error("trailing bytes after the record");
}

}  // namespace minitwit::storage
