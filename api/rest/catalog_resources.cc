// GET /v1/state-machines[/{name}], /v1/functions[/{name}] and /v1/workers
#include <limits>
#include <string>

#include "api/grpc/proto_convert.h"
#include "api/rest/query_reader.h"
#include "api/rest/rest_json.h"
#include "api/rest/rest_resources.h"
#include "stepwise/engine/iso_time.h"

namespace stepwise::api::rest {

using nlohmann::json;

namespace {

// Counting stops here: a count at the cap reads "at least this many" (counts_capped says so).
constexpr std::int64_t kCountCap = 100'000;
// Versions listed with a state machine, newest first.
constexpr std::int64_t kVersionsListed = 100;

}  // namespace

absl::StatusOr<json> ListStateMachines(Sources& sources, const RequestTarget& target) {
  if (absl::Status checked = QueryReader(target).Check({}); !checked.ok()) return checked;
  auto definitions = sources.store.ListDefinitions();
  if (!definitions.ok()) return definitions.status();
  json machines = json::array();
  for (const engine::StoredDefinition& definition : *definitions) {
    machines.push_back(DefinitionJson(definition));
  }
  return json{{"state_machines", std::move(machines)}};
}

absl::StatusOr<json> DescribeStateMachine(Sources& sources, const RequestTarget& target,
                                          const std::string& name) {
  QueryReader query(target);
  // An execution runs the version it started with, so the console asks for that one.
  std::int64_t version = query.Int("version", 0, 1, std::numeric_limits<std::int64_t>::max());
  if (absl::Status checked = query.Check({"version"}); !checked.ok()) return checked;
  auto latest = sources.store.GetDefinition(name, 0);
  if (!latest.ok()) return latest.status();
  auto shown = version == 0 ? latest : sources.store.GetDefinition(name, version);
  if (absl::IsNotFound(shown.status())) {
    return absl::NotFoundError("state machine '" + name + "' has no version " +
                               std::to_string(version) + "; its latest is " +
                               std::to_string(latest->version));
  }
  if (!shown.ok()) return shown.status();
  json out = DefinitionJson(*shown);
  // Stored as given, which was valid JSON when it was accepted.
  out["definition"] = json::parse(shown->definition, nullptr, /*allow_exceptions=*/false);
  if (out["definition"].is_discarded()) out["definition"] = shown->definition;
  out["latest_version"] = latest->version;
  json versions = json::array();
  for (std::int64_t version = latest->version;
       version >= 1 && latest->version - version < kVersionsListed; --version) {
    auto stored = version == latest->version ? latest : sources.store.GetDefinition(name, version);
    if (absl::IsNotFound(stored.status())) continue;
    if (!stored.ok()) return stored.status();
    versions.push_back({{"version", stored->version},
                        {"created_at", engine::FormatIsoMillis(stored->created_at)}});
  }
  out["versions"] = std::move(versions);
  json counts = json::object();
  bool capped = false;
  for (engine::ExecutionStatus status :
       {engine::ExecutionStatus::kRunning, engine::ExecutionStatus::kSucceeded,
        engine::ExecutionStatus::kFailed, engine::ExecutionStatus::kTimedOut,
        engine::ExecutionStatus::kAborted}) {
    auto count = sources.store.CountExecutions(name, status, kCountCap);
    if (!count.ok()) return count.status();
    counts[engine::StatusName(status)] = *count;
    capped = capped || *count == kCountCap;
  }
  out["execution_counts"] = std::move(counts);
  out["counts_capped"] = capped;
  return out;
}

absl::StatusOr<json> ListFunctions(Sources& sources, const RequestTarget& target) {
  if (absl::Status checked = QueryReader(target).Check({}); !checked.ok()) return checked;
  json functions = json::array();
  for (const engine::FunctionStatus& status : sources.engine.DescribeFunctions()) {
    functions.push_back(FunctionJson(status));
  }
  return json{{"functions", std::move(functions)}};
}

// Any name answers: a function nobody registered runs under the defaults once a worker serves it.
absl::StatusOr<json> DescribeFunction(Sources& sources, const RequestTarget& target,
                                      const std::string& name) {
  if (absl::Status checked = QueryReader(target).Check({}); !checked.ok()) return checked;
  return FunctionJson(sources.engine.DescribeFunction(name));
}

absl::StatusOr<json> ListWorkers(Sources& sources, const RequestTarget& target) {
  if (absl::Status checked = QueryReader(target).Check({}); !checked.ok()) return checked;
  json workers = json::array();
  for (const WorkerRegistry::Worker& worker : sources.workers.List(NowMillis())) {
    workers.push_back(WorkerJson(worker));
  }
  return json{{"workers", std::move(workers)}};
}

}  // namespace stepwise::api::rest
