#pragma once

#include <string>
#include <vector>

namespace stepwise::cli {

// Each subcommand takes its arguments (after the subcommand's name) and returns the process
// exit code: 0 success, 1 the command ran and found a failure, 2 bad usage.
int RunValidate(const std::vector<std::string>& args);
int RunRun(const std::vector<std::string>& args);
int RunServer(const std::vector<std::string>& args);
int RunWorker(const std::vector<std::string>& args);

// gRPC client subcommands (cli/client/): `stepwise machine|exec|task|function SUBCOMMAND ...` and
// `stepwise ping`. 1 also means the server answered with an error or could not be reached.
int RunMachine(const std::vector<std::string>& args);
int RunExec(const std::vector<std::string>& args);
int RunTask(const std::vector<std::string>& args);
int RunFunction(const std::vector<std::string>& args);
int RunPing(const std::vector<std::string>& args);

}  // namespace stepwise::cli
