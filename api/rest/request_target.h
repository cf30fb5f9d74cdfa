#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace stepwise::api {

// A request target taken apart: "/v1/executions/a%3Ab?limit=5" is the path segments
// {"v1", "executions", "a:b"} and the query {"limit": "5"}, percent-decoded ('+' in the query
// is a space, as forms send it). A parameter given twice keeps its last value.
struct RequestTarget {
  std::string path;  // as sent, without the query: for messages
  std::vector<std::string> segments;
  std::map<std::string, std::string, std::less<>> query;
};

// InvalidArgument, saying where, for a '%' not followed by two hex digits.
absl::StatusOr<RequestTarget> ParseRequestTarget(std::string_view target);

}  // namespace stepwise::api
