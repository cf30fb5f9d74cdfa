#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace stepwise::workers::internal {

// Limits on one child run, as the caller of RunChild sets them.
struct ChildLimits {
  std::chrono::milliseconds timeout{0};  // 0: none
  std::size_t max_stdout_bytes = 0;      // exceeding it kills the child
  std::size_t max_stderr_bytes = 0;      // only the last this-many bytes are kept
};

// The raw facts of one run; what they mean for a task is process_function.cc's business.
struct ChildResult {
  enum class End {
    kExited,          // exit_status is set
    kSignaled,        // signal is set
    kSystemError,     // system_call failed with system_errno (for spawning: argv[0])
    kTimedOut,        // killed after limits.timeout
    kOutputTooLarge,  // killed after writing more than limits.max_stdout_bytes
  };
  End end = End::kSystemError;
  int exit_status = 0;
  int signal = 0;
  int system_errno = 0;
  std::string system_call;  // "pipe", "poll", ... or the program when it could not be started
  std::string out;          // all of stdout (up to the limit)
  std::string err_tail;     // the last max_stderr_bytes of stderr, or a little more
};

// Spawns argv (looked up in PATH, in its own process group, no shell), writes `input` to its
// stdin and closes it, collects stdout and stderr, and reaps it. Never leaves a zombie or an open
// descriptor behind, on any path. Thread-safe.
ChildResult RunChild(const std::vector<std::string>& argv, const std::string& input,
                     const ChildLimits& limits);

}  // namespace stepwise::workers::internal
