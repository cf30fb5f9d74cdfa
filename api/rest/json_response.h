#pragma once

#include <boost/beast/http/status.hpp>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "api/rest/http_message.h"

namespace stepwise::api {

// A response with `body` serialised as its JSON content. Bytes that are not valid UTF-8 (for
// example from a request's path echoed in a message) are replaced, never thrown on.
HttpResponse JsonResponse(boost::beast::http::status status, const nlohmann::json& body);

// The REST API's error shape: {"error": "NotFound", "message": "what to fix"}. `error` is a
// stable machine-readable name; `message` is for people.
HttpResponse ErrorResponse(boost::beast::http::status status, std::string_view error,
                           std::string_view message);

}  // namespace stepwise::api
