#include "stepwise/dsl/compile.h"

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "closest_match.h"
#include "compiler.h"
#include "json_text.h"

namespace stepwise::dsl {

using nlohmann::json;

namespace internal {
namespace {

const std::vector<std::string_view> kStateTypes = {"Pass",    "Task", "Choice",   "Wait",
                                                   "Succeed", "Fail", "Parallel", "Map"};

bool IsGraphObject(const json& graph) {
  return graph.is_object() && graph.contains("States") && graph["States"].is_object();
}

// The graphs nested in one state: Parallel branches and a Map's item processor.
std::vector<std::pair<std::string, const json*>> NestedGraphs(const json& state,
                                                               const std::string& pointer) {
  std::vector<std::pair<std::string, const json*>> out;
  if (!state.is_object()) return out;
  if (auto it = state.find("Branches"); it != state.end() && it->is_array()) {
    for (size_t i = 0; i < it->size(); ++i) {
      out.emplace_back(JoinPointer(JoinPointer(pointer, "Branches"), i), &(*it)[i]);
    }
  }
  for (const char* key : {"ItemProcessor", "Iterator"}) {
    if (auto it = state.find(key); it != state.end()) {
      out.emplace_back(JoinPointer(pointer, key), &*it);
    }
  }
  return out;
}

}  // namespace

void Compiler::CollectStateNames(const json& graph, const std::string& pointer) {
  if (!IsGraphObject(graph)) return;
  std::string states_pointer = JoinPointer(pointer, "States");
  for (const auto& [name, state] : graph["States"].items()) {
    auto [it, inserted] = state_graphs_.emplace(name, pointer);
    if (!inserted) {
      diagnostics_.Error(JoinPointer(states_pointer, name),
                         "duplicate state name '" + name + "': it is also defined in " +
                             (it->second.empty() ? "the top-level States" : it->second) +
                             "; state names must be unique across the whole state machine");
    }
    for (const auto& [nested_pointer, nested] :
         NestedGraphs(state, JoinPointer(states_pointer, name))) {
      CollectStateNames(*nested, nested_pointer);
    }
  }
}

std::shared_ptr<StateMachine> Compiler::CompileMachine(const json& definition) {
  if (!definition.is_object()) {
    diagnostics_.Error("", "a state machine definition must be a JSON object, not " +
                               DescribeType(definition));
    return nullptr;
  }
  FieldReader fields(definition, "", diagnostics_);
  fields.CheckKnownFields({"StartAt", "States", "Comment", "Version", "TimeoutSeconds",
                           "QueryLanguage"},
                          "a state machine");
  auto machine = std::make_shared<StateMachine>();
  machine->definition = definition;
  machine->comment = fields.String("Comment").value_or("");
  machine->version = fields.String("Version").value_or("");
  machine->timeout_seconds = fields.Integer("TimeoutSeconds", 1, 99999999);
  if (auto language = fields.String("QueryLanguage")) {
    if (*language == "JSONata") {
      fields.Error("QueryLanguage", "QueryLanguage 'JSONata' is not supported yet; use "
                                    "'JSONPath' (the default)");
    } else if (*language != "JSONPath") {
      fields.Error("QueryLanguage", "QueryLanguage must be 'JSONPath' or 'JSONata', not '" +
                                        *language + "'");
    }
  }
  CollectStateNames(definition, "");
  auto graph = CompileGraph(definition, "", GraphKind::kMachine);
  if (graph) machine->graph = *graph;
  return machine;
}

std::shared_ptr<const StateGraph> Compiler::CompileGraph(const json& object,
                                                         const std::string& pointer,
                                                         GraphKind kind) {
  if (!object.is_object()) {
    diagnostics_.Error(pointer, "must be an object with StartAt and States, not " +
                                    DescribeType(object));
    return nullptr;
  }
  FieldReader fields(object, pointer, diagnostics_);
  if (kind == GraphKind::kBranch) {
    fields.CheckKnownFields({"StartAt", "States", "Comment"}, "a Parallel branch");
  } else if (kind == GraphKind::kItemProcessor) {
    fields.CheckKnownFields({"StartAt", "States", "Comment", "ProcessorConfig"},
                            "a Map item processor");
  }
  auto graph = std::make_shared<StateGraph>();
  auto start_at = fields.NonEmptyString("StartAt", /*required=*/true);
  const json* states = fields.Get("States");
  if (states == nullptr) {
    diagnostics_.Error(pointer, "missing required field 'States'");
    return graph;
  }
  if (!states->is_object()) {
    fields.Error("States", "'States' must be an object of named states, not " +
                               DescribeType(*states));
    return graph;
  }
  if (states->empty()) {
    fields.Error("States", "'States' must define at least one state");
    return graph;
  }
  std::string states_pointer = fields.PointerTo("States");
  for (const auto& [name, state] : states->items()) {
    std::string state_pointer = JoinPointer(states_pointer, name);
    if (name.empty() || name.size() > 80) {
      diagnostics_.Error(state_pointer, "state names must be 1 to 80 characters long");
    }
    graph->index.emplace(name, static_cast<int>(graph->states.size()));
    graph->states.push_back(CompileState(name, state, state_pointer));
  }
  if (start_at) {
    graph->start_at_name = *start_at;
    graph->start_at = ResolveName(*graph, pointer, *start_at, fields.PointerTo("StartAt"));
  }
  ResolveTransitions(*graph, pointer);
  bool ends = std::any_of(graph->states.begin(), graph->states.end(), [](const State& s) {
    return s.transition.end || std::holds_alternative<SucceedState>(s.spec) ||
           std::holds_alternative<FailState>(s.spec);
  });
  if (!ends) {
    diagnostics_.Error(states_pointer, "no state ends the execution: give a state \"End\": true, "
                                       "or add a Succeed or Fail state");
  }
  if (graph->start_at >= 0 && start_at) CheckReachability(*graph, states_pointer);
  return graph;
}

State Compiler::CompileState(const std::string& name, const json& object,
                             const std::string& pointer) {
  State state;
  state.name = name;
  state.pointer = pointer;
  if (!object.is_object()) {
    diagnostics_.Error(pointer, "a state must be a JSON object, not " + DescribeType(object));
    state.transition.end = true;  // keep the graph checks quiet about this state
    return state;
  }
  FieldReader fields(object, pointer, diagnostics_);
  auto type = fields.String("Type", /*required=*/true);
  state.comment = fields.String("Comment").value_or("");
  if (!type) {
    state.transition.end = true;
    return state;
  }
  state.type = *type;
  if (*type == "Pass") {
    CompilePass(fields, state);
  } else if (*type == "Task") {
    CompileTask(fields, state);
  } else if (*type == "Choice") {
    CompileChoice(fields, state);
  } else if (*type == "Wait") {
    CompileWait(fields, state);
  } else if (*type == "Succeed") {
    fields.CheckKnownFields({"Type", "Comment", "InputPath", "OutputPath"}, "a Succeed state",
                            {"QueryLanguage", "Output", "Assign"});
    state.spec = SucceedState{};
  } else if (*type == "Fail") {
    CompileFail(fields, state);
  } else if (*type == "Parallel") {
    CompileParallel(fields, state);
  } else if (*type == "Map") {
    CompileMap(fields, state);
  } else {
    fields.Error("Type", "unknown state type '" + *type + "'; expected one of Pass, Task, Choice, "
                         "Wait, Succeed, Fail, Parallel, Map" + DidYouMean(*type, kStateTypes));
    state.transition.end = true;
    return state;
  }
  // The I/O pipeline. Types without a field behave as if it were `$`; a field a type does not
  // allow was already reported as unknown, so it is not read.
  state.input_path = state.output_path = state.result_path = RootPath();
  if (*type != "Fail") {
    state.input_path = fields.PathOrDefault("InputPath", JsonPath::Kind::kPath);
    state.output_path = fields.PathOrDefault("OutputPath", JsonPath::Kind::kPath);
  }
  if (*type == "Pass" || *type == "Task" || *type == "Parallel" || *type == "Map") {
    state.result_path = fields.PathOrDefault("ResultPath", JsonPath::Kind::kReferencePath);
    if (state.result_path && state.result_path->is_context()) {
      fields.Error("ResultPath", "'ResultPath' cannot write into the context object ($$)");
    }
  }
  return state;
}

int Compiler::ResolveName(const StateGraph& graph, const std::string& graph_pointer,
                          const std::string& name, const std::string& pointer) {
  if (auto it = graph.index.find(name); it != graph.index.end()) return it->second;
  if (auto elsewhere = state_graphs_.find(name); elsewhere != state_graphs_.end()) {
    std::string where = elsewhere->second.empty() ? "the top-level States" : elsewhere->second;
    std::string here = graph_pointer.empty() ? "the top-level States" : graph_pointer;
    diagnostics_.Error(pointer, "'" + name + "' is defined in " + where +
                                    ", outside " + here + "; a transition can only reach states "
                                    "of its own branch or item processor");
    return -1;
  }
  std::vector<std::string_view> names;
  for (const auto& [candidate, unused] : graph.index) names.push_back(candidate);
  diagnostics_.Error(pointer, "there is no state named '" + name + "'" + DidYouMean(name, names));
  return -1;
}

void Compiler::ResolveTransitions(StateGraph& graph, const std::string& graph_pointer) {
  for (State& state : graph.states) {
    if (!state.transition.next_name.empty()) {
      state.transition.next = ResolveName(graph, graph_pointer, state.transition.next_name,
                                          JoinPointer(state.pointer, "Next"));
    }
    for (size_t i = 0; i < state.catchers.size(); ++i) {
      Catcher& catcher = state.catchers[i];
      if (catcher.next_name.empty()) continue;
      catcher.next = ResolveName(graph, graph_pointer, catcher.next_name,
                                 JoinPointer(JoinPointer(JoinPointer(state.pointer, "Catch"), i),
                                             "Next"));
    }
    if (auto* choice = std::get_if<ChoiceState>(&state.spec)) {
      std::string choices_pointer = JoinPointer(state.pointer, "Choices");
      for (size_t i = 0; i < choice->choices.size(); ++i) {
        auto& branch = choice->choices[i];
        branch.next = ResolveName(graph, graph_pointer, branch.next_name,
                                  JoinPointer(JoinPointer(choices_pointer, i), "Next"));
      }
      if (!choice->default_name.empty()) {
        choice->default_next = ResolveName(graph, graph_pointer, choice->default_name,
                                           JoinPointer(state.pointer, "Default"));
      }
    }
  }
}

void Compiler::CheckReachability(const StateGraph& graph, const std::string& states_pointer) {
  std::vector<bool> reached(graph.states.size(), false);
  std::deque<int> queue = {graph.start_at};
  reached[graph.start_at] = true;
  auto visit = [&](int next) {
    if (next >= 0 && !reached[next]) {
      reached[next] = true;
      queue.push_back(next);
    }
  };
  while (!queue.empty()) {
    const State& state = graph.states[queue.front()];
    queue.pop_front();
    visit(state.transition.next);
    for (const Catcher& catcher : state.catchers) visit(catcher.next);
    if (const auto* choice = std::get_if<ChoiceState>(&state.spec)) {
      for (const auto& branch : choice->choices) visit(branch.next);
      visit(choice->default_next);
    }
  }
  for (size_t i = 0; i < graph.states.size(); ++i) {
    if (!reached[i]) {
      diagnostics_.Warning(JoinPointer(states_pointer, graph.states[i].name),
                           "state '" + graph.states[i].name + "' can never be reached from "
                           "StartAt '" + graph.start_at_name + "'");
    }
  }
}

}  // namespace internal

CompileResult CompileDocument(const json& definition) {
  Diagnostics diagnostics;
  internal::Compiler compiler(diagnostics);
  auto machine = compiler.CompileMachine(definition);
  CompileResult result;
  result.diagnostics = diagnostics.all();
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.pointer < b.pointer; });
  if (!diagnostics.has_errors()) result.machine = std::move(machine);
  return result;
}

CompileResult Compile(std::string_view definition_text) {
  Diagnostics diagnostics;
  auto definition = internal::ParseJsonText(definition_text, diagnostics);
  if (!definition) {
    return CompileResult{nullptr, diagnostics.all()};
  }
  CompileResult result = CompileDocument(*definition);
  // Duplicate keys are only visible in the text; put them first, as they explain later errors.
  result.diagnostics.insert(result.diagnostics.begin(), diagnostics.all().begin(),
                            diagnostics.all().end());
  if (diagnostics.has_errors()) result.machine = nullptr;
  return result;
}

}  // namespace stepwise::dsl
