// The `stepwise` binary: one subcommand per file, wired together here.
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"

namespace {

constexpr const char* kUsage = R"(usage: stepwise <command> [arguments]

commands:
  server [options]            run the Stepwise server (gRPC 127.0.0.1:7233, HTTP 127.0.0.1:8080,
                              data in ./stepwise-data) until SIGTERM or Ctrl-C
  validate FILE... [--json]   check state machine definitions (Amazon States Language)
  run DEFINITION [options]    run one execution in this process and print its result
                              ([--input JSON | --input-file FILE] [--function NAME=COMMAND]...
                              [--json] [--history] [--time-scale F])
  worker --function NAME=COMMAND [--mode exec|warm] [--concurrency N] [--server ADDR]
                              serve functions to a server by running executables

client commands (talk to a server over gRPC: --server ADDR, --token T, --tls-ca FILE, --json):
  machine create|update|describe|list|delete|validate   state machines
  exec start|describe|history|list|stop|watch|redrive   executions
  task poll|succeed|fail|heartbeat                      tasks, as a worker sees them
  function register|describe|list|workers               functions' limits and state, workers
  ping                                                  check the server, the address and token

Run 'stepwise <command> --help' for a command's options.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? std::cerr : std::cout) << kUsage;
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "validate") return stepwise::cli::RunValidate(args);
  if (command == "run") return stepwise::cli::RunRun(args);
  if (command == "server") return stepwise::cli::RunServer(args);
  if (command == "worker") return stepwise::cli::RunWorker(args);
  if (command == "machine") return stepwise::cli::RunMachine(args);
  if (command == "exec") return stepwise::cli::RunExec(args);
  if (command == "task") return stepwise::cli::RunTask(args);
  if (command == "function") return stepwise::cli::RunFunction(args);
  if (command == "ping") return stepwise::cli::RunPing(args);
  std::cerr << "stepwise: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}
