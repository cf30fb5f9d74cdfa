#include "stepwise/workers/warm_pool.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "bounded_text.h"
#include "function_failure.h"
#include "warm_pool_impl.h"
#include "warm_protocol.h"

namespace stepwise::workers {
namespace {

using internal::DurationText;
using internal::Failed;
using internal::Quoted;
using internal::WarmInstance;
using Clock = std::chrono::steady_clock;

// stderr is kept with this much to spare, as in exec mode, so trimming trailing blank lines
// still leaves a full max_cause_bytes of text.
constexpr std::size_t kCauseSlack = 4096;
constexpr std::size_t kResponsePreviewChars = 200;
// An instance that closed its stdout is usually exiting; this long is given to it so that the
// cause can tell its exit status rather than "closed its stdout".
constexpr std::chrono::milliseconds kExitWait{200};

std::chrono::microseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

std::string Preview(std::string_view line) {
  std::string text = internal::ValidUtf8(internal::TrimWhitespace(line));
  return std::string(internal::Utf8Head(text, kResponsePreviewChars));
}

}  // namespace

absl::StatusOr<std::unique_ptr<WarmPool>> WarmPool::Create(FunctionBinding binding,
                                                           WarmPoolOptions options) {
  if (binding.argv.empty()) {
    return absl::InvalidArgumentError("cannot keep " + Quoted(binding) +
                                      " warm: its command is empty");
  }
  if (options.max_concurrency == 0) {
    return absl::InvalidArgumentError("cannot keep " + Quoted(binding) +
                                      " warm: max_concurrency is 0; it must be at least 1");
  }
  internal::Pipe wake;
  int error = internal::MakePipe(wake);
  if (error == 0) error = internal::SetNonBlocking(wake.read.get());
  if (error == 0) error = internal::SetNonBlocking(wake.write.get());
  if (error != 0) {
    return absl::Status(
        absl::ErrnoToStatusCode(error),
        "cannot keep " + Quoted(binding) + " warm: pipe: " + internal::ErrnoText(error));
  }
  auto impl = std::make_unique<Impl>(std::move(binding), options, std::move(wake));
  impl->StartWatcher();
  return std::unique_ptr<WarmPool>(new WarmPool(std::move(impl)));
}

WarmPool::WarmPool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WarmPool::~WarmPool() = default;

WarmInvocation WarmPool::Invoke(const nlohmann::json& input,
                                std::optional<std::chrono::steady_clock::time_point> deadline,
                                int attempt) {
  return impl_->Invoke(input, deadline, attempt);
}

WarmPoolStats WarmPool::stats() const { return impl_->stats(); }

const FunctionBinding& WarmPool::binding() const { return impl_->binding(); }

WarmPool::Impl::Impl(FunctionBinding binding, WarmPoolOptions options, internal::Pipe wake)
    : binding_(std::move(binding)), options_(options), wake_(std::move(wake)) {}

WarmInvocation WarmPool::Impl::Invoke(const nlohmann::json& input,
                                      std::optional<Clock::time_point> deadline, int attempt) {
  WarmInvocation invocation;
  const Clock::time_point called = Clock::now();
  std::unique_ptr<WarmInstance> instance;
  if (!Acquire(deadline, instance)) {
    invocation.queued = Since(called);
    const std::string max = std::to_string(options_.max_concurrency);
    invocation.outcome =
        Failed("States.Timeout", Quoted(binding_) + " had no free instance before the deadline (" +
                                     "max_concurrency " + max + ")");
    Release(nullptr, /*leased=*/false, invocation);
    return invocation;
  }
  const Clock::time_point taken = Clock::now();
  invocation.queued = std::chrono::duration_cast<std::chrono::microseconds>(taken - called);
  std::optional<Clock::time_point> limit = deadline;
  bool limited_by_timeout = false;
  if (options_.limits.timeout.count() > 0 && (!limit || taken + options_.limits.timeout < *limit)) {
    limit = taken + options_.limits.timeout;
    limited_by_timeout = true;
  }
  if (limit && taken >= *limit) {
    // Nothing has been asked of the instance yet, so it stays warm.
    invocation.outcome =
        Failed("States.Timeout", "the deadline passed before " + Quoted(binding_) + " could start");
  } else if (absl::Status ready = MakeReady(instance, invocation.cold_start); !ready.ok()) {
    invocation.outcome = Failed("States.TaskFailed", "cannot run " + Quoted(binding_) + ": " +
                                                         std::string(ready.message()));
  } else {
    invocation.outcome = Serve(*instance, input, limit, limited_by_timeout, attempt);
  }
  invocation.duration = Since(taken);
  Release(std::move(instance), /*leased=*/true, invocation);
  return invocation;
}

absl::Status WarmPool::Impl::MakeReady(std::unique_ptr<WarmInstance>& instance, bool& cold_start) {
  // An idle instance may have died since the watcher last looked; that should cost the call a
  // cold start, not a failure.
  if (instance && !instance->CheckIdle()) {
    instance->KillAndReap();
    instance.reset();
  }
  if (instance) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<WarmInstance>> started =
      WarmInstance::Start(binding_.argv, options_.limits.max_cause_bytes + kCauseSlack);
  if (!started.ok()) return started.status();
  instance = *std::move(started);
  cold_start = true;
  std::lock_guard lock(mutex_);
  ++cold_starts_;
  return absl::OkStatus();
}

bool WarmPool::Impl::Acquire(std::optional<Clock::time_point> deadline,
                             std::unique_ptr<WarmInstance>& instance) {
  std::unique_lock lock(mutex_);
  Waiter waiter;
  auto place = waiting_.insert(waiting_.end(), &waiter);
  auto my_turn = [&] {
    return waiting_.front() == &waiter && (!idle_.empty() || instances_ < options_.max_concurrency);
  };
  bool ok = true;
  if (deadline) {
    ok = waiter.turn.wait_until(lock, *deadline, my_turn);
  } else {
    waiter.turn.wait(lock, my_turn);
  }
  waiting_.erase(place);
  // Whether this call goes or gives up, the next in line may be able to go now.
  NotifyFirstWaiter();
  if (!ok) return false;
  if (!idle_.empty()) {
    instance = std::move(idle_.back().instance);
    idle_.pop_back();
  } else {
    ++instances_;
  }
  ++busy_;
  return true;
}

ProcessOutcome WarmPool::Impl::Serve(WarmInstance& instance, const nlohmann::json& input,
                                     std::optional<Clock::time_point> limit,
                                     bool limited_by_timeout, int attempt) {
  // The instance sees the deadline in wall-clock time, the only kind it can compare with.
  std::optional<std::chrono::system_clock::time_point> wall_deadline;
  if (limit) {
    wall_deadline =
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(*limit - Clock::now());
  }
  const std::string request = internal::WarmRequestLine(input, wall_deadline, attempt);
  WarmInstance::Exchange exchange = instance.Call(request, limit, options_.limits.max_output_bytes);
  switch (exchange.end) {
    case WarmInstance::Exchange::End::kAnswered: {
      absl::StatusOr<ProcessOutcome> response = internal::ParseWarmResponse(exchange.line);
      if (response.ok()) return *std::move(response);
      instance.KillAndReap();
      return Failed("Stepwise.FunctionProtocolError",
                    Quoted(binding_) + " answered with a line that is not a response (" +
                        std::string(response.status().message()) + "): " + Preview(exchange.line));
    }
    case WarmInstance::Exchange::End::kTimedOut:
      instance.KillAndReap();
      if (limited_by_timeout) {
        return Failed("States.Timeout", Quoted(binding_) + " did not finish within " +
                                            DurationText(options_.limits.timeout));
      }
      return Failed("States.Timeout", Quoted(binding_) + " did not finish before the deadline");
    case WarmInstance::Exchange::End::kLineTooLong:
      instance.KillAndReap();
      return Failed("States.DataLimitExceeded",
                    Quoted(binding_) + " wrote a line of more than " +
                        std::to_string(options_.limits.max_output_bytes) +
                        " bytes to stdout, the limit for a function's output");
    case WarmInstance::Exchange::End::kClosed:
      return Crashed(instance);
    case WarmInstance::Exchange::End::kSystemError:
      instance.KillAndReap();
      return Failed("States.TaskFailed", "cannot run " + Quoted(binding_) + ": " +
                                             exchange.system_call + ": " +
                                             internal::ErrnoText(exchange.system_errno));
  }
  return Failed("States.TaskFailed", "unreachable");  // every End is handled above
}

ProcessOutcome WarmPool::Impl::Crashed(WarmInstance& instance) {
  const bool exited = instance.AwaitExit(Clock::now() + kExitWait);
  const std::optional<int> status = instance.KillAndReap();
  std::string how = "closed its stdout";
  if (exited && status && WIFEXITED(*status)) {
    how = "exited with status " + std::to_string(WEXITSTATUS(*status));
  } else if (exited && status && WIFSIGNALED(*status)) {
    how = "was killed by signal " + internal::SignalText(WTERMSIG(*status));
  }
  std::string cause = Quoted(binding_) + " " + how + " before answering";
  std::string err = internal::ValidUtf8(internal::SkipPartialCharacter(instance.stderr_tail()));
  constexpr std::string_view kStderr = "; stderr: ";
  const std::size_t room = options_.limits.max_cause_bytes -
                           std::min(options_.limits.max_cause_bytes, cause.size() + kStderr.size());
  std::string_view tail = internal::Utf8Tail(internal::TrimWhitespace(err), room);
  if (!tail.empty()) cause += std::string(kStderr) + std::string(tail);
  return Failed("Stepwise.FunctionCrashed", std::move(cause));
}

void WarmPool::Impl::Release(std::unique_ptr<WarmInstance> instance, bool leased,
                             const WarmInvocation& invocation) {
  if (instance && !instance->reusable()) {
    instance->KillAndReap();
    instance.reset();
  }
  std::lock_guard lock(mutex_);
  ++invocations_;
  busy_time_ += invocation.duration;
  if (leased) {
    --busy_;
    if (instance) {
      idle_.push_back(Idle{std::move(instance), Clock::now(), next_idle_id_++});
      WakeWatcher();
    } else {
      --instances_;
    }
  }
  NotifyFirstWaiter();
}

void WarmPool::Impl::NotifyFirstWaiter() {
  if (!waiting_.empty()) waiting_.front()->turn.notify_one();
}

WarmPoolStats WarmPool::Impl::stats() const {
  std::lock_guard lock(mutex_);
  WarmPoolStats stats;
  stats.cold_starts = cold_starts_;
  stats.invocations = invocations_;
  stats.instances = instances_;
  stats.busy = busy_;
  stats.waiting = waiting_.size();
  stats.busy_time = busy_time_;
  return stats;
}

WarmPool::Impl::~Impl() {
  {
    std::lock_guard lock(mutex_);
    if (busy_ != 0 || !waiting_.empty()) {
      // Destroying the pool under a running call would free what that call is using.
      std::fprintf(stderr, "WarmPool for %s destroyed with %zu calls running and %zu waiting\n",
                   Quoted(binding_).c_str(), busy_, waiting_.size());
      std::abort();
    }
    closing_ = true;
    WakeWatcher();
  }
  if (watcher_.joinable()) watcher_.join();
  std::vector<std::unique_ptr<WarmInstance>> instances;
  for (Idle& idle : idle_) instances.push_back(std::move(idle.instance));
  idle_.clear();
  StopGracefully(instances);
}

}  // namespace stepwise::workers
