#include "pipe_fd.h"

#include <fcntl.h>
#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace stepwise::workers::internal {

int MakePipe(Pipe& pipe) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno;
  pipe.read = Fd(fds[0]);
  pipe.write = Fd(fds[1]);
  for (Fd* end : {&pipe.read, &pipe.write}) {
    if (end->get() > STDERR_FILENO) continue;
    int moved = ::fcntl(end->get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    if (moved < 0) return errno;
    *end = Fd(moved);
  }
  return 0;
}

int SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return errno;
  return 0;
}

SigpipeBlock::SigpipeBlock() {
  sigemptyset(&pipe_only_);
  sigaddset(&pipe_only_, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only_, &old_mask_);
  sigset_t pending;
  sigpending(&pending);
  was_pending_ = sigismember(&pending, SIGPIPE) == 1;
}

SigpipeBlock::~SigpipeBlock() {
  const int saved_errno = errno;
  if (raised_ && !was_pending_) {
    const timespec no_wait{};
    while (sigtimedwait(&pipe_only_, nullptr, &no_wait) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  errno = saved_errno;
}

}  // namespace stepwise::workers::internal
