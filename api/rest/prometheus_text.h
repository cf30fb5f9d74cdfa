#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stepwise/engine/functions.h"
#include "stepwise/engine/metrics.h"
#include "stepwise/engine/store.h"

namespace stepwise::api {

// Everything /metrics shows, gathered at one scrape.
struct MetricsScrape {
  engine::EngineMetrics engine;
  std::vector<engine::FunctionStatus> functions;
  engine::StoreSizes store;
  std::int64_t workers = 0;  // workers heard from in the last hour
};

// The scrape in the Prometheus text exposition format (0.0.4): every metric with its HELP and
// TYPE lines, names prefixed "stepwise_", label values escaped. docs/rest.md lists them.
std::string PrometheusText(const MetricsScrape& scrape);

}  // namespace stepwise::api
