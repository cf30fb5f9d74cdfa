#include "api/rest/routes.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/rest/json_response.h"

namespace stepwise::api {

namespace http = boost::beast::http;

namespace {

std::string_view ToStd(boost::beast::string_view text) { return {text.data(), text.size()}; }

// The path part of a request target: "/healthz?verbose=1" -> "/healthz".
std::string_view PathOf(const HttpRequest& request) {
  std::string_view target = ToStd(request.target());
  return target.substr(0, target.find('?'));
}

HttpResponse MethodNotAllowed(const HttpRequest& request, std::string_view allowed) {
  HttpResponse response = ErrorResponse(http::status::method_not_allowed, "MethodNotAllowed",
                                        std::string(ToStd(request.method_string())) +
                                            " is not supported here; use " + std::string(allowed));
  response.set(http::field::allow, std::string(allowed));
  return response;
}

}  // namespace

HttpResponse Route(const HttpRequest& request) {
  std::string_view path = PathOf(request);
  if (path == "/healthz") {
    if (request.method() != http::verb::get) return MethodNotAllowed(request, "GET");
    return JsonResponse(http::status::ok, {{"status", "ok"}});
  }
  return ErrorResponse(http::status::not_found, "NotFound", "no resource at " + std::string(path));
}

}  // namespace stepwise::api
