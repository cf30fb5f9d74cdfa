#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "stepwise/workers/function_binding.h"
#include "stepwise/workers/process_function.h"

namespace stepwise::workers {

// The process host's `warm` mode: instances of a function (copies of its program, each a child
// process) stay up between invocations and serve one invocation at a time over line-delimited
// JSON, so a program that is slow to start pays for it once per instance, not per invocation.
//
// The line protocol. Each line is one JSON value followed by "\n" (JSON text never contains a raw
// newline). For each invocation the host writes one request line to the instance's stdin:
//   {"attempt":1,"deadline_ms":1718000000000,"input":{...}}
//     input        the Task's input, any JSON value (last, so scripts can cut it out with sed)
//     deadline_ms  when the host gives up on this invocation, in milliseconds since the Unix
//                  epoch; absent when the invocation has no time limit
//     attempt      1 for a Task's first try, 2 for its first retry, ...
// and reads one response line from the instance's stdout; blank lines are skipped:
//   {"output": <JSON>}                       success, with that output
//   {"error": "Name", "cause": "..."}        failure with that error and cause ("cause" optional;
//                                            a cause that is not a string gives its JSON text)
//   {"errorType": "Name", ...}               Lambda's form: that error, the object's JSON as cause
// An instance gets its next request only after answering the last one. stderr is free text for
// logs: the host keeps its last limits.max_cause_bytes to explain crashes. End of file on stdin
// asks the instance to exit; it has `stop_grace` to do so before its process group is killed.
//
// Failures the host reports itself, beside the errors instances answer with:
//   States.Timeout            no answer by the deadline, or no free instance by then
//   States.DataLimitExceeded  a response line longer than limits.max_output_bytes
//   Stepwise.FunctionCrashed  the instance exited, was killed, or closed its stdout before
//                             answering; the cause says how, then gives the tail of its stderr
//   Stepwise.FunctionProtocolError
//                             the instance answered with a line that is not a response
//   States.TaskFailed         the program cannot be started (the cause names it and the reason)
// When one of the first four ends an exchange, the instance is discarded: its whole process group
// is killed (SIGKILL) and reaped, and a later invocation starts a fresh instance. So is an
// instance that writes more than one line per request (its extra line would answer the next
// request; the invocation it answered still succeeds), or that exits or closes its stdin or stdout
// while idle. An instance that answers with an error stays warm: failing is a normal answer.

struct WarmPoolOptions {
  // At most this many instances exist at once (starting, busy, idle or stopping), so at most this
  // many invocations run at once; more calls wait for a free instance, first come first served.
  // Instances cost memory while idle; more of them serve more calls in parallel. At least 1.
  std::size_t max_concurrency = 4;
  // An instance idle this long is stopped, so an unused function costs nothing (scale to zero);
  // the next call pays a cold start again. 0: idle instances are never stopped.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  // How long a stopping instance (idle too long, or the pool going away) gets to exit after its
  // stdin is closed, before its process group is killed.
  std::chrono::milliseconds stop_grace{2000};
  // As in exec mode: `timeout` bounds each invocation from the moment an instance takes it (a
  // cold start's spawn included; 0: no limit); `max_output_bytes` bounds a response line;
  // `max_cause_bytes` bounds the stderr tail kept for causes.
  ProcessLimits limits;
};

// What one Invoke produced, and what it cost.
struct WarmInvocation {
  ProcessOutcome outcome;
  bool cold_start = false;               // a new instance was started for this call
  std::chrono::microseconds queued{};    // waiting for a free instance
  std::chrono::microseconds duration{};  // from taking an instance to its answer (or failure)
};

// A snapshot of a pool's counters.
struct WarmPoolStats {
  std::uint64_t cold_starts = 0;  // instances started, ever
  std::uint64_t invocations = 0;  // Invoke calls finished, ever, whatever their outcome
  std::size_t instances = 0;      // instances that exist now: starting, busy, idle or stopping
  std::size_t busy = 0;           // instances serving an invocation now
  std::size_t waiting = 0;        // Invoke calls waiting for a free instance now
  std::chrono::microseconds busy_time{};  // sum of every invocation's duration
};

// The warm instances of one function. Thread-safe: Invoke may be called from many threads at
// once. A background thread stops idle instances and reaps instances that exit on their own, so
// no child of the pool is ever left a zombie. Like RunProcessFunction, the pool relies on nobody
// else in the process reaping its children (waitpid(-1), SIGCHLD set to SIG_IGN).
class WarmPool {
 public:
  // InvalidArgument if binding.argv is empty or options.max_concurrency is 0. Starts no instance:
  // the first Invoke does (a cold start).
  static absl::StatusOr<std::unique_ptr<WarmPool>> Create(FunctionBinding binding,
                                                          WarmPoolOptions options = {});

  // Stops every instance: closes their stdin, waits up to stop_grace (one grace period for all) for
  // them to exit, then kills their process groups, and reaps them all. REQUIRES: no Invoke is
  // running or waiting.
  ~WarmPool();

  WarmPool(const WarmPool&) = delete;
  WarmPool& operator=(const WarmPool&) = delete;

  // Runs one invocation on the most recently used idle instance (so that, when demand falls, the
  // others stay idle and are stopped), or on a new one while fewer than max_concurrency exist, or
  // else waits for one to become free, first come first served. Fails with States.Timeout at
  // `deadline` (if given) or at options.limits.timeout after an instance took the call, whichever
  // comes first; the request carries that time as deadline_ms, and `attempt` as it is.
  WarmInvocation Invoke(
      const nlohmann::json& input,
      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt,
      int attempt = 1);

  WarmPoolStats stats() const;

  const FunctionBinding& binding() const;

 private:
  class Impl;

  explicit WarmPool(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace stepwise::workers
