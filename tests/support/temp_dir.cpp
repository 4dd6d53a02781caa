#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace minitwit::test {

temp_dir::temp_dir() {
  auto base = std::filesystem::temp_directory_path() / "minitwit-test-XXXXXX";
  std::string pattern = base.string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace minitwit::test
