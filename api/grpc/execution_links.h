#pragma once

#include "absl/status/status.h"
#include "api/proto/stepwise.pb.h"
#include "stepwise/engine/store.h"

namespace stepwise::api {

// Fills `out` from `summary` and adds what links it to other executions: the ids of the
// children it started (its parent comes with the summary).
absl::Status DescribeWithLinks(engine::Store& store, const engine::ExecutionSummary& summary,
                               v1::Execution& out);

}  // namespace stepwise::api
