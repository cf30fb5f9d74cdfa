// Parallel and Map states: their branches and iterations run as child frames. Children start
// one at a time and each runs until it waits or ends before the next starts, so a Map over
// synchronous items holds only the items and the results, never a frame per item.
#include <string>
#include <utility>

#include "step_runner.h"

namespace stepwise::engine {

using nlohmann::json;

namespace {

json NullArray(std::int64_t size) {
  json array = json::array();
  array.get_ref<json::array_t&>().resize(static_cast<size_t>(size));
  return array;
}

bool IsMap(const dsl::State& state) { return std::holds_alternative<dsl::MapState>(state.spec); }

}  // namespace

bool StepRunner::RunParallel(Frame& frame, const dsl::ParallelState& parallel) {
  const dsl::State& current = Current(frame);
  FrameId id = frame.id;
  auto effective = EffectiveInput(frame, /*keep_raw=*/true);
  if (!effective.ok()) return HandleError(frame, effective.error()), StillRunning(id);
  auto parameters = ApplyTemplate(frame, current.parameters, std::move(effective).value());
  if (!parameters.ok()) return HandleError(frame, parameters.error()), StillRunning(id);
  ChildrenProgress& progress = frame.children.emplace();
  progress.total = static_cast<std::int64_t>(parallel.branches.size());
  progress.results = NullArray(progress.total);
  progress.shared_input = std::move(parameters).value();
  step_.children_started.push_back(frame.id);
  Record("ParallelStateStarted");
  frame.phase = FramePhase::kChildren;
  Touch(frame);
  return true;
}

bool StepRunner::RunMap(Frame& frame, const dsl::MapState& map) {
  FrameId id = frame.id;
  auto effective = EffectiveInput(frame, /*keep_raw=*/true);
  if (!effective.ok()) return HandleError(frame, effective.error()), StillRunning(id);
  json input = std::move(effective).value();
  json items;
  if (!map.items_path || map.items_path->text() == "$") {
    items = map.item_selector ? input : std::move(input);
  } else {
    auto selected = map.items_path->Evaluate(map.items_path->is_context() ? Context(frame) : input);
    if (!selected.ok()) {
      return HandleError(
                 frame, RuntimeError(frame, "Invalid path '" + map.items_path->text() +
                                                "' : " + std::string(selected.status().message()))),
             StillRunning(id);
    }
    items = *std::move(selected);
  }
  if (!items.is_array()) {
    return HandleError(frame, RuntimeError(frame, "Map state input must be an array but was: " +
                                                      items.dump())),
           StillRunning(id);
  }
  auto max_concurrency = ResolveInteger(frame, map.max_concurrency, input, "MaxConcurrencyPath", 0);
  if (!max_concurrency.ok()) return HandleError(frame, max_concurrency.error()), StillRunning(id);
  auto tolerated_count =
      ResolveInteger(frame, map.tolerated_failure_count, input, "ToleratedFailureCountPath", -1);
  if (!tolerated_count.ok()) return HandleError(frame, tolerated_count.error()), StillRunning(id);
  double tolerated_percentage = -1;
  if (map.tolerated_failure_percentage.literal) {
    tolerated_percentage = *map.tolerated_failure_percentage.literal;
  } else if (const auto& path = map.tolerated_failure_percentage.path) {
    auto value = path->Evaluate(path->is_context() ? Context(frame) : input);
    if (!value.ok() || !value->is_number() || value->get<double>() < 0 ||
        value->get<double>() > 100) {
      std::string shown = !value.ok()          ? ""
                          : value->is_string() ? value->get<std::string>()
                                               : value->dump();
      return HandleError(frame, RuntimeError(frame,
                                             "The ToleratedFailurePercentagePath field "
                                             "refers to value \"" +
                                                 shown + "\" which is not a valid percentage: " +
                                                 path->text())),
             StillRunning(id);
    }
    tolerated_percentage = value->get<double>();
  }

  ChildrenProgress& progress = frame.children.emplace();
  progress.total = static_cast<std::int64_t>(items.size());
  progress.items = std::move(items);
  progress.results = NullArray(progress.total);
  progress.max_concurrency = std::max<std::int64_t>(0, max_concurrency.value());
  progress.tolerated_failure_count = tolerated_count.value();
  progress.tolerated_failure_percentage = tolerated_percentage;
  if (map.item_selector) progress.shared_input = std::move(input);
  step_.children_started.push_back(frame.id);
  Record("MapStateStarted").details = {{"length", progress.total}};
  frame.phase = FramePhase::kChildren;
  Touch(frame);
  return true;
}

bool StepRunner::AdvanceChildren(Frame& frame) {
  ChildrenProgress& progress = *frame.children;
  progress.queued = false;
  bool room = progress.max_concurrency == 0 || progress.running < progress.max_concurrency;
  if (progress.started < progress.total && room) {
    const dsl::State& current = Current(frame);
    std::int64_t index = progress.started++;
    ++progress.running;
    const dsl::StateGraph* graph;
    json input;
    if (const auto* map = std::get_if<dsl::MapState>(&current.spec)) {
      graph = map->processor.get();
      json& item = progress.items[static_cast<size_t>(index)];
      if (map->item_selector) {
        Context(frame);  // $$.State must describe the Map state, not the last child's state
        state_.context["Map"] = {{"Item", {{"Index", index}, {"Value", item}}}};
        auto selected = map->item_selector->Evaluate(Scope(progress.shared_input, state_.context));
        state_.context.erase("Map");
        if (!selected.ok()) {
          --progress.running;
          dsl::StatesError error = selected.error();
          if (error.error == "States.Runtime") error = RuntimeError(frame, error.cause);
          AbandonDescendants(frame.id);
          FrameId id = frame.id;
          HandleError(frame, std::move(error));
          return StillRunning(id);
        }
        input = std::move(selected).value();
      } else {
        input = std::move(item);
      }
      item = nullptr;  // the iteration owns it now
      RecordState("MapIterationStarted", frame).details = {{"index", index}};
    } else {
      graph = std::get<dsl::ParallelState>(current.spec).branches[static_cast<size_t>(index)].get();
      input = progress.shared_input;
    }
    Touch(frame);
    // Run the child first, then come back here to start the next (depth-first).
    progress.queued = true;
    state_.ready.push_back(frame.id);
    Frame& child = NewFrame(frame.id, index, graph);
    EnterState(child, graph->start_at, std::move(input));
    state_.ready.push_back(child.id);
    return false;
  }
  if (progress.started == progress.total && progress.running == 0) return CompleteChildren(frame);
  return false;  // children are still running; their ends bring us back
}

void StepRunner::OnChildSucceeded(Frame& child, json output) {
  Frame& parent = *Find(child.parent);
  ChildrenProgress& progress = *parent.children;
  std::int64_t index = child.child_index;
  progress.results[static_cast<size_t>(index)] = std::move(output);
  step_.child_results.emplace_back(parent.id, index);
  --progress.running;
  RemoveFrame(child.id);
  if (IsMap(Current(parent))) {
    RecordState("MapIterationSucceeded", parent).details = {{"index", index}};
  }
  Touch(parent);
  if (!progress.queued) {
    progress.queued = true;
    state_.ready.push_back(parent.id);
  }
}

void StepRunner::OnChildFailed(Frame& child, dsl::StatesError error) {
  Frame& parent = *Find(child.parent);
  ChildrenProgress& progress = *parent.children;
  std::int64_t index = child.child_index;
  --progress.running;
  RemoveFrame(child.id);
  Touch(parent);
  bool is_map = IsMap(Current(parent));
  if (is_map) {
    RecordState("MapIterationFailed", parent).details = {{"index", index}};
    ++progress.failed;
    bool by_count = progress.tolerated_failure_count >= 0;
    bool by_percentage = progress.tolerated_failure_percentage >= 0;
    bool exceeded = (!by_count && !by_percentage) ||
                    (by_count && progress.failed > progress.tolerated_failure_count) ||
                    (by_percentage && static_cast<double>(progress.failed) * 100.0 >
                                          progress.tolerated_failure_percentage *
                                              static_cast<double>(progress.total));
    if (!exceeded) {
      progress.results[static_cast<size_t>(index)] = {{"Error", error.error},
                                                      {"Cause", error.cause}};
      step_.child_results.emplace_back(parent.id, index);
      if (!progress.queued) {
        progress.queued = true;
        state_.ready.push_back(parent.id);
      }
      return;
    }
    if (by_count || by_percentage) {
      error = dsl::StatesError{"States.ExceedToleratedFailureThreshold",
                               "The specified tolerated failure threshold was exceeded"};
    }
  }
  // One failed branch (or too many failed iterations) fails the whole state: stop the rest.
  AbandonDescendants(parent.id);
  FrameId id = parent.id;
  parent.children.reset();
  parent.phase = FramePhase::kRunning;
  HandleError(parent, std::move(error));
  if (StillRunning(id)) state_.ready.push_back(id);
}

bool StepRunner::CompleteChildren(Frame& frame) {
  const dsl::State& current = Current(frame);
  FrameId id = frame.id;
  json results = std::move(frame.children->results);
  frame.children.reset();
  frame.phase = FramePhase::kRunning;
  Record(IsMap(current) ? "MapStateSucceeded" : "ParallelStateSucceeded");
  auto selected = ApplyTemplate(frame, current.result_selector, std::move(results));
  if (!selected.ok()) return HandleError(frame, selected.error()), StillRunning(id);
  auto output = StateOutput(frame, current.result_path, std::move(selected).value());
  if (!output.ok()) return HandleError(frame, output.error()), StillRunning(id);
  return ExitState(frame, std::move(output).value());
}

}  // namespace stepwise::engine
