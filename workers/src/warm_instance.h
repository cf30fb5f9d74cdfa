#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "pipe_fd.h"

namespace stepwise::workers::internal {

// One running instance of a warm function: a child process leading its own process group, the
// pipes to its stdin, stdout and stderr, and (where the kernel has pidfd_open) a descriptor that
// becomes readable when it exits. Speaks warm_pool.h's line protocol one exchange at a time.
//
// Not thread-safe: one thread owns an instance at a time (WarmPool hands instances between
// threads under its lock). Every instance ends in KillAndReap(), which the destructor calls if
// nobody did, so none is ever left a zombie.
class WarmInstance {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts argv (no shell, program looked up in PATH). The error's message says what failed
  // with the system's reason: "PROGRAM: No such file or directory", "pipe: Too many open files".
  // REQUIRES: argv is not empty. Of stderr at least the last max_stderr_bytes are kept.
  static absl::StatusOr<std::unique_ptr<WarmInstance>> Start(const std::vector<std::string>& argv,
                                                             std::size_t max_stderr_bytes);

  WarmInstance(const WarmInstance&) = delete;
  WarmInstance& operator=(const WarmInstance&) = delete;
  ~WarmInstance();

  pid_t pid() const { return pid_; }

  struct Exchange {
    enum class End {
      kAnswered,     // `line` is the first non-blank line the instance wrote
      kTimedOut,     // the deadline passed first
      kLineTooLong,  // the line reached max_line_bytes without ending
      kClosed,       // the instance exited or closed its stdout first
      kSystemError,  // `system_call` failed with `system_errno`
    };
    End end = End::kSystemError;
    std::string line;
    std::string system_call;
    int system_errno = 0;
  };

  // Writes `request` (one line, newline included) to stdin and reads until the instance answers
  // with a line, reading stderr meanwhile so that neither side can block the other. Blank lines
  // are skipped. Never kills: what to do with the instance afterwards is the caller's choice.
  Exchange Call(std::string_view request, std::optional<Clock::time_point> deadline,
                std::size_t max_line_bytes);

  // False once the instance has shown it cannot be trusted with another request: it closed its
  // stdin or stdout, exited, or wrote more than its answer (a line the next request would take
  // for its own).
  bool reusable() const { return reusable_; }

  // For an idle instance: takes in, without blocking, whatever it did since its last answer
  // (stderr goes to the tail) and returns reusable().
  bool CheckIdle();

  // Descriptors that become readable when an idle instance does something CheckIdle must see.
  std::vector<int> IdleWatchFds() const;

  // Asks the instance to exit, as the protocol defines: end of file on its stdin.
  void CloseStdin() { stdin_.Close(); }

  // Waits until the instance has exited or `deadline` has passed, collecting stderr meanwhile;
  // true if it exited. Does not reap it.
  bool AwaitExit(Clock::time_point deadline);

  // SIGKILLs the instance's process group and reaps the instance, once; returns its wait
  // status (nullopt if somebody else reaped it). After this, AwaitExit's answer is final.
  std::optional<int> KillAndReap();

  // The last bytes the instance wrote to stderr: raw bytes, possibly cut inside a character.
  const std::string& stderr_tail() const { return err_tail_; }

 private:
  WarmInstance(pid_t pid, Fd stdin_fd, Fd stdout_fd, Fd stderr_fd, Fd pidfd,
               std::size_t max_stderr_bytes);

  // Reads stdout without blocking until it would block or more than `stop_above` bytes wait in
  // out_: a bound, because a child the instance left behind may write without end.
  void ReadStdout(std::size_t stop_above);
  // Reads stderr into the tail without blocking, once or until it would block (within reason).
  void ReadStderr(bool until_empty);
  // Notes an exit the pidfd (or waitid) reports, without reaping.
  void PollExit();
  // Takes the first non-blank complete line out of the stdout buffer.
  std::optional<std::string> TakeLine();

  pid_t pid_;
  Fd stdin_;
  Fd stdout_;
  Fd stderr_;
  Fd pidfd_;  // not open when the kernel has no pidfd_open
  std::size_t max_stderr_bytes_;
  std::string out_;  // stdout read but not yet taken as an answer
  std::string err_tail_;
  std::vector<char> buffer_;
  bool reusable_ = true;
  bool exited_ = false;
  bool reaped_ = false;
  std::optional<int> status_;
};

}  // namespace stepwise::workers::internal
