#pragma once

#include "api/rest/http_message.h"

namespace stepwise::api {

// Answers one REST request: picks the resource by path and method and builds the whole
// response. No I/O, so it is tested without a socket; HttpServer adds the connection headers.
//
//   GET /healthz   200 {"status":"ok"}
//   anything else  404 {"error":"NotFound", ...}; a known path with another method gets 405.
HttpResponse Route(const HttpRequest& request);

}  // namespace stepwise::api
