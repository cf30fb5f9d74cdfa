#include "api/grpc/function_service.h"

#include <chrono>
#include <string>

#include "api/grpc/proto_convert.h"
#include "api/grpc/status_mapping.h"

namespace stepwise::api {
namespace {

// The request's limits over `defaults`: what it leaves unset keeps the default.
engine::FunctionLimits FromProto(const v1::FunctionLimits& in, engine::FunctionLimits defaults) {
  engine::FunctionLimits limits = std::move(defaults);
  limits.name = in.name();
  if (in.has_timeout_seconds()) limits.timeout = std::chrono::seconds(in.timeout_seconds());
  if (in.has_max_concurrency()) limits.max_concurrency = in.max_concurrency();
  if (in.has_rate_per_second()) limits.rate_per_second = in.rate_per_second();
  const v1::CircuitBreakerLimits& breaker = in.circuit_breaker();
  engine::CircuitBreakerOptions& out = limits.circuit_breaker;
  if (breaker.has_failure_threshold()) out.failure_threshold = breaker.failure_threshold();
  if (breaker.has_window_ms()) out.window = std::chrono::milliseconds(breaker.window_ms());
  if (breaker.has_open_ms()) out.open_for = std::chrono::milliseconds(breaker.open_ms());
  if (breaker.has_half_open_probes()) out.half_open_probes = breaker.half_open_probes();
  return limits;
}

void ToProto(const engine::FunctionStatus& status, v1::FunctionDescription& out) {
  const engine::FunctionLimits& limits = status.limits;
  v1::FunctionLimits& out_limits = *out.mutable_limits();
  out_limits.set_name(limits.name);
  out_limits.set_timeout_seconds(limits.timeout.count());
  out_limits.set_max_concurrency(limits.max_concurrency);
  out_limits.set_rate_per_second(limits.rate_per_second);
  v1::CircuitBreakerLimits& breaker = *out_limits.mutable_circuit_breaker();
  breaker.set_failure_threshold(limits.circuit_breaker.failure_threshold);
  breaker.set_window_ms(limits.circuit_breaker.window.count());
  breaker.set_open_ms(limits.circuit_breaker.open_for.count());
  breaker.set_half_open_probes(limits.circuit_breaker.half_open_probes);
  out.set_registered(status.registered);
  out.set_in_flight(status.in_flight);
  out.set_circuit(std::string(engine::CircuitStateName(status.circuit)));
  if (status.circuit == engine::CircuitState::kOpen) {
    SetMillis(status.circuit_open_until, *out.mutable_circuit_open_until());
  }
  out.set_circuit_opened(status.circuit_opened);
  if (status.circuit_changed_at != 0) {
    SetMillis(status.circuit_changed_at, *out.mutable_circuit_changed());
  }
  out.set_succeeded(status.succeeded);
  out.set_failed(status.failed);
  out.set_refused(status.refused);
  out.set_cold_starts(status.cold_starts);
  if (status.durations.count > 0) {
    v1::DurationPercentiles& durations = *out.mutable_durations();
    durations.set_count(status.durations.count);
    durations.set_p50_ms(status.durations.p50_ms);
    durations.set_p90_ms(status.durations.p90_ms);
    durations.set_p99_ms(status.durations.p99_ms);
    durations.set_max_ms(status.durations.max_ms);
  }
}

}  // namespace

grpc::ServerUnaryReactor* FunctionService::RegisterFunction(
    grpc::CallbackServerContext* context, const v1::RegisterFunctionRequest* request,
    v1::RegisterFunctionResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  engine::FunctionLimits limits = FromProto(request->limits(), engine_.function_defaults());
  // One synced write: brief enough for the callback thread.
  if (absl::Status registered = engine_.RegisterFunction(limits); !registered.ok()) {
    return Finish(context, ToGrpcStatus(registered));
  }
  ToProto(engine_.DescribeFunction(limits.name), *response->mutable_function());
  return Finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* FunctionService::DescribeFunction(
    grpc::CallbackServerContext* context, const v1::DescribeFunctionRequest* request,
    v1::FunctionDescription* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  if (request->name().empty()) return Finish(context, InvalidArgument("name the function"));
  ToProto(engine_.DescribeFunction(request->name()), *response);
  return Finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* FunctionService::ListFunctions(grpc::CallbackServerContext* context,
                                                         const v1::ListFunctionsRequest*,
                                                         v1::ListFunctionsResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  for (const engine::FunctionStatus& status : engine_.DescribeFunctions()) {
    ToProto(status, *response->add_functions());
  }
  return Finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* FunctionService::ListWorkers(grpc::CallbackServerContext* context,
                                                       const v1::ListWorkersRequest*,
                                                       v1::ListWorkersResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  for (const WorkerRegistry::Worker& worker : workers_.List(NowMillis())) {
    v1::WorkerDescription& out = *response->add_workers();
    out.set_name(worker.name);
    out.set_host(worker.host);
    for (const std::string& function : worker.functions) out.add_functions(function);
    SetMillis(worker.first_seen, *out.mutable_first_seen());
    SetMillis(worker.last_contact, *out.mutable_last_contact());
    out.set_polls_waiting(worker.polls_waiting);
    out.set_tasks_received(worker.tasks_received);
  }
  return Finish(context, grpc::Status::OK);
}

}  // namespace stepwise::api
