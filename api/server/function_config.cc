#include "api/server/function_config.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "stepwise/dsl/diagnostic.h"

namespace stepwise::api {
namespace {

using nlohmann::json;

// Reads one file's fields into limits, naming the place of the first mistake.
class ConfigReader {
 public:
  explicit ConfigReader(std::string file_name) : file_name_(std::move(file_name)) {}

  absl::Status Error(const std::string& pointer, const std::string& what) const {
    return absl::InvalidArgumentError(file_name_ + ": " + pointer + ": " + what);
  }

  absl::Status OnlyFields(const json& object, const std::string& pointer,
                          const std::set<std::string>& allowed) const {
    if (!object.is_object()) return Error(pointer, "must be an object");
    for (const auto& [key, value] : object.items()) {
      if (allowed.contains(key)) continue;
      std::string known;
      for (const std::string& name : allowed) known += (known.empty() ? "" : ", ") + name;
      return Error(pointer + "/" + key, "unknown field; the fields are " + known);
    }
    return absl::OkStatus();
  }

  // A whole number in [low, high], when present.
  absl::Status Integer(const json& object, const std::string& pointer, const std::string& key,
                       std::int64_t low, std::int64_t high, std::int64_t& into) const {
    if (!object.contains(key)) return absl::OkStatus();
    const json& value = object[key];
    if (!value.is_number_integer()) {
      return Error(pointer + "/" + key, "must be a whole number from " + std::to_string(low) +
                                            " to " + std::to_string(high));
    }
    std::int64_t number = value.get<std::int64_t>();
    if (number < low || number > high) {
      return Error(pointer + "/" + key, std::to_string(number) + " is out of range; write " +
                                            std::to_string(low) + " to " + std::to_string(high));
    }
    into = number;
    return absl::OkStatus();
  }

  // A number of seconds in [low, high] (fractions allowed), as milliseconds, when present.
  absl::Status Seconds(const json& object, const std::string& pointer, const std::string& key,
                       double low, double high, std::chrono::milliseconds& into) const {
    if (!object.contains(key)) return absl::OkStatus();
    const json& value = object[key];
    if (!value.is_number() || value.get<double>() < low || value.get<double>() > high) {
      std::ostringstream range;
      range << low << " to " << high;
      return Error(pointer + "/" + key, "must be a number of seconds from " + range.str());
    }
    into = std::chrono::milliseconds(std::llround(value.get<double>() * 1000));
    return absl::OkStatus();
  }

  // The limits at `pointer` over `limits` (the defaults); `named`: "name" is required.
  absl::Status Limits(const json& object, const std::string& pointer, bool named,
                      engine::FunctionLimits& limits) const {
    std::set<std::string> fields = {"timeout_seconds", "max_concurrency", "rate_per_second",
                                    "circuit_breaker"};
    if (named) fields.insert("name");
    if (absl::Status only = OnlyFields(object, pointer, fields); !only.ok()) return only;
    if (named) {
      if (!object.contains("name") || !object["name"].is_string() ||
          object["name"].get<std::string>().empty()) {
        return Error(pointer + "/name",
                     "every function needs a \"name\": the NAME of "
                     "function:NAME, of a Lambda ARN, or an activity ARN");
      }
      limits.name = object["name"].get<std::string>();
    }
    std::int64_t timeout = limits.timeout.count();
    std::int64_t concurrency = limits.max_concurrency;
    absl::Status status = Integer(object, pointer, "timeout_seconds", 1, 31'536'000, timeout);
    if (status.ok()) {
      status = Integer(object, pointer, "max_concurrency", 1, 1'000'000, concurrency);
    }
    if (!status.ok()) return status;
    limits.timeout = std::chrono::seconds(timeout);
    limits.max_concurrency = static_cast<int>(concurrency);
    if (object.contains("rate_per_second")) {
      const json& rate = object["rate_per_second"];
      if (!rate.is_number() || rate.get<double>() < 0) {
        return Error(pointer + "/rate_per_second",
                     "must be a number of invocations per second, 0 for no limit");
      }
      limits.rate_per_second = rate.get<double>();
    }
    if (!object.contains("circuit_breaker")) return absl::OkStatus();
    return Breaker(object["circuit_breaker"], pointer + "/circuit_breaker", limits.circuit_breaker);
  }

 private:
  absl::Status Breaker(const json& object, const std::string& pointer,
                       engine::CircuitBreakerOptions& breaker) const {
    absl::Status status =
        OnlyFields(object, pointer,
                   {"failure_threshold", "window_seconds", "open_seconds", "half_open_probes"});
    if (!status.ok()) return status;
    std::int64_t threshold = breaker.failure_threshold;
    status = Integer(object, pointer, "failure_threshold", 0, 1'000'000, threshold);
    if (!status.ok()) return status;
    breaker.failure_threshold = static_cast<int>(threshold);
    status = Seconds(object, pointer, "window_seconds", 0.001, 86'400, breaker.window);
    if (!status.ok()) return status;
    status = Seconds(object, pointer, "open_seconds", 0.001, 86'400, breaker.open_for);
    if (!status.ok()) return status;
    std::int64_t probes = breaker.half_open_probes;
    status = Integer(object, pointer, "half_open_probes", 1, 1'000, probes);
    breaker.half_open_probes = static_cast<int>(probes);
    return status;
  }

  std::string file_name_;
};

}  // namespace

absl::StatusOr<engine::EngineOptions> ParseFunctionConfig(std::string_view text,
                                                          const std::string& file_name,
                                                          engine::EngineOptions options) {
  json config;
  try {
    config = json::parse(text);
  } catch (const json::parse_error& error) {
    // what() is "[json.exception...] parse error at line L, column C: <the reason>".
    std::string what = error.what();
    std::size_t reason = what.find(": ", what.find("column"));
    return absl::InvalidArgumentError(
        file_name + ": " + dsl::LineAndColumn(text, error.byte) +
        ": not valid JSON: " + (reason == std::string::npos ? what : what.substr(reason + 2)));
  }
  ConfigReader reader(file_name);
  if (absl::Status only = reader.OnlyFields(config, "", {"defaults", "functions"}); !only.ok()) {
    return only;
  }
  if (config.contains("defaults")) {
    absl::Status read =
        reader.Limits(config["defaults"], "/defaults", false, options.function_defaults);
    if (!read.ok()) return read;
  }
  if (!config.contains("functions")) return options;
  const json& functions = config["functions"];
  if (!functions.is_array()) return reader.Error("/functions", "must be an array of functions");
  std::set<std::string> names;
  for (std::size_t i = 0; i < functions.size(); ++i) {
    std::string pointer = "/functions/" + std::to_string(i);
    engine::FunctionLimits limits = options.function_defaults;
    if (absl::Status read = reader.Limits(functions[i], pointer, true, limits); !read.ok()) {
      return read;
    }
    if (!names.insert(limits.name).second) {
      return reader.Error(pointer + "/name", "function '" + limits.name + "' is named twice");
    }
    if (absl::Status valid = engine::ValidateFunctionLimits(limits); !valid.ok()) {
      return reader.Error(pointer, std::string(valid.message()));
    }
    options.functions.push_back(std::move(limits));
  }
  return options;
}

absl::StatusOr<engine::EngineOptions> ReadFunctionConfig(const std::string& path,
                                                         engine::EngineOptions options) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError("cannot read the functions file '" + path +
                               "': it does not exist or is not readable");
  }
  std::stringstream text;
  text << file.rdbuf();
  return ParseFunctionConfig(text.str(), path, std::move(options));
}

}  // namespace stepwise::api
