// `stepwise run DEFINITION.json ...`: one execution, in this process, to its end, on the durable
// engine over RocksDB (a temporary store, or --data DIR).
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands.h"
#include "definition_file.h"
#include "engine_run.h"
#include "history_json.h"
#include "process_invoker.h"
#include "stepwise/dsl/diagnostic.h"
#include "stepwise/engine/clock.h"
#include "stepwise/engine/local_runner.h"
#include "stepwise/workers/function_binding.h"
#include "stepwise/workers/process_guard.h"

namespace stepwise::cli {
namespace {

using nlohmann::ordered_json;

constexpr const char* kUsage =
    R"(usage: stepwise run DEFINITION.json [--input JSON | --input-file FILE]
                    [--function NAME=COMMAND]... [--json] [--history] [--time-scale F]
                    [--max-payload-bytes N] [--data DIR]

Runs one execution of an Amazon States Language definition in this process, on the durable
engine, and prints its result: the output JSON on success, or "FAILED: <error>: <cause>" on stderr. Exits 0 only when
the execution succeeded, 1 when it failed, timed out or was aborted, 2 on bad usage.

  --input JSON             the execution's input (default {})
  --input-file FILE        the same, read from FILE
  --function NAME=COMMAND  serve function NAME (Resource "function:NAME", a Lambda ARN, or
                           lambda:invoke's FunctionName) by running COMMAND per invocation:
                           task input as JSON on stdin, result as JSON on stdout, non-zero exit
                           to fail. NAME may also be a whole Resource string (any NAME with a
                           ':'), which binds exactly that resource. Repeat for more functions.
  --json                   print one JSON object: {"status", "output"} or
                           {"status", "error", "cause"}
  --history                print the history events too (in the object with --json, else one
                           per line before the result)
  --time-scale F           multiply every wait, retry delay and timeout by F (F > 0; for tests)
  --max-payload-bytes N    fail a state whose input or output exceeds N bytes of JSON with
                           States.DataLimitExceeded (default 262144, as on AWS; 0: no limit)
  --data DIR               keep the execution in the data directory DIR, written durably
                           (fsync per step); without it a temporary store is used and removed
)";

struct RunFlags {
  std::string definition;
  std::optional<std::string> input_text;
  std::optional<std::string> input_file;
  std::vector<workers::FunctionBinding> bindings;
  bool as_json = false;
  bool history = false;
  double time_scale = 1.0;
  std::size_t max_payload_bytes = engine::InterpreterOptions().max_payload_bytes;
  std::string data_dir;
};

// A bad command line: the message says what to fix; the caller prints the usage after it.
struct UsageError {
  std::string message;
};

// `--function NAME=COMMAND`, NAME being a function name or a whole Resource string.
std::optional<UsageError> AddBinding(std::string_view flag, RunFlags& flags) {
  absl::StatusOr<workers::FunctionBinding> binding = workers::ParseFunctionBinding(flag);
  if (!binding.ok()) return UsageError{"--function: " + std::string(binding.status().message())};
  for (const workers::FunctionBinding& other : flags.bindings) {
    if (other.name == binding->name) {
      return UsageError{"--function " + binding->name + " is given twice; bind each name once"};
    }
  }
  flags.bindings.push_back(*std::move(binding));
  return std::nullopt;
}

std::optional<UsageError> ParseTimeScale(std::string_view text, double& scale) {
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || errno != 0 || !std::isfinite(value) ||
      value <= 0) {
    return UsageError{"--time-scale '" + copy + "': expected a positive number, such as 0.01"};
  }
  scale = value;
  return std::nullopt;
}

std::optional<UsageError> ParseByteCount(const std::string& text, std::size_t& bytes) {
  std::size_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return UsageError{"--max-payload-bytes '" + text + "': expected a number of bytes"};
  }
  bytes = value == 0 ? std::numeric_limits<std::size_t>::max() : value;
  return std::nullopt;
}

std::optional<UsageError> ParseFlags(const std::vector<std::string>& args, RunFlags& flags) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    // Options take their value as the next argument or after '='.
    std::string_view option = arg.substr(0, arg.find('='));
    std::optional<std::string> inline_value;
    if (arg.starts_with("--") && option.size() < arg.size()) {
      inline_value = std::string(arg.substr(option.size() + 1));
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inline_value) return inline_value;
      if (i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    if (option == "--json" || option == "--history") {
      if (inline_value) return UsageError{std::string(option) + " takes no value"};
      (option == "--json" ? flags.as_json : flags.history) = true;
    } else if (option == "--input" || option == "--input-file" || option == "--function" ||
               option == "--time-scale" || option == "--max-payload-bytes" || option == "--data") {
      std::optional<std::string> given = value();
      if (!given) return UsageError{std::string(option) + " needs a value"};
      if (option == "--input" || option == "--input-file") {
        if (flags.input_text || flags.input_file) {
          return UsageError{"give the input once: --input JSON or --input-file FILE"};
        }
        (option == "--input" ? flags.input_text : flags.input_file) = std::move(given);
      } else if (option == "--function") {
        if (auto error = AddBinding(*given, flags)) return error;
      } else if (option == "--data") {
        flags.data_dir = *given;
      } else if (option == "--max-payload-bytes") {
        if (auto error = ParseByteCount(*given, flags.max_payload_bytes)) return error;
      } else if (auto error = ParseTimeScale(*given, flags.time_scale)) {
        return error;
      }
    } else if (arg.starts_with("-") && arg != "-") {
      return UsageError{"unknown option '" + std::string(arg) + "'"};
    } else if (!flags.definition.empty()) {
      return UsageError{"one definition file only; '" + std::string(arg) + "' is a second one"};
    } else {
      flags.definition = std::string(arg);
    }
  }
  if (flags.definition.empty()) return UsageError{"name the definition file to run"};
  return std::nullopt;
}

// The execution input, or a message saying why there is none.
std::optional<nlohmann::json> ReadInput(const RunFlags& flags, std::string& problem) {
  std::string text = "{}";
  std::string origin = "--input";
  if (flags.input_text) text = *flags.input_text;
  if (flags.input_file) {
    std::ifstream in(*flags.input_file, std::ios::binary);
    if (!in) {
      problem = "cannot read --input-file '" + *flags.input_file +
                "': " + std::string(std::strerror(errno));
      return std::nullopt;
    }
    std::stringstream content;
    content << in.rdbuf();
    text = content.str();
    origin = "--input-file '" + *flags.input_file + "'";
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    problem = origin + " is not valid JSON: " + error.what();
    return std::nullopt;
  }
}

// The state machine's name in the store: the definition file's name without its folder and
// extension, kept to characters that are safe in execution ids.
std::string MachineName(const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  for (char& c : stem) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_';
    if (!safe) c = '-';
  }
  return stem.empty() ? "run" : stem;
}

std::string Dump(const ordered_json& value, int indent) {
  return value.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

void PrintResult(const RunFlags& flags, const EngineRunResult& run) {
  const engine::ExecutionSummary& result = run.summary;
  const bool succeeded = result.status == engine::ExecutionStatus::kSucceeded;
  if (flags.as_json) {
    ordered_json out = {{"status", engine::StatusName(result.status)}};
    if (succeeded) {
      out["output"] = result.output;
    } else {
      out["error"] = result.error;
      out["cause"] = result.cause;
    }
    if (flags.history) {
      ordered_json events = ordered_json::array();
      for (const engine::StoredHistoryEvent& event : run.history) {
        events.push_back(HistoryEventJson(event));
      }
      out["history"] = std::move(events);
    }
    std::cout << Dump(out, -1) << "\n";
    return;
  }
  if (flags.history) {
    for (const engine::StoredHistoryEvent& event : run.history) {
      std::cout << Dump(HistoryEventJson(event), -1) << "\n";
    }
  }
  if (succeeded) {
    std::cout << Dump(result.output, 2) << "\n";
  } else {
    std::cerr << engine::StatusName(result.status) << ": " << result.error << ": " << result.cause
              << "\n";
  }
}

}  // namespace

int RunRun(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
  }
  RunFlags flags;
  if (std::optional<UsageError> error = ParseFlags(args, flags)) {
    std::cerr << "stepwise run: " << error->message << "\n\n" << kUsage;
    return 2;
  }
  // Before any thread: the functions' processes must not outlive a run killed with -9.
  if (absl::Status guarded = workers::GuardFunctionProcesses(); !guarded.ok()) {
    std::cerr << "stepwise run: " << guarded.message() << "\n";
    return 1;
  }
  LoadedDefinition definition = LoadDefinition(flags.definition);
  PrintDiagnostics(flags.definition, definition.diagnostics, std::cerr);
  if (!definition.machine) return 2;
  std::string problem;
  std::optional<nlohmann::json> input = ReadInput(flags, problem);
  if (!input) {
    std::cerr << "stepwise run: " << problem << "\n";
    return 2;
  }

  EngineRunOptions options;
  options.data_dir = flags.data_dir;
  options.time_scale = flags.time_scale;
  options.keep_history = flags.history;
  // Payloads in history cost copies and bytes; nobody sees them unless --history asked for the
  // events or the run is kept in a data directory.
  options.interpreter.history_payloads = flags.history || !flags.data_dir.empty();
  options.interpreter.record_history = flags.history || !flags.data_dir.empty();
  options.interpreter.max_payload_bytes = flags.max_payload_bytes;
  options.machine_name = MachineName(flags.definition);
  // The result is printed before `functions` goes out of scope, which waits for any process a
  // failed branch left running.
  ProcessInvoker functions(std::move(flags.bindings), flags.time_scale, flags.max_payload_bytes);
  absl::StatusOr<EngineRunResult> result =
      RunOnEngine(definition.text, *std::move(input), functions, options);
  if (!result.ok()) {
    std::cerr << "stepwise run: " << result.status().message() << "\n";
    return 2;
  }
  PrintResult(flags, *result);
  std::cout.flush();
  return result->summary.status == engine::ExecutionStatus::kSucceeded ? 0 : 1;
}

}  // namespace stepwise::cli
