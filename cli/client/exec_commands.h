#pragma once

// The `exec` subcommands, one handler each; exec_commands.cc puts them in the command table.
#include "client/client_command.h"

namespace stepwise::cli::client {

// exec_write_commands.cc: calls that change an execution.
int ExecStart(const Invocation& invocation);
int ExecStop(const Invocation& invocation);
int ExecRedrive(const Invocation& invocation);

// exec_read_commands.cc: calls that read executions and their history.
int ExecDescribe(const Invocation& invocation);
int ExecHistory(const Invocation& invocation);
int ExecList(const Invocation& invocation);
int ExecWatch(const Invocation& invocation);

}  // namespace stepwise::cli::client
