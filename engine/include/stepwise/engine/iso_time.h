#pragma once

#include <cstdint>
#include <string>

namespace stepwise::engine {

// "2024-01-31T12:00:00.000Z": how the context object and history show an instant given in
// milliseconds since the epoch.
std::string FormatIsoMillis(std::int64_t millis);

}  // namespace stepwise::engine
