#pragma once

// The REST API's resources, one function each: what RestApi calls once it has matched the path
// and checked the caller. Each answers the JSON body of a 200, or an error status (InvalidArgument
// for a bad parameter, NotFound for an unknown name or id) that RestApi turns into the error
// response.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "api/grpc/worker_registry.h"
#include "api/rest/http_message.h"
#include "api/rest/request_target.h"
#include "stepwise/engine/engine.h"
#include "stepwise/engine/store.h"

namespace stepwise::api::rest {

struct Sources {
  engine::Engine& engine;
  engine::Store& store;
  WorkerRegistry& workers;
};

// GET /v1/state-machines and /v1/state-machines/{name}
absl::StatusOr<nlohmann::json> ListStateMachines(Sources& sources, const RequestTarget& target);
absl::StatusOr<nlohmann::json> DescribeStateMachine(Sources& sources, const RequestTarget& target,
                                                    const std::string& name);
// GET /v1/executions, /v1/executions/{id} and /v1/executions/{id}/history
absl::StatusOr<nlohmann::json> ListExecutions(Sources& sources, const RequestTarget& target);
absl::StatusOr<nlohmann::json> DescribeExecution(Sources& sources, const RequestTarget& target,
                                                 const std::string& id);
absl::StatusOr<nlohmann::json> ExecutionHistory(Sources& sources, const RequestTarget& target,
                                                const std::string& id);
// GET /v1/executions/{id}/events: the history as server-sent events, from after `after` (or the
// Last-Event-ID header) on, live until the execution ends, then an "end" event.
absl::StatusOr<StreamingResponse> ExecutionEvents(Sources& sources, const RequestTarget& target,
                                                  const std::string& id,
                                                  std::string_view last_event_id);
// GET /v1/functions, /v1/functions/{name} and /v1/workers
absl::StatusOr<nlohmann::json> ListFunctions(Sources& sources, const RequestTarget& target);
absl::StatusOr<nlohmann::json> DescribeFunction(Sources& sources, const RequestTarget& target,
                                                const std::string& name);
absl::StatusOr<nlohmann::json> ListWorkers(Sources& sources, const RequestTarget& target);

}  // namespace stepwise::api::rest
