#include "tests/support/run_tool.hpp"

#include "tests/support/child_process.hpp"
#include "tests/support/server_process.hpp"

namespace minitwit::test {

tool_result run_tool(const std::string& name, const std::vector<std::string>& args, int timeout_s) {
  std::vector<std::string> all = {server_process::binary(name)};
  all.insert(all.end(), args.begin(), args.end());
  child_process p(all);
  tool_result r;
  r.exit_code = p.wait_exit(std::chrono::seconds(timeout_s));
  r.output = p.output();
  return r;
}

}  // namespace minitwit::test
