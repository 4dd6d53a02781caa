// A fresh directory under $TMPDIR, removed with everything in it on destruction.
#pragma once

#include <filesystem>
#include <string>

namespace minitwit::test {

class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace minitwit::test
