#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "stepwise/engine/interpreter.h"
#include "stepwise/engine/local_runner.h"
#include "stepwise/engine/store.h"

namespace stepwise::cli {

struct EngineRunOptions {
  // Empty: a temporary store, deleted afterwards and written without fsync (nothing outlives the
  // run). Otherwise the data directory, written durably and kept.
  std::string data_dir;
  std::string machine_name = "run";
  double time_scale = 1.0;
  bool keep_history = false;
  engine::InterpreterOptions interpreter;
};

struct EngineRunResult {
  std::string execution_id;
  engine::ExecutionSummary summary;
  std::vector<engine::StoredHistoryEvent> history;  // when keep_history
};

// Runs one execution of `definition` on the durable Engine over RocksDB, serving its tasks with
// `functions`, and waits for it to end.
absl::StatusOr<EngineRunResult> RunOnEngine(const std::string& definition, nlohmann::json input,
                                            engine::FunctionInvoker& functions,
                                            const EngineRunOptions& options);

}  // namespace stepwise::cli
