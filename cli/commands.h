#pragma once

#include <string>
#include <vector>

namespace stepwise::cli {

// Each subcommand takes its arguments (after the subcommand's name) and returns the process
// exit code: 0 success, 1 the command ran and found a failure, 2 bad usage.
int RunValidate(const std::vector<std::string>& args);
int RunRun(const std::vector<std::string>& args);

}  // namespace stepwise::cli
