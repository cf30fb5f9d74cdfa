#include "api/rest/json_response.h"

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace stepwise::api {

namespace http = boost::beast::http;

HttpResponse JsonResponse(http::status status, const nlohmann::json& body) {
  HttpResponse response(status, /*version=*/11);
  response.set(http::field::content_type, "application/json");
  response.body() =
      body.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
  response.prepare_payload();
  return response;
}

HttpResponse ErrorResponse(http::status status, std::string_view error, std::string_view message) {
  return JsonResponse(status, {{"error", std::string(error)}, {"message", std::string(message)}});
}

}  // namespace stepwise::api
