#include "process_group.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "group_guardian.h"

extern char** environ;

namespace stepwise::workers::internal {
namespace {

// posix_spawn's attribute objects, released on every path.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attributes_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    posix_spawnattr_destroy(&attributes_);
    posix_spawn_file_actions_destroy(&actions_);
  }
  posix_spawn_file_actions_t* actions() { return &actions_; }
  posix_spawnattr_t* attributes() { return &attributes_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attributes_;
};

}  // namespace

int SpawnInOwnGroup(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd,
                    int stderr_fd, pid_t& pid) {
  SpawnSetup setup;
  int rc = 0;
  auto check = [&rc](int result) {
    if (rc == 0) rc = result;
  };
  check(posix_spawn_file_actions_adddup2(setup.actions(), stdin_fd, STDIN_FILENO));
  check(posix_spawn_file_actions_adddup2(setup.actions(), stdout_fd, STDOUT_FILENO));
  check(posix_spawn_file_actions_adddup2(setup.actions(), stderr_fd, STDERR_FILENO));
  // The function is a fresh program: no signals blocked (our thread has SIGPIPE blocked, and a
  // thread pool may block more), SIGPIPE at its default even if this process ignores it, and its
  // own process group so a timeout can kill everything it started.
  sigset_t none;
  sigemptyset(&none);
  check(posix_spawnattr_setsigmask(setup.attributes(), &none));
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  check(posix_spawnattr_setsigdefault(setup.attributes(), &defaults));
  check(posix_spawnattr_setpgroup(setup.attributes(), 0));
  check(posix_spawnattr_setflags(
      setup.attributes(), POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP));
  if (rc != 0) return rc;

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  int spawned =
      posix_spawnp(&pid, args[0], setup.actions(), setup.attributes(), args.data(), environ);
  if (spawned == 0) WatchGroup(pid);
  return spawned;
}

// The child leads its own group, and the group cannot be reused before the child is reaped.
void KillGroup(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

int Reap(pid_t pid, int& status) {
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return errno;
  }
  ForgetGroup(pid);
  return 0;
}

}  // namespace stepwise::workers::internal
