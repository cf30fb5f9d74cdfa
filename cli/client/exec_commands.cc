// `stepwise exec ...`: the Executions service, one subcommand per call.
#include "client/exec_commands.h"

#include <string>
#include <vector>

#include "client/client_command.h"
#include "commands.h"

namespace stepwise::cli {
namespace {

using client::ClientCommand;

std::vector<ClientCommand> ExecCommands() {
  return {
      {"exec start",
       {"MACHINE"},
       {{"--name", true},
        {"--input", true},
        {"--input-file", true},
        {"--sync", false},
        {"--timeout", true}},
       R"(usage: stepwise exec start MACHINE [--name NAME] [--input JSON | --input-file FILE]
                           [--sync [--timeout SECONDS]]

Starts an execution of the latest version of state machine MACHINE and prints its id.
Starting a name again with the same input returns the same execution.

  --name NAME         the execution's name (default: generated)
  --input JSON        its input (default {})
  --input-file FILE   the same, read from FILE
  --sync              wait for the end and print the execution; exits 1 unless it SUCCEEDED
  --timeout SECONDS   how long --sync waits (default 60, at most 3600); the execution goes on
                      running after that, and the command exits 1 with DEADLINE_EXCEEDED
)",
       client::ExecStart},
      {"exec describe",
       {"ID"},
       {},
       R"(usage: stepwise exec describe ID

Prints an execution: its status, times, input and output (or error and cause).
)",
       client::ExecDescribe},
      {"exec history",
       {"ID"},
       {{"--after", true}, {"--reverse", false}, {"--limit", true}},
       R"(usage: stepwise exec history ID [--after N] [--reverse] [--limit N]

Prints an execution's history, one event per line: id, time, type, state.

  --after N   only events after event N (before it with --reverse)
  --reverse   newest first
  --limit N   at most N events (default: all)
)",
       client::ExecHistory},
      {"exec list",
       {},
       {{"--machine", true},
        {"--status", true},
        {"--started-after", true},
        {"--started-before", true},
        {"--limit", true},
        {"--page-token", true}},
       R"(usage: stepwise exec list [--machine M] [--status S] [--started-after ISO8601]
                          [--started-before ISO8601] [--limit N] [--page-token T]

Lists executions, newest first.

  --machine M                  only executions of state machine M
  --status S                   only RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED ones
  --started-after ISO8601      only those started at or after this time
                               (2024-01-31T12:00:00Z, or a date: 2024-01-31)
  --started-before ISO8601     only those started before this time
  --limit N                    at most N (default: all); when more remain, the token for the
                               next ones is printed on stderr (in nextPageToken with --json)
  --page-token T               go on from where a --limit listing stopped
)",
       client::ExecList},
      {"exec stop",
       {"ID"},
       {{"--error", true}, {"--cause", true}},
       R"(usage: stepwise exec stop ID [--error E] [--cause C]

Stops a running execution: it ends ABORTED with the given error and cause.

  --error E   the error name recorded (default: none)
  --cause C   a sentence saying why
)",
       client::ExecStop},
      {"exec watch",
       {"ID"},
       {},
       R"(usage: stepwise exec watch ID

Prints an execution's history events as they happen, from the first, and returns when the
execution has ended: exit 0 if it succeeded, 1 if it failed, timed out or was aborted.
)",
       client::ExecWatch},
      {"exec redrive",
       {"ID"},
       {},
       R"(usage: stepwise exec redrive ID

Resumes a FAILED, TIMED_OUT or ABORTED execution from the state that failed.
)",
       client::ExecRedrive},
  };
}

}  // namespace

int RunExec(const std::vector<std::string>& args) {
  return client::RunGroup("exec", ExecCommands(), args);
}

}  // namespace stepwise::cli
