// Functions as resources: their limits where tasks meet workers (function_gate.h).
#include <chrono>
#include <string>
#include <vector>

#include "engine_impl.h"

namespace stepwise::engine {

bool Engine::Impl::MayStart(const TaskLease& lease) {
  const std::string& function = QueueName(lease.task);
  std::int64_t now = NowMillis(clock);
  if (gate.TryStart(function, InvocationKey(lease.execution_id, lease.task.task), now)) {
    return true;
  }
  std::int64_t next = gate.NextStart(function, now);
  if (next > now) {  // waiting for the rate limit's next token, not for a slot
    deadlines.Schedule(std::chrono::steady_clock::now() + std::chrono::milliseconds(next - now),
                       [this, function] { queues.Kick(function); });
  }
  return false;
}

void Engine::Impl::InvocationOver(const std::string& execution_id, const TaskRef& task,
                                  FunctionGate::Outcome outcome) {
  auto finished = gate.Finish(InvocationKey(execution_id, task), outcome, NowMillis(clock));
  if (finished) queues.Kick(finished->function);
}

void Engine::RegisterFunction(FunctionLimits limits) {
  std::string name = limits.name;
  impl_->gate.Register(std::move(limits));
  impl_->queues.Kick(name);  // a higher limit may let queued tasks go
}

std::vector<FunctionStatus> Engine::DescribeFunctions() {
  return impl_->gate.DescribeAll(NowMillis(impl_->clock));
}

FunctionStatus Engine::DescribeFunction(const std::string& name) {
  return impl_->gate.Describe(name, NowMillis(impl_->clock));
}

}  // namespace stepwise::engine
