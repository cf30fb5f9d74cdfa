#pragma once

#include <functional>
#include <nlohmann/json.hpp>

#include "stepwise/engine/local_runner.h"

namespace stepwise::conformance {

// Serves a case's Task states with the behaviours its `functions` field gives (echo, const,
// error), in process and at once. A task names its function by the name the interpreter found
// (`function:NAME`, a Lambda ARN, lambda:invoke's FunctionName), or else by its whole Resource.
class CaseFunctions final : public engine::FunctionInvoker {
 public:
  // `functions` is the case's object; it must outlive this.
  explicit CaseFunctions(const nlohmann::json& functions) : functions_(functions) {}

  void Invoke(const engine::ScheduleTask& task,
              std::function<void(engine::TaskOutcome)> done) override;

 private:
  const nlohmann::json& functions_;
};

}  // namespace stepwise::conformance
