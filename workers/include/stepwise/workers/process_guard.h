#pragma once

#include "absl/status/status.h"

namespace stepwise::workers {

// Makes the process groups of functions (ProcessFunction, WarmPool) die with this process, even
// when it is killed with SIGKILL or crashes: a small guardian process, forked now, is told of
// every group as it starts and ends, and SIGKILLs those still running once this process is gone.
// Without it, a function's processes would run on after such a death until they end on their
// own. Call once, early in main(), before any thread starts (a fork copies only the calling
// thread). Idempotent. A process host (`stepwise worker`, `stepwise run`) calls it; a library
// user may.
absl::Status GuardFunctionProcesses();

}  // namespace stepwise::workers
