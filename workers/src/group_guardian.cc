// The guardian: a forked process that outlives its parent just long enough to kill the process
// groups the parent left running. It learns of them over a socket (a record per group started or
// ended) and acts when the socket reads end-of-file: the kernel closes the parent's end however
// the parent died.
#include "group_guardian.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>

#include "stepwise/workers/process_guard.h"

namespace stepwise::workers {
namespace internal {
namespace {

struct Record {
  std::int32_t watch;  // 1: watch, 0: forget
  std::int32_t group;
};

// Groups running at once, at most: far beyond any host's concurrency.
constexpr int kMaxGroups = 16384;

std::mutex guardian_mutex;
int guardian_socket = -1;  // our end; -1: not guarding

// The guardian's whole life. Only async-signal-safe calls: it was forked from a process that
// may have had threads (a library user calling late), whose locks it must not touch.
[[noreturn]] void Guard(int socket) {
  static pid_t groups[kMaxGroups];
  Record record;
  std::size_t have = 0;
  for (;;) {
    ssize_t got = ::read(socket, reinterpret_cast<char*>(&record) + have, sizeof record - have);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // end of file: the parent is gone
    have += static_cast<std::size_t>(got);
    if (have < sizeof record) continue;
    have = 0;
    if (record.watch != 0) {
      for (pid_t& slot : groups) {
        if (slot == 0) {
          slot = record.group;
          break;
        }
      }
    } else {
      for (pid_t& slot : groups) {
        if (slot == record.group) slot = 0;
      }
    }
  }
  for (pid_t group : groups) {
    if (group > 0) ::kill(-group, SIGKILL);
  }
  ::_exit(0);
}

void Send(bool watch, pid_t group) {
  std::lock_guard lock(guardian_mutex);
  if (guardian_socket < 0) return;
  Record record{watch ? 1 : 0, static_cast<std::int32_t>(group)};
  // A guardian that died cannot be helped; MSG_NOSIGNAL keeps that from raising SIGPIPE here.
  while (::send(guardian_socket, &record, sizeof record, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

}  // namespace

void WatchGroup(pid_t group) { Send(true, group); }
void ForgetGroup(pid_t group) { Send(false, group); }

}  // namespace internal

absl::Status GuardFunctionProcesses() {
  std::lock_guard lock(internal::guardian_mutex);
  if (internal::guardian_socket >= 0) return absl::OkStatus();
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    return absl::InternalError(std::string("cannot start the process guardian: socketpair: ") +
                               std::strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    int error = errno;
    ::close(ends[0]);
    ::close(ends[1]);
    return absl::InternalError(std::string("cannot start the process guardian: fork: ") +
                               std::strerror(error));
  }
  if (pid == 0) {
    // Out of the parent's group and deaf to the signals that stop it (Ctrl-C reaches a whole
    // foreground group), so that it is there to clean up after it.
    ::setpgid(0, 0);
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) {
      ::sigaction(signal, &ignore, nullptr);
    }
    // Holding none of the parent's descriptors: a copy of a pipe's write end would keep a
    // function from ever reading end-of-file, and a copy of stdout would keep whoever reads
    // the parent's output waiting.
    int null = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    ::dup2(ends[1], 3);
    ::syscall(SYS_close_range, 4u, ~0u, 0u);
    internal::Guard(3);
  }
  ::close(ends[1]);
  internal::guardian_socket = ends[0];
  return absl::OkStatus();
}

}  // namespace stepwise::workers
