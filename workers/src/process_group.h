#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace stepwise::workers::internal {

// A function's process runs in a process group of its own, so that killing the group also kills
// whatever it started. These are the three things the host does to such a child.

// Spawns argv (no shell, program looked up in PATH) with the given descriptors as its stdin,
// stdout and stderr, no signals blocked, SIGPIPE at its default action, as the leader of a new
// process group. Returns 0 or an errno value; glibc's posix_spawnp reports a failed exec
// (ENOENT, EACCES, ...) here, so a program that cannot run is known at once, not from an odd
// exit status. REQUIRES: argv is not empty.
int SpawnInOwnGroup(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd,
                    int stderr_fd, pid_t& pid);

// SIGKILLs the group led by `pid`, and `pid` itself. REQUIRES: `pid` is our child and is not
// reaped yet: until then its group id cannot be reused, so the signal cannot hit a stranger.
void KillGroup(pid_t pid);

// Blocking reap; returns 0 or an errno value.
int Reap(pid_t pid, int& status);

}  // namespace stepwise::workers::internal
