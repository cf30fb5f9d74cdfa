#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "field_reader.h"
#include "stepwise/dsl/diagnostic.h"
#include "stepwise/dsl/state_machine.h"

namespace stepwise::dsl::internal {

// Compiles one definition. Every method reports problems and carries on, so that one run finds
// every mistake; the result is only handed out when there were no errors.
class Compiler {
 public:
  explicit Compiler(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  std::shared_ptr<StateMachine> CompileMachine(const nlohmann::json& definition);

 private:
  enum class GraphKind { kMachine, kBranch, kItemProcessor };

  // Names every state of the machine before compiling, so that a transition to a state of
  // another branch is told apart from a transition to no state at all.
  void CollectStateNames(const nlohmann::json& graph, const std::string& pointer);

  std::shared_ptr<const StateGraph> CompileGraph(const nlohmann::json& graph,
                                                 const std::string& pointer, GraphKind kind);
  State CompileState(const std::string& name, const nlohmann::json& state,
                     const std::string& pointer);

  // One per state type; each checks its fields and fills `state.spec`.
  void CompilePass(FieldReader& fields, State& state);
  void CompileTask(FieldReader& fields, State& state);
  void CompileChoice(FieldReader& fields, State& state);
  void CompileWait(FieldReader& fields, State& state);
  void CompileFail(FieldReader& fields, State& state);
  void CompileParallel(FieldReader& fields, State& state);
  void CompileMap(FieldReader& fields, State& state);

  // Fields shared by several types.
  void CompileTransition(FieldReader& fields, State& state);
  void CompileRetry(FieldReader& fields, State& state);
  void CompileCatch(FieldReader& fields, State& state);
  std::optional<PayloadTemplate> CompileTemplate(FieldReader& fields, std::string_view key);

  void ResolveTransitions(StateGraph& graph, const std::string& graph_pointer);
  int ResolveName(const StateGraph& graph, const std::string& graph_pointer,
                  const std::string& name, const std::string& pointer);
  void CheckReachability(const StateGraph& graph, const std::string& pointer);

  Diagnostics& diagnostics_;
  // Every state name of the machine -> the pointer of the graph (`/States/P/Branches/0`)
  // that holds it.
  std::unordered_map<std::string, std::string> state_graphs_;
};

// Classifies a Task's Resource URI.
TaskResource ParseTaskResource(const std::string& uri);

}  // namespace stepwise::dsl::internal
