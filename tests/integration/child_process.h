// A child process for tests: spawned with posix_spawn, its stdout (and optionally stdin and
// stderr) on pipes, read line by line with a deadline, killed and reaped by pid.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace stepwise::testing {

class ChildProcess {
 public:
  struct Options {
    bool pipe_stdin = false;   // else /dev/null
    bool pipe_stderr = false;  // else inherited
  };

  // Starts `argv[0]` with `argv`. On failure, error() says why and nothing runs.
  ChildProcess(const std::vector<std::string>& argv, Options options) {
    int out[2] = {-1, -1};
    int in[2] = {-1, -1};
    int err[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) != 0 || (options.pipe_stdin && pipe2(in, O_CLOEXEC) != 0) ||
        (options.pipe_stderr && pipe2(err, O_CLOEXEC) != 0)) {
      error_ = std::string("pipe2: ") + std::strerror(errno);
      CloseAll({out[0], out[1], in[0], in[1], err[0], err[1]});
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (options.pipe_stdin) {
      posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    } else {
      posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    if (options.pipe_stderr) posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    int spawned = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    CloseAll({out[1], in[0], err[1]});
    if (spawned != 0) {
      error_ = "posix_spawn " + argv[0] + ": " + std::strerror(spawned);
      pid_ = -1;
      CloseAll({out[0], in[1], err[0]});
      return;
    }
    stdout_ = out[0];
    stdin_ = in[1];
    stderr_ = err[0];
  }

  ~ChildProcess() {
    if (pid_ > 0) {
      Kill();
      Wait();
    }
    CloseAll({stdout_, stdin_, stderr_});
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool ok() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  pid_t pid() const { return pid_; }

  // Reads stdout until a line starting with `prefix` arrives (returned whole, without the
  // newline), end of file, or `deadline`: nullopt for the last two (eof() tells which).
  std::optional<std::string> ReadLineStartingWith(const std::string& prefix,
                                                  std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      std::size_t newline;
      while ((newline = buffer_.find('\n')) != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        lines_.push_back(line);
        if (line.rfind(prefix, 0) == 0) return line;
      }
      if (eof_) return std::nullopt;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd watched{stdout_, POLLIN, 0};
      int ready = poll(&watched, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno != EINTR) return std::nullopt;
      if (ready <= 0) continue;
      char chunk[4096];
      ssize_t got = read(stdout_, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        eof_ = true;
      } else {
        buffer_.append(chunk, static_cast<std::size_t>(got));
      }
    }
  }
  bool eof() const { return eof_; }
  const std::vector<std::string>& lines() const { return lines_; }

  // Closes the child's stdin (with Options::pipe_stdin), which it sees as end of file.
  void CloseStdin() {
    CloseAll({stdin_});
    stdin_ = -1;
  }

  // Everything the child wrote on stderr (with Options::pipe_stderr), up to its end of file.
  std::string ReadAllStderr() {
    std::string text;
    char chunk[4096];
    ssize_t got;
    while ((got = read(stderr_, chunk, sizeof chunk)) != 0) {
      if (got < 0) {
        if (errno == EINTR) continue;
        break;
      }
      text.append(chunk, static_cast<std::size_t>(got));
    }
    return text;
  }

  void Kill() {
    if (pid_ > 0) kill(pid_, SIGKILL);
  }

  // Reaps the child; returns its wait status (see WIFEXITED and friends).
  int Wait() {
    int status = 0;
    if (pid_ <= 0) return status_;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    status_ = status;
    return status_;
  }

  // "exited with 3", "killed by signal 9".
  static std::string Describe(int status) {
    if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
  }

 private:
  static void CloseAll(std::initializer_list<int> fds) {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }

  pid_t pid_ = -1;
  int status_ = 0;
  int stdout_ = -1;
  int stdin_ = -1;
  int stderr_ = -1;
  std::string error_;
  std::string buffer_;
  std::vector<std::string> lines_;
  bool eof_ = false;
};

}  // namespace stepwise::testing
