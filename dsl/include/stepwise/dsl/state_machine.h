#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepwise/dsl/choice_rule.h"
#include "stepwise/dsl/json_path.h"
#include "stepwise/dsl/payload_template.h"
#include "stepwise/dsl/timestamp.h"

namespace stepwise::dsl {

// A compiled state machine: every state indexed by integer, every transition resolved, every
// path, template, intrinsic call and Choice rule parsed once. Immutable once compiled; share it
// as `std::shared_ptr<const StateMachine>`.

struct StateGraph;

// A field given either literally or as a path read at run time (`TimeoutSeconds` /
// `TimeoutSecondsPath`). Neither set: the field was absent.
template <typename T>
struct LiteralOrPath {
  std::optional<T> literal;
  std::optional<JsonPath> path;

  bool present() const { return literal.has_value() || path.has_value(); }
};

// `Next` (an index into the enclosing StateGraph::states) or `End`.
struct Transition {
  bool end = false;
  std::string next_name;
  int next = -1;
};

struct Retrier {
  std::vector<std::string> error_equals;
  double interval_seconds = 1.0;
  int max_attempts = 3;  // 0: never retry
  double backoff_rate = 2.0;
  std::optional<double> max_delay_seconds;
  bool full_jitter = false;  // JitterStrategy FULL
};

struct Catcher {
  std::vector<std::string> error_equals;
  std::string next_name;
  int next = -1;
  std::optional<JsonPath> result_path;  // nullopt: ResultPath null (discard the error output)
};

// How a Task's Resource is served.
struct TaskResource {
  enum class Kind {
    kFunction,        // function:NAME, or a Lambda function ARN (with optional qualifier)
    kLambdaInvoke,    // arn:aws:states:::lambda:invoke (FunctionName comes from Parameters)
    kActivity,        // arn:aws:states:REGION:ACCOUNT:activity:NAME
    kStartExecution,  // arn:aws:states:::states:startExecution
    kOther,           // any other URI: accepted, fails at run time until implemented
  };
  enum class Pattern { kRequestResponse, kSync, kSync2, kWaitForTaskToken };

  Kind kind = Kind::kOther;
  Pattern pattern = Pattern::kRequestResponse;
  std::string uri;        // the Resource string as written
  std::string name;       // function or activity name, when the URI names one
  std::string qualifier;  // Lambda version or alias, if any
};

struct PassState {
  std::optional<nlohmann::json> result;
};

struct TaskState {
  TaskResource resource;
  LiteralOrPath<std::int64_t> timeout_seconds;    // absent: the spec's default of 60
  LiteralOrPath<std::int64_t> heartbeat_seconds;  // absent: no heartbeat required
};

struct ChoiceState {
  struct Branch {
    ChoiceRule rule;
    std::string next_name;
    int next = -1;
  };
  std::vector<Branch> choices;
  std::string default_name;  // empty: no Default (States.NoChoiceMatched when nothing matches)
  int default_next = -1;
};

struct WaitState {
  LiteralOrPath<std::int64_t> seconds;
  std::string timestamp_text;          // Timestamp as written, "" when absent
  std::optional<Timestamp> timestamp;  // nullopt with a text: invalid, which (as on AWS) is a
                                       // compile warning and a States.Runtime at run time
  std::optional<JsonPath> timestamp_path;
};

struct SucceedState {};

struct FailState {
  std::optional<std::string> error;
  std::optional<DynamicValue> error_path;
  std::optional<std::string> cause;
  std::optional<DynamicValue> cause_path;
};

struct ParallelState {
  std::vector<std::shared_ptr<const StateGraph>> branches;
};

struct MapState {
  std::shared_ptr<const StateGraph> processor;  // ItemProcessor, or the older Iterator
  bool distributed = false;                     // ProcessorConfig.Mode DISTRIBUTED
  std::string execution_type;                   // ProcessorConfig.ExecutionType, if given
  std::optional<JsonPath> items_path;           // default `$`
  std::optional<PayloadTemplate> item_selector;  // ItemSelector, or the older Parameters
  LiteralOrPath<std::int64_t> max_concurrency;   // absent or 0: unbounded
  LiteralOrPath<double> tolerated_failure_percentage;
  LiteralOrPath<std::int64_t> tolerated_failure_count;
  std::string label;                          // distributed mode only
  std::optional<nlohmann::json> item_batcher;  // distributed mode only, validated
};

using StateSpec = std::variant<PassState, TaskState, ChoiceState, WaitState, SucceedState,
                               FailState, ParallelState, MapState>;

struct State {
  std::string name;
  std::string type;     // "Pass", "Task", ... as written
  std::string pointer;  // JSON Pointer of the state in the definition, for messages
  std::string comment;

  // The input/output pipeline. Paths default to `$`; nullopt means the field was JSON null.
  std::optional<JsonPath> input_path;
  std::optional<PayloadTemplate> parameters;  // Pass, Task, Parallel (Map: see item_selector)
  std::optional<PayloadTemplate> result_selector;
  std::optional<JsonPath> result_path;  // nullopt: ResultPath null (keep the input)
  std::optional<JsonPath> output_path;

  Transition transition;  // Pass, Task, Wait, Parallel, Map
  std::vector<Retrier> retry;
  std::vector<Catcher> catchers;

  StateSpec spec;
};

// The states of the machine, of one Parallel branch, or of one Map's item processor.
struct StateGraph {
  std::string start_at_name;
  int start_at = 0;
  std::vector<State> states;
  std::unordered_map<std::string, int> index;  // state name -> position in `states`
};

struct StateMachine {
  StateGraph graph;
  std::string comment;
  std::string version;
  std::optional<std::int64_t> timeout_seconds;
  nlohmann::json definition;  // the source, as given
};

}  // namespace stepwise::dsl
