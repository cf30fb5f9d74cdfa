// The `stepwise` binary: one subcommand per file, wired together here.
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"

namespace {

constexpr const char* kUsage = R"(usage: stepwise <command> [arguments]

commands:
  validate FILE... [--json]   check state machine definitions (Amazon States Language)
  run DEFINITION [options]    run one execution in this process and print its result
                              ([--input JSON | --input-file FILE] [--function NAME=COMMAND]...
                              [--json] [--history] [--time-scale F])

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
  std::cerr << "stepwise: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}
