// Runs one of the project's command-line tools to completion for a test.
#pragma once

#include <string>
#include <vector>

namespace minitwit::test {

struct tool_result {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs bin/<name> with args (no shell), with at most `timeout_s` seconds.
tool_result run_tool(const std::string& name, const std::vector<std::string>& args,
                     int timeout_s = 120);

}  // namespace minitwit::test
