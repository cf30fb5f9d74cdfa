#include "child_process.h"

#include <poll.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <optional>
#include <thread>
#include <utility>

#include "bounded_text.h"
#include "group_guardian.h"
#include "pipe_fd.h"
#include "process_group.h"

namespace stepwise::workers::internal {
namespace {

using Clock = std::chrono::steady_clock;

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
  if (int error = SpawnInOwnGroup(argv, in.read.get(), out.write.get(), err.write.get(), pid);
      error != 0) {
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
    if (reaped == pid) {
      ForgetGroup(pid);
      break;
    }
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
