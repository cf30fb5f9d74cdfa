#include "warm_instance.h"

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "bounded_text.h"
#include "function_failure.h"
#include "process_group.h"

namespace stepwise::workers::internal {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

// A pidfd lets poll() see an exit even when a background child the instance started still holds
// its stdout open, so end of file never comes. Without one (kernels before 5.3) exits are found
// by end of file on stdout or by asking waitid from time to time.
Fd OpenPidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  // pidfd_open sets close-on-exec itself.
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) return Fd(static_cast<int>(fd));
#else
  (void)pid;
#endif
  return Fd();
}

absl::Status SystemError(std::string_view call, int error) {
  return absl::Status(absl::ErrnoToStatusCode(error), std::string(call) + ": " + ErrnoText(error));
}

bool IsBlank(std::string_view text) { return TrimWhitespace(text).empty(); }

// Milliseconds for poll() until `deadline`, rounded up so that poll never returns just before it.
int WaitMillis(std::optional<WarmInstance::Clock::time_point> deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - WarmInstance::Clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, INT_MAX));
}

}  // namespace

absl::StatusOr<std::unique_ptr<WarmInstance>> WarmInstance::Start(
    const std::vector<std::string>& argv, std::size_t max_stderr_bytes) {
  Pipe in, out, err;
  for (Pipe* pipe : {&in, &out, &err}) {
    if (int error = MakePipe(*pipe); error != 0) return SystemError("pipe", error);
  }
  pid_t pid = 0;
  if (int error = SpawnInOwnGroup(argv, in.read.get(), out.write.get(), err.write.get(), pid);
      error != 0) {
    return SystemError(argv[0], error);
  }
  // From here on the instance owns the child, so every return below kills and reaps it.
  std::unique_ptr<WarmInstance> instance(new WarmInstance(pid, std::move(in.write),
                                                          std::move(out.read), std::move(err.read),
                                                          OpenPidfd(pid), max_stderr_bytes));
  // Only the child may hold these ends now, so end of file on stdout means it let go.
  in.read.Close();
  out.write.Close();
  err.write.Close();
  for (const Fd* fd : {&instance->stdin_, &instance->stdout_, &instance->stderr_}) {
    if (int error = SetNonBlocking(fd->get()); error != 0) return SystemError("fcntl", error);
  }
  return instance;
}

WarmInstance::WarmInstance(pid_t pid, Fd stdin_fd, Fd stdout_fd, Fd stderr_fd, Fd pidfd,
                           std::size_t max_stderr_bytes)
    : pid_(pid),
      stdin_(std::move(stdin_fd)),
      stdout_(std::move(stdout_fd)),
      stderr_(std::move(stderr_fd)),
      pidfd_(std::move(pidfd)),
      max_stderr_bytes_(max_stderr_bytes),
      buffer_(kReadChunk) {}

WarmInstance::~WarmInstance() { KillAndReap(); }

WarmInstance::Exchange WarmInstance::Call(std::string_view request,
                                          std::optional<Clock::time_point> deadline,
                                          std::size_t max_line_bytes) {
  Exchange exchange;
  SigpipeBlock sigpipe_block;
  std::size_t written = 0;
  while (true) {
    if (std::optional<std::string> line = TakeLine()) {
      if (line->size() > max_line_bytes) {
        exchange.end = Exchange::End::kLineTooLong;
        return exchange;
      }
      // Anything after the answer would be read as the answer to the next request.
      if (!IsBlank(out_)) reusable_ = false;
      exchange.end = Exchange::End::kAnswered;
      exchange.line = *std::move(line);
      return exchange;
    }
    if (out_.size() > max_line_bytes) {
      exchange.end = Exchange::End::kLineTooLong;
      return exchange;
    }
    if (!stdout_.open() || exited_) {
      exchange.end = Exchange::End::kClosed;
      return exchange;
    }
    int wait_ms = WaitMillis(deadline);
    if (wait_ms == 0 && Clock::now() >= *deadline) {
      exchange.end = Exchange::End::kTimedOut;
      return exchange;
    }
    const bool writing = stdin_.open() && written < request.size();
    // Without a pidfd, an exit that leaves stdout open is noticed by asking now and then.
    if (!pidfd_.open()) wait_ms = wait_ms < 0 ? 100 : std::min(wait_ms, 100);
    pollfd fds[4];
    nfds_t count = 0;
    if (writing) fds[count++] = {stdin_.get(), POLLOUT, 0};
    fds[count++] = {stdout_.get(), POLLIN, 0};
    if (stderr_.open()) fds[count++] = {stderr_.get(), POLLIN, 0};
    if (pidfd_.open()) fds[count++] = {pidfd_.get(), POLLIN, 0};
    if (::poll(fds, count, wait_ms) < 0) {
      if (errno == EINTR) continue;
      exchange.system_call = "poll";
      exchange.system_errno = errno;
      return exchange;
    }
    if (writing && fds[0].revents != 0) {
      ssize_t n = ::write(stdin_.get(), request.data() + written, request.size() - written);
      if (n > 0) {
        written += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        // EPIPE: the instance closed its stdin; it may still answer, but never again.
        if (errno == EPIPE) sigpipe_block.NoteEpipe();
        stdin_.Close();
        reusable_ = false;
      }
    }
    // Reading every source on every round is cheap (non-blocking) and keeps the order simple.
    ReadStdout(max_line_bytes);
    ReadStderr(/*until_empty=*/false);
    PollExit();
    if (exited_) {
      // All the instance wrote is in the pipes once its exit is seen: an answer written just
      // before exiting still counts.
      ReadStdout(max_line_bytes);
      ReadStderr(/*until_empty=*/true);
    }
  }
}

bool WarmInstance::CheckIdle() {
  // A single non-blank byte is enough to know the instance broke the protocol.
  ReadStdout(kReadChunk);
  ReadStderr(/*until_empty=*/true);
  PollExit();
  if (!IsBlank(out_) || !stdout_.open() || exited_) reusable_ = false;
  // Blank lines while idle are as harmless as blank lines before an answer.
  if (reusable_) out_.clear();
  return reusable_;
}

std::vector<int> WarmInstance::IdleWatchFds() const {
  std::vector<int> fds;
  for (const Fd* fd : {&stdout_, &stderr_, &pidfd_}) {
    if (fd->open()) fds.push_back(fd->get());
  }
  return fds;
}

bool WarmInstance::AwaitExit(Clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    PollExit();
    if (exited_ || reaped_) return true;
    int wait_ms = WaitMillis(deadline);
    if (wait_ms == 0 && Clock::now() >= deadline) return false;
    if (!pidfd_.open()) {
      wait_ms = std::min<int>(wait_ms, static_cast<int>(pause.count()));
      pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
    pollfd fds[3];
    nfds_t count = 0;
    for (const Fd* fd : {&stdout_, &stderr_, &pidfd_}) {
      if (fd->open()) fds[count++] = {fd->get(), POLLIN, 0};
    }
    if (::poll(fds, count, wait_ms) < 0 && errno != EINTR) {
      // Cannot wait properly; the caller's kill is the answer.
      return false;
    }
    // What an exiting instance writes to stdout answers nothing; only its size is bounded.
    ReadStdout(kReadChunk);
    out_.clear();
    ReadStderr(/*until_empty=*/false);
  }
}

std::optional<int> WarmInstance::KillAndReap() {
  if (reaped_) return status_;
  KillGroup(pid_);
  int status = 0;
  if (Reap(pid_, status) == 0) status_ = status;
  reaped_ = true;
  // Whatever the instance wrote last to stderr is the best explanation of its end.
  ReadStderr(/*until_empty=*/true);
  stdin_.Close();
  stdout_.Close();
  stderr_.Close();
  pidfd_.Close();
  reusable_ = false;
  return status_;
}

void WarmInstance::ReadStdout(std::size_t stop_above) {
  while (stdout_.open()) {
    ssize_t n = ::read(stdout_.get(), buffer_.data(), buffer_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) {
        stdout_.Close();
        reusable_ = false;
      }
      return;
    }
    if (n == 0) {
      stdout_.Close();
      reusable_ = false;
      return;
    }
    out_.append(buffer_.data(), static_cast<std::size_t>(n));
    if (out_.size() > stop_above) return;
  }
}

void WarmInstance::ReadStderr(bool until_empty) {
  std::size_t drained = 0;
  while (stderr_.open()) {
    ssize_t n = ::read(stderr_.get(), buffer_.data(), buffer_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) stderr_.Close();
      return;
    }
    if (n == 0) {
      // An instance may close its stderr and keep serving; that is its business.
      stderr_.Close();
      return;
    }
    AppendTail(err_tail_, buffer_.data(), static_cast<std::size_t>(n), max_stderr_bytes_);
    drained += static_cast<std::size_t>(n);
    if (!until_empty || drained > 2 * kReadChunk + max_stderr_bytes_) return;
  }
}

void WarmInstance::PollExit() {
  if (exited_ || reaped_) return;
  if (pidfd_.open()) {
    pollfd fd = {pidfd_.get(), POLLIN, 0};
    if (::poll(&fd, 1, 0) == 1 && fd.revents != 0) exited_ = true;
  } else {
    siginfo_t info{};
    // WNOWAIT leaves the child unreaped, so its group id stays ours until KillAndReap.
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid != 0) {
      exited_ = true;
    }
  }
  if (exited_) reusable_ = false;
}

std::optional<std::string> WarmInstance::TakeLine() {
  std::size_t start = 0;
  while (true) {
    std::size_t newline = out_.find('\n', start);
    if (newline == std::string::npos) {
      // Blank lines before a partial one are dropped so that they do not count toward its size.
      out_.erase(0, start);
      return std::nullopt;
    }
    std::string_view line(out_.data() + start, newline - start);
    if (!IsBlank(line)) {
      std::string taken(line);
      out_.erase(0, newline + 1);
      return taken;
    }
    start = newline + 1;
  }
}

}  // namespace stepwise::workers::internal
