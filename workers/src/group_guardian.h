#pragma once

#include <sys/types.h>

namespace stepwise::workers::internal {

// The guardian of GuardFunctionProcesses (process_guard.h). Both are no-ops until it runs.
// A group is watched from its spawn until its leader is reaped (after KillGroup).
void WatchGroup(pid_t group);
void ForgetGroup(pid_t group);

}  // namespace stepwise::workers::internal
