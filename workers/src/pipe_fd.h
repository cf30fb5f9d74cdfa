#pragma once

#include <signal.h>
#include <unistd.h>

#include <utility>

namespace stepwise::workers::internal {

// The descriptor plumbing between the process host and its children.

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
// Returns 0 or an errno value.
int MakePipe(Pipe& pipe);

// Returns 0 or an errno value.
int SetNonBlocking(int fd);

// Writing to a pipe whose reader is gone raises SIGPIPE in the writing thread, and its default
// action ends the whole process. Ignoring SIGPIPE process-wide would change global state that
// other code may rely on, so instead the calling thread blocks SIGPIPE while it feeds the child.
// A SIGPIPE our own write raised is then taken off the thread's pending set before the old mask
// comes back, so it is never delivered; the write itself just fails with EPIPE.
class SigpipeBlock {
 public:
  SigpipeBlock();
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;
  ~SigpipeBlock();

  // Call when a write failed with EPIPE.
  void NoteEpipe() { raised_ = true; }

 private:
  sigset_t pipe_only_;
  sigset_t old_mask_;
  bool was_pending_ = false;
  bool raised_ = false;
};

}  // namespace stepwise::workers::internal
