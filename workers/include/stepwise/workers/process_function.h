#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "nlohmann/json.hpp"
#include "stepwise/workers/function_binding.h"

namespace stepwise::workers {

// What one invocation of an executable function produced, in the terms a Task state needs.
struct ProcessOutcome {
  bool succeeded = false;
  nlohmann::json output;  // when succeeded
  std::string error;      // when failed: an ASL error name or the function's own
  std::string cause;      // when failed: valid UTF-8, bounded
};

struct ProcessLimits {
  // The process (and its process group) is killed with SIGKILL after this; 0 means no limit.
  std::chrono::milliseconds timeout{60000};
  // Writing more than this to stdout fails the task with States.DataLimitExceeded. The default is
  // the 256 KiB payload limit plus room for the JSON around it.
  std::size_t max_output_bytes = 256 * 1024 + 4096;
  // Of stderr only the tail is kept for the cause: the last lines are the ones that explain.
  std::size_t max_cause_bytes = 32 * 1024;
};

// Runs binding.argv (no shell, program looked up in PATH) with `input` as JSON text on stdin,
// followed by a newline and end of file. stdout and stderr are read while stdin is written, so
// payloads of any size cannot deadlock. The outcome:
//   exit 0        stdout must be JSON: that is the output; otherwise States.TaskFailed.
//   other exits   stdout `{"error": E, "cause": C}` gives E and C verbatim; the Lambda form
//                 `{"errorType": E, ...}` gives E with the object's JSON text as cause; otherwise
//                 States.TaskFailed with the trimmed tail of stderr (or the exit status) as cause.
//   too slow      States.Timeout; too much stdout: States.DataLimitExceeded; cannot be started:
//                 States.TaskFailed naming the program and the system's reason.
// Thread-safe: many invocations may run at once. The child runs in its own process group, so a
// timeout also kills whatever it started. The caller must not reap children it did not spawn
// (waitpid(-1)) nor set SIGCHLD to SIG_IGN, or the exit status is lost.
ProcessOutcome RunProcessFunction(const FunctionBinding& binding, const nlohmann::json& input,
                                  const ProcessLimits& limits = {});

}  // namespace stepwise::workers
