// The Worker: `concurrency` slot threads, one heartbeat thread and a TaskStream (one stream to
// the server that brings tasks against credits, one per free slot, and takes results back).
// Each slot takes the next task from the stream and runs its handler; a result frees the slot
// and grants its next credit in the same message. A task is "owed" from its arrival until its
// outcome is sent: either its slot sends the handler's result, or, when Shutdown's grace runs
// out first, Drain hands it back with kWorkerShutdownError. Whoever removes it from `owed`
// sends; the other stays silent, so a task is never completed twice by this worker.
#include "stepwise/workers/worker.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "task_stream.h"
#include "worker_backoff.h"
#include "worker_client.h"
#include "worker_heartbeats.h"
#include "worker_log.h"
#include "worker_outcome.h"

namespace stepwise::workers {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using Call = std::shared_ptr<Invocation>;

constexpr std::string_view kRuntimeError = "States.Runtime";
// Outputs larger than this go by SucceedTask, whose refusal of an oversized output the SDK
// turns into States.DataLimitExceeded; smaller ones ride the stream.
constexpr std::size_t kStreamedOutputBytes = 128 * 1024;
// How long a stopping worker waits for the answers to the results it sent.
constexpr milliseconds kAnswerAllowance{10'000};

// now + span, saturating: a grace of milliseconds::max() means "wait for every invocation".
Clock::time_point After(Clock::time_point now, milliseconds span) {
  // Compared in milliseconds: milliseconds::max() converted to the clock's nanoseconds overflows.
  if (span >= std::chrono::duration_cast<milliseconds>(Clock::time_point::max() - now)) {
    return Clock::time_point::max();
  }
  return now + std::max(span, milliseconds::zero());
}

std::string Where(const TaskInfo& task) {
  return task.execution_id + " state '" + task.state_name + "' (" + task.function + ")";
}

}  // namespace

struct Worker::Impl {
  explicit Impl(WorkerOptions worker_options)
      : options(std::move(worker_options)), log(options.log) {}

  enum class Phase { kIdle, kRunning, kDone };

  absl::Status Begin();
  // Waits for Stop(), then drains: what Run() does, or the background thread of Start().
  void Serve();
  // One slot's loop: take a task, run its handler, send its outcome.
  void ServeSlot();
  void Run(const v1::Task& task);
  void Complete(const Call& call, const internal::Outcome& outcome);
  // How the server answered a result sent on the stream.
  void Answered(const TaskInfo& task, const absl::Status& answer);
  std::vector<std::string> FunctionNames();
  void Drain();
  void HandBack(const std::vector<Call>& calls);

  const WorkerOptions options;
  const internal::Log log;
  std::string identity;
  std::unique_ptr<internal::TaskClient> client;
  std::unique_ptr<internal::Heartbeats> heartbeats;
  std::unique_ptr<internal::TaskStream> stream;

  std::mutex mutex;
  // Stop asked, slots freed while stopping, phase changed: what Serve, Drain and Wait wait for.
  std::condition_variable changed;
  std::map<std::string, std::shared_ptr<const Handler>> handlers;
  std::set<std::string> functions_called;  // a function's first call here is a cold start
  Phase phase = Phase::kIdle;
  bool stopping = false;
  Clock::time_point grace_end = Clock::time_point::max();
  std::set<Call> owed;
  int slots_taken = 0;  // tasks taken whose outcome has not been sent yet
  std::vector<std::thread> slots;
  std::thread background;
};

absl::Status Worker::Impl::Begin() {
  std::unique_lock lock(mutex);
  if (phase != Phase::kIdle) {
    return absl::FailedPreconditionError("this worker has already run; a Worker runs once");
  }
  if (handlers.empty()) {
    return absl::InvalidArgumentError("no function to serve: call Handle() before Run()");
  }
  if (options.concurrency < 1) {
    return absl::InvalidArgumentError("WorkerOptions::concurrency must be at least 1, not " +
                                      std::to_string(options.concurrency));
  }
  if (options.server.empty()) {
    return absl::InvalidArgumentError("WorkerOptions::server is empty: give host:port");
  }
  absl::StatusOr<std::unique_ptr<internal::TaskClient>> connected =
      internal::TaskClient::Connect(options);
  if (!connected.ok()) return connected.status();
  client = *std::move(connected);
  identity = client->identity();
  heartbeats = std::make_unique<internal::Heartbeats>(*client, log);
  stream = std::make_unique<internal::TaskStream>(
      *client, [this] { return FunctionNames(); }, options.concurrency, log, options.retry_backoff,
      options.max_retry_backoff);
  if (stopping) stream->Drain();
  phase = Phase::kRunning;
  std::string names;
  for (const auto& [name, handler] : handlers) names += (names.empty() ? "" : ", ") + name;
  for (int i = 0; i < options.concurrency; ++i) slots.emplace_back([this] { ServeSlot(); });
  lock.unlock();  // the log function is the user's: it may call back into the worker
  log(LogLevel::kInfo, identity + " serving " + names + " from " + options.server + " with " +
                           std::to_string(options.concurrency) + " slot(s)");
  return absl::OkStatus();
}

void Worker::Impl::Serve() {
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [this] { return stopping; });
  }
  Drain();
}

std::vector<std::string> Worker::Impl::FunctionNames() {
  std::lock_guard lock(mutex);
  std::vector<std::string> functions;
  for (const auto& [name, handler] : handlers) functions.push_back(name);
  return functions;
}

void Worker::Impl::ServeSlot() {
  while (std::optional<v1::Task> task = stream->Next()) Run(*task);
}

void Worker::Impl::Run(const v1::Task& task) {
  auto input = task.input().empty() ? nlohmann::json::object()
                                    : nlohmann::json::parse(task.input(), nullptr, false);
  auto call = std::make_shared<Invocation>(internal::ToTaskInfo(task), std::move(input));
  std::shared_ptr<const Handler> handler;
  {
    std::lock_guard lock(mutex);
    auto found = handlers.find(task.function());
    if (found != handlers.end()) handler = found->second;
    call->ReportColdStart(functions_called.insert(task.function()).second);
    if (handler && !call->input().is_discarded()) {
      ++slots_taken;
      owed.insert(call);
      // Under the mutex, so that a hand-back cannot slip in between and leave it heartbeated.
      heartbeats->Add(call);
    }
  }
  if (!handler || call->input().is_discarded()) {
    // Neither should happen with a Stepwise server; failing at once beats a silent timeout.
    internal::Outcome failed =
        handler ? internal::Failure(kRuntimeError, "the task's input is not JSON")
                : internal::Failure(
                      kHandlerFailedError,
                      "worker " + identity + " has no handler for '" + task.function() + "'");
    log(LogLevel::kError, Where(call->task()) + ": " + failed.cause);
    stream->Send(call->task().token, failed, /*frees_slot=*/true, [this](absl::Status sent) {
      if (!sent.ok()) log(LogLevel::kError, std::string(sent.message()));
    });
    return;
  }
  internal::Outcome outcome = internal::RunHandler(*handler, *call);
  outcome.cold_start = call->cold_start();
  {
    std::lock_guard lock(mutex);
    if (owed.erase(call) == 0) {  // handed back meanwhile: nobody wants it now
      stream->Release();
      return;
    }
    heartbeats->Remove(*call);
  }
  Complete(call, outcome);
  bool draining;
  {
    std::lock_guard lock(mutex);
    --slots_taken;
    draining = stopping;
  }
  // Only Drain waits for slots to come free; a wake-up per task would cost a context switch.
  if (draining) changed.notify_all();
}

void Worker::Impl::Complete(const Call& call, const internal::Outcome& outcome) {
  if (call->cancelled()) {
    log(LogLevel::kInfo,
        Where(call->task()) + " was cancelled on the server; its result is not sent");
    stream->Release();
    return;
  }
  if (outcome.output.size() > kStreamedOutputBytes) {
    Answered(call->task(), internal::Deliver(*client, call->task().token, outcome));
    stream->Release();
    return;
  }
  stream->Send(call->task().token, outcome, /*frees_slot=*/true,
               [this, task = call->task()](absl::Status sent) { Answered(task, sent); });
}

void Worker::Impl::Answered(const TaskInfo& task, const absl::Status& sent) {
  if (sent.ok()) return;
  if (absl::IsFailedPrecondition(sent)) {
    log(LogLevel::kWarning, "the result of " + Where(task) +
                                " was refused: the task is no longer awaited (timed out, or the "
                                "execution stopped): " +
                                std::string(sent.message()));
  } else {
    log(LogLevel::kError, "the result of " + Where(task) +
                              " could not be delivered (the server hands the task out again "
                              "after its timeout): " +
                              std::string(sent.message()));
  }
}

void Worker::Impl::Drain() {
  std::vector<Call> late;
  log(LogLevel::kInfo, "stopping: no more polls");
  {
    std::unique_lock lock(mutex);
    // grace_end is read again on every wake: a second Stop() may have brought it forward.
    while (slots_taken > 0 && Clock::now() < grace_end) {
      if (grace_end == Clock::time_point::max()) {
        changed.wait(lock);  // an unlimited grace; a deadline of max() could overflow
      } else {
        changed.wait_until(lock, grace_end);
      }
    }
    late.assign(owed.begin(), owed.end());
    owed.clear();
    for (const Call& call : late) heartbeats->Remove(*call);
  }
  HandBack(late);
  {
    std::unique_lock lock(mutex);
    slots_taken -= static_cast<int>(late.size());
    // Results being sent when the grace ran out are worth the short wait for their delivery.
    changed.wait(lock, [this] { return slots_taken == 0; });
  }
  stream->Close(Clock::now() + kAnswerAllowance);
  heartbeats->Stop();
  {
    std::lock_guard lock(mutex);
    phase = Phase::kDone;
  }
  changed.notify_all();
}

void Worker::Impl::HandBack(const std::vector<Call>& calls) {
  for (const Call& call : calls) {
    call->Cancel();
    log(LogLevel::kWarning,
        "handing back " + Where(call->task()) + ": still running when the shutdown grace ran out");
    absl::Status sent = internal::Deliver(
        *client, call->task().token,
        internal::Failure(kWorkerShutdownError,
                          "worker " + identity +
                              " shut down before the invocation finished (its grace ran out)"));
    if (!sent.ok()) log(LogLevel::kWarning, std::string(sent.message()));
  }
}

Worker::Worker(WorkerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Worker::~Worker() {
  Shutdown(impl_->options.shutdown_grace);
  if (impl_->background.joinable()) impl_->background.join();
  // Handlers handed back at shutdown may still be returning: they use this worker's state.
  for (std::thread& slot : impl_->slots) slot.join();
  // Its connector thread asks the handlers what to serve: it goes before they do.
  impl_->stream.reset();
}

void Worker::Handle(std::string function, Handler handler) {
  auto shared = std::make_shared<const Handler>(std::move(handler));
  std::lock_guard lock(impl_->mutex);
  bool added = impl_->handlers.insert_or_assign(std::move(function), std::move(shared)).second;
  if (added && impl_->stream) impl_->stream->Renew();  // the server must hear of it
}

absl::Status Worker::Run() {
  if (absl::Status begun = impl_->Begin(); !begun.ok()) return begun;
  impl_->Serve();
  return absl::OkStatus();
}

absl::Status Worker::Start() {
  if (absl::Status begun = impl_->Begin(); !begun.ok()) return begun;
  impl_->background = std::thread([this] { impl_->Serve(); });
  return absl::OkStatus();
}

void Worker::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    impl_->grace_end = std::min(impl_->grace_end, After(Clock::now(), grace));
  }
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stream) impl_->stream->Drain();
  }
  impl_->changed.notify_all();
}

void Worker::Stop() { Stop(impl_->options.shutdown_grace); }

void Worker::Wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait(lock, [this] { return impl_->phase != Impl::Phase::kRunning; });
}

void Worker::Shutdown(std::chrono::milliseconds grace) {
  Stop(grace);
  Wait();
}

}  // namespace stepwise::workers
