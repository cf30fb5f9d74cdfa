#pragma once

#include <string>
#include <utility>
#include <variant>

namespace stepwise::dsl {

// An error raised while running a state, named as the States Language names it
// (`States.Runtime`, `States.IntrinsicFailure`, ...) or as a function named it.
struct StatesError {
  std::string error;
  std::string cause;

  friend bool operator==(const StatesError&, const StatesError&) = default;
};

// The result of evaluating something at run time: a value, or the States error it raised.
// Retry and Catch match on `error().error`, so the name must be exact.
template <typename T>
class Outcome {
 public:
  Outcome(T value) : data_(std::move(value)) {}             // NOLINT: implicit by design
  Outcome(StatesError error) : data_(std::move(error)) {}   // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T& value() & { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  const StatesError& error() const { return std::get<StatesError>(data_); }

 private:
  std::variant<T, StatesError> data_;
};

}  // namespace stepwise::dsl
