#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <optional>
#include <thread>
#include <utility>

extern char** environ;

namespace stepwise::workers::internal {
namespace {

using Clock = std::chrono::steady_clock;

// Owns one file descriptor so every early return closes it.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }

  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void Close() {
    // close() is not retried on EINTR: on Linux the descriptor is released either way.
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

// Both ends are close-on-exec from the moment they exist (pipe2, not a later fcntl): a child
// that another thread spawns in between would otherwise inherit our stdout write end and keep us
// from ever seeing end of file. Ends are kept above 2 so that, in a parent started without
// stdin/stdout/stderr, dup2-ing one end onto 0/1/2 in the child cannot clobber another.
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

// Writing to a pipe whose reader is gone raises SIGPIPE in the writing thread, and its default
// action ends the whole process. Ignoring SIGPIPE process-wide would change global state that
// other code may rely on, so instead the calling thread blocks SIGPIPE while it feeds the child.
// A SIGPIPE our own write raised is then taken off the thread's pending set before the old mask
// comes back, so it is never delivered; the write itself just fails with EPIPE.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_only_);
    sigaddset(&pipe_only_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only_, &old_mask_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;
  ~SigpipeBlock() {
    const int saved_errno = errno;
    if (raised_ && !was_pending_) {
      const timespec no_wait{};
      while (sigtimedwait(&pipe_only_, nullptr, &no_wait) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    errno = saved_errno;
  }

  void NoteEpipe() { raised_ = true; }

 private:
  sigset_t pipe_only_;
  sigset_t old_mask_;
  bool was_pending_ = false;
  bool raised_ = false;
};

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

// Returns 0 or an errno value. glibc's posix_spawnp reports a failed exec (ENOENT, EACCES, ...)
// as its result, so a program that cannot run is known here, not from an odd exit status.
int Spawn(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd, int stderr_fd,
          pid_t& pid) {
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
  return posix_spawnp(&pid, args[0], setup.actions(), setup.attributes(), args.data(), environ);
}

// The child leads its own group, and the group cannot be reused before the child is reaped.
void KillGroup(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

// Blocking reap; returns 0 or an errno value.
int Reap(pid_t pid, int& status) {
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

void Record(int status, ChildResult& result) {
  if (WIFSIGNALED(status)) {
    result.end = ChildResult::End::kSignaled;
    result.signal = WTERMSIG(status);
  } else {
    result.end = ChildResult::End::kExited;
    result.exit_status = WEXITSTATUS(status);
  }
}

void SystemError(std::string call, int error, ChildResult& result) {
  result.end = ChildResult::End::kSystemError;
  result.system_call = std::move(call);
  result.system_errno = error;
}

// Keeps the last `keep` bytes of stderr; trims in large steps so appending stays linear.
void AppendTail(std::string& tail, const char* data, size_t size, size_t keep) {
  tail.append(data, size);
  if (tail.size() > 2 * keep + 64 * 1024) tail.erase(0, tail.size() - keep);
}

}  // namespace

ChildResult RunChild(const std::vector<std::string>& argv, const std::string& input,
                     const ChildLimits& limits) {
  ChildResult result;
  if (argv.empty()) {
    SystemError("the command is empty", EINVAL, result);
    return result;
  }
  Pipe in, out, err;
  for (Pipe* pipe : {&in, &out, &err}) {
    if (int error = MakePipe(*pipe); error != 0) {
      SystemError("pipe", error, result);
      return result;
    }
  }
  SigpipeBlock sigpipe_block;
  const Clock::time_point start = Clock::now();
  pid_t pid = 0;
  if (int error = Spawn(argv, in.read.get(), out.write.get(), err.write.get(), pid); error != 0) {
    SystemError(argv[0], error, result);
    return result;
  }
  // Only the child may hold these ends now, so end of file on stdout/stderr means it let go.
  in.read.Close();
  out.write.Close();
  err.write.Close();
  for (Fd* fd : {&in.write, &out.read, &err.read}) {
    if (int error = SetNonBlocking(fd->get()); error != 0) {
      KillGroup(pid);
      int status = 0;
      Reap(pid, status);
      SystemError("fcntl", error, result);
      return result;
    }
  }

  std::optional<Clock::time_point> deadline;
  if (limits.timeout.count() > 0) deadline = start + limits.timeout;
  size_t written = 0;
  if (input.empty()) in.write.Close();
  std::vector<char> buffer(64 * 1024);
  bool kill = false;

  while (!kill && (in.write.open() || out.read.open() || err.read.open())) {
    int wait_ms = -1;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) {
        result.end = ChildResult::End::kTimedOut;
        kill = true;
        break;
      }
      wait_ms = static_cast<int>(std::min<long long>(left.count(), INT_MAX));
    }
    pollfd fds[3];
    nfds_t count = 0;
    Fd* owners[3];
    for (Fd* fd : {&in.write, &out.read, &err.read}) {
      if (!fd->open()) continue;
      fds[count] = {fd->get(), static_cast<short>(fd == &in.write ? POLLOUT : POLLIN), 0};
      owners[count++] = fd;
    }
    int ready = ::poll(fds, count, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      SystemError("poll", errno, result);
      kill = true;
      break;
    }
    for (nfds_t i = 0; i < count && !kill; ++i) {
      if (fds[i].revents == 0) continue;
      Fd& fd = *owners[i];
      if (&fd == &in.write) {
        ssize_t n = ::write(fd.get(), input.data() + written, input.size() - written);
        if (n > 0) {
          written += static_cast<size_t>(n);
          if (written == input.size()) fd.Close();
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
          // EPIPE: the child stopped reading its input, which is its right; keep collecting.
          if (errno == EPIPE) sigpipe_block.NoteEpipe();
          fd.Close();
        }
        continue;
      }
      ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
      if (n < 0) {
        if (errno != EAGAIN && errno != EINTR) fd.Close();
        continue;
      }
      if (n == 0) {
        fd.Close();
        continue;
      }
      if (&fd == &out.read) {
        result.out.append(buffer.data(), static_cast<size_t>(n));
        if (result.out.size() > limits.max_stdout_bytes) {
          result.end = ChildResult::End::kOutputTooLarge;
          kill = true;
        }
      } else {
        AppendTail(result.err_tail, buffer.data(), static_cast<size_t>(n), limits.max_stderr_bytes);
      }
    }
  }
  in.write.Close();
  out.read.Close();
  err.read.Close();

  int status = 0;
  if (kill) {
    KillGroup(pid);
    if (int error = Reap(pid, status); error != 0 && result.end != ChildResult::End::kSystemError) {
      SystemError("waitpid", error, result);
    }
    return result;
  }
  // The child closed its output, which it usually does by exiting; give it until the deadline.
  auto pause = std::chrono::microseconds(50);
  while (true) {
    pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid) break;
    if (reaped < 0 && errno != EINTR) {
      // ECHILD: someone else reaped it, so the pid may be reused already; do not signal it.
      SystemError("waitpid", errno, result);
      return result;
    }
    if (deadline && Clock::now() >= *deadline) {
      KillGroup(pid);
      Reap(pid, status);
      result.end = ChildResult::End::kTimedOut;
      return result;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
  if (result.err_tail.size() > limits.max_stderr_bytes) {
    result.err_tail.erase(0, result.err_tail.size() - limits.max_stderr_bytes);
  }
  Record(status, result);
  return result;
}

}  // namespace stepwise::workers::internal
