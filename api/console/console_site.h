#pragma once

#include <optional>

#include "api/rest/http_message.h"
#include "api/rest/request_target.h"

namespace stepwise::api {

// The web console's static files: `/` is its page, `/console/PATH` the rest. They hold no
// data (the page reads everything through the REST API), so they need no token. Answers
// nullopt for paths outside the console.
std::optional<HttpResponse> ServeConsole(const HttpRequest& request, const RequestTarget& target);

}  // namespace stepwise::api
