#include "stepwise/engine/functions.h"

namespace stepwise::engine {

std::string_view CircuitStateName(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "CLOSED";
    case CircuitState::kOpen:
      return "OPEN";
    case CircuitState::kHalfOpen:
      return "HALF_OPEN";
  }
  return "CLOSED";
}

}  // namespace stepwise::engine
