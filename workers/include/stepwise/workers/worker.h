#pragma once

// The worker SDK: serve Task states of Stepwise workflows from a C++ program.
//
//   stepwise::workers::Worker worker({.server = "localhost:7233", .concurrency = 4});
//   worker.Handle("resize", [](const stepwise::workers::Invocation& call)
//                               -> absl::StatusOr<nlohmann::json> {
//     if (!call.input().contains("url")) {
//       return stepwise::workers::TaskError("Resize.NoUrl", "the input has no \"url\"");
//     }
//     return nlohmann::json{{"width", 640}};
//   });
//   absl::Status served = worker.Run();  // until Stop() or Shutdown() from another thread
//
// It speaks the Tasks service of api/proto/stepwise.proto over one stream (Tasks.Connect): the
// server sends a task for each free one of its `concurrency` slots, each slot runs its task's
// handler on its own thread, heartbeats while a handler runs, and completes each task with its
// handler's result (several results to a message when several are ready). Delivery is at least
// once (a task whose worker vanished is handed out again), so handlers should be idempotent.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace stepwise::workers {

// --- Errors --------------------------------------------------------------------------------

// The error names the SDK fails tasks with; Retry and Catch match them like any other.
// The worker shut down and the handler had not returned when Shutdown's grace ran out.
inline constexpr std::string_view kWorkerShutdownError = "Stepwise.WorkerShutdown";
// The handler failed without naming an error (a plain absl::Status, or an exception).
inline constexpr std::string_view kHandlerFailedError = "States.TaskFailed";

// A handler failure that Retry and Catch match by `error` (e.g. "Resize.TooLarge"), with
// `cause` as its explanation. It is an absl::Status (code kUnknown, message `cause`, the error
// name as a payload), so a handler returns it as is and helpers can pass it up.
absl::Status TaskError(std::string_view error, std::string_view cause);

// The error name a failed handler status is reported with: TaskError's name, else
// kHandlerFailedError.
std::string ErrorName(const absl::Status& status);

// The cause a failed handler status is reported with: TaskError's cause, else
// "CODE: message" (e.g. "NOT_FOUND: no such image").
std::string ErrorCause(const absl::Status& status);

// --- One invocation ------------------------------------------------------------------------

// What the server says about a task (the Task message of api/proto/stepwise.proto).
struct TaskInfo {
  std::string token;  // names this attempt; the SDK completes it with the handler's result
  std::string execution_id;
  std::string state_name;
  std::string function;  // the function (or activity ARN) the task is for
  std::string resource;  // the Task state's Resource as written
  int attempt = 0;       // 0 for the first attempt, one more per retry
  // When the attempt times out (TimeoutSeconds after it was scheduled, by the server's clock).
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
  // The state's HeartbeatSeconds (0: none). The SDK heartbeats every third of it.
  std::chrono::seconds heartbeat{0};
  // A `.waitForTaskToken` invocation: the state waits for a completion of the token it put in
  // the input; the handler's result only acknowledges the invocation.
  bool callback = false;
};

// One run of a handler: the task, its input, its deadline and whether it is still wanted.
// Thread-safe; the SDK owns it for the duration of the handler call.
class Invocation {
 public:
  // The SDK makes these; a unit test of a handler may make its own.
  Invocation(TaskInfo task, nlohmann::json input);
  Invocation(const Invocation&) = delete;
  Invocation& operator=(const Invocation&) = delete;

  const TaskInfo& task() const { return task_; }
  // The state's effective input (after InputPath and Parameters).
  const nlohmann::json& input() const { return input_; }

  // The attempt's deadline: a result after it is refused and the state sees States.Timeout.
  std::chrono::system_clock::time_point deadline() const { return task_.deadline; }
  // Time left until the deadline, never negative (Lambda's getRemainingTimeInMillis): a long
  // job checkpoints and returns while there is enough left. Measured on this machine's clock:
  // keep it in sync with the server's (NTP). milliseconds::max() when there is no deadline.
  std::chrono::milliseconds remaining() const;

  // True once the result is no longer wanted: a heartbeat was answered `cancelled` (the
  // execution stopped, the state timed out or moved on), or the worker handed the task back
  // at shutdown. The handler should return soon; its result is discarded. Only tasks with
  // HeartbeatSeconds are heartbeated, so only they learn of a stop on the server.
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // Waits up to `timeout` for cancelled() and returns it: a pause that ends early when the
  // work is cancelled (use it instead of sleeping in a handler).
  bool WaitForCancel(std::chrono::milliseconds timeout) const;
  // Marks the invocation cancelled and wakes WaitForCancel. Idempotent.
  void Cancel();

  // Whether the server counts this invocation as a cold start of its function (Function
  // cold_starts in the REST API). The SDK sets it for the first invocation of each function in
  // this process; a handler that runs the work elsewhere says what happened there (the process
  // host: true for a new process per call, or for a warm instance's first call).
  bool cold_start() const { return cold_start_.load(std::memory_order_acquire); }
  void ReportColdStart(bool cold) const { cold_start_.store(cold, std::memory_order_release); }

 private:
  const TaskInfo task_;
  const nlohmann::json input_;
  std::atomic<bool> cancelled_{false};
  mutable std::atomic<bool> cold_start_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable cancel_;
};

// Runs one invocation and returns the state's result, or a failure: TaskError(...) for an
// error that Retry and Catch match by name; any other status (or an exception thrown) fails
// the task with kHandlerFailedError. Called on the worker's threads, up to `concurrency` at
// once, so it must be thread-safe.
using Handler = std::function<absl::StatusOr<nlohmann::json>(const Invocation& call)>;

// --- The worker ----------------------------------------------------------------------------

enum class LogLevel { kInfo, kWarning, kError };
// Receives the worker's log lines (no payloads, no tokens). Called from the worker's threads,
// possibly several at once.
using LogFunction = std::function<void(LogLevel level, std::string_view message)>;

struct WorkerOptions {
  // The server's gRPC address, host:port.
  std::string server = "127.0.0.1:7233";
  // When set, every call carries "authorization: Bearer <token>" (the server's --token).
  std::string token;
  // A PEM file of the CA certificates to trust: the connection uses TLS. Empty: plaintext,
  // unless `tls` asks for TLS with the system's trusted CAs.
  std::string tls_ca_file;
  bool tls = false;
  // How many invocations run at once, one thread each. The worker never holds more tasks than
  // this: the server sends a task only for a free slot, so the others stay queued for other
  // workers.
  int concurrency = 1;
  // Who the worker is, for the server's records. Empty: "host:pid".
  std::string identity;
  // While the connection fails (server down or refusing), the worker waits between tries: first
  // `retry_backoff`, doubling up to `max_retry_backoff`, each with random jitter (so that many
  // workers do not come back in step). Each failure is logged once.
  std::chrono::milliseconds retry_backoff{200};
  std::chrono::milliseconds max_retry_backoff{10'000};
  // The grace Stop() without an argument, and the destructor, give running invocations.
  std::chrono::milliseconds shutdown_grace{10'000};
  // Where log lines go. Unset: warnings and errors to stderr, "stepwise worker: " first.
  LogFunction log;
};

// A function worker: handlers by function name, `concurrency` slots that run tasks, heartbeats.
class Worker {
 public:
  explicit Worker(WorkerOptions options);
  // Shutdown() with options.shutdown_grace if still running, then waits for every handler
  // thread to return (those handed back have been told so by cancelled()).
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Serves `function` (a function name, or an activity ARN) with `handler`, replacing an
  // earlier handler of that name. Thread-safe: a function added while running is served at
  // once (the worker connects again to tell the server).
  void Handle(std::string function, Handler handler);

  // Serves tasks until Stop() or Shutdown(), then returns OK once every invocation has
  // finished or been handed back. InvalidArgument at once for bad options (no handler,
  // concurrency < 1, an unreadable tls_ca_file); FailedPrecondition
  // when this worker has already run (a worker runs once). An unreachable server is no error:
  // the worker logs it and tries again with backoff.
  absl::Status Run();
  // Run() on a background thread; returns Run()'s immediate errors. Stop with Shutdown().
  absl::Status Start();

  // Begins a graceful shutdown and returns at once; safe from any thread, a handler included.
  // The server is told to send no more tasks (one already on its way still
  // runs), running invocations have `grace` to finish, and those still running then are
  // failed with kWorkerShutdownError (a Retry on that name sends them to another worker) and
  // see cancelled(). A second call may shorten the grace, never lengthen it. Before Run(), it
  // makes Run() return at once.
  void Stop(std::chrono::milliseconds grace);
  void Stop();  // with options.shutdown_grace
  // Blocks until Run() has returned; at once when it is not running.
  void Wait();
  // Stop(grace), then Wait().
  void Shutdown(std::chrono::milliseconds grace);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stepwise::workers
