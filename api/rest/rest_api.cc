#include "api/rest/rest_api.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "api/console/console_site.h"
#include "api/grpc/proto_convert.h"
#include "api/rest/json_response.h"
#include "api/rest/prometheus_text.h"
#include "api/rest/query_reader.h"
#include "api/rest/request_target.h"
#include "api/rest/rest_resources.h"

namespace stepwise::api {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

std::string_view ToStd(boost::beast::string_view text) { return {text.data(), text.size()}; }

HttpResponse ErrorFromStatus(const absl::Status& status) {
  std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return ErrorResponse(http::status::bad_request, "InvalidArgument", message);
    case absl::StatusCode::kNotFound:
      return ErrorResponse(http::status::not_found, "NotFound", message);
    case absl::StatusCode::kFailedPrecondition:
      return ErrorResponse(http::status::conflict, "FailedPrecondition", message);
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
      return ErrorResponse(http::status::service_unavailable, "Unavailable", message);
    default:
      return ErrorResponse(http::status::internal_server_error, "Internal", message);
  }
}

HttpResponse Answer(const absl::StatusOr<json>& body) {
  if (!body.ok()) return ErrorFromStatus(body.status());
  return JsonResponse(http::status::ok, *body);
}

HttpResponse NoResource(const RequestTarget& target) {
  return ErrorResponse(http::status::not_found, "NotFound",
                       "no resource at " + target.path + "; see docs/rest.md for the API");
}

bool Authorized(const HttpRequest& request, const std::string& token) {
  if (token.empty()) return true;
  return ToStd(request[http::field::authorization]) == "Bearer " + token;
}

}  // namespace

HttpResponse RestApi::Metrics(const RequestTarget& target) {
  if (absl::Status checked = QueryReader(target).Check({}); !checked.ok()) {
    return ErrorFromStatus(checked);
  }
  MetricsScrape scrape;
  scrape.engine = engine_.Metrics();
  scrape.functions = engine_.DescribeFunctions();
  scrape.store = store_.Sizes();
  scrape.workers = static_cast<std::int64_t>(workers_.List(NowMillis()).size());
  HttpResponse response(http::status::ok, 11);
  response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.body() = PrometheusText(scrape);
  return response;
}

RestApi::RestApi(engine::Engine& engine, engine::Store& store, WorkerRegistry& workers,
                 std::string auth_token)
    : engine_(engine), store_(store), workers_(workers), auth_token_(std::move(auth_token)) {}

HttpReply RestApi::Handle(const HttpRequest& request) {
  absl::StatusOr<RequestTarget> parsed = ParseRequestTarget(ToStd(request.target()));
  if (!parsed.ok()) return ErrorFromStatus(parsed.status());
  const RequestTarget& target = *parsed;
  const std::vector<std::string>& path = target.segments;
  if (request.method() != http::verb::get) {
    HttpResponse response = ErrorResponse(
        http::status::method_not_allowed, "MethodNotAllowed",
        std::string(ToStd(request.method_string())) +
            " is not supported: the REST API is read-only; change things through the gRPC API "
            "or the stepwise CLI");
    response.set(http::field::allow, "GET");
    return response;
  }
  if (path.size() == 1 && path[0] == "healthz") {
    return JsonResponse(http::status::ok, {{"status", "ok"}});
  }
  if (path.size() == 1 && path[0] == "readyz") {
    if (!ready_.load()) {
      return ErrorResponse(http::status::service_unavailable, "Unavailable",
                           "the server is shutting down");
    }
    return JsonResponse(http::status::ok, {{"status", "ready"}});
  }
  if (auto console_file = ServeConsole(request, target)) return *std::move(console_file);
  bool metrics = path.size() == 1 && path[0] == "metrics";
  if (!metrics && (path.empty() || path[0] != "v1")) return NoResource(target);
  if (!Authorized(request, auth_token_)) {
    HttpResponse response = ErrorResponse(
        http::status::unauthorized, "Unauthorized",
        "this server needs \"Authorization: Bearer <token>\" with the token it was started with");
    response.set(http::field::www_authenticate, "Bearer");
    return response;
  }
  if (metrics) return Metrics(target);
  rest::Sources sources{engine_, store_, workers_};
  const std::string& collection = path.size() > 1 ? path[1] : "";
  if (collection == "state-machines") {
    if (path.size() == 2) return Answer(rest::ListStateMachines(sources, target));
    if (path.size() == 3) return Answer(rest::DescribeStateMachine(sources, target, path[2]));
  } else if (collection == "executions") {
    if (path.size() == 2) return Answer(rest::ListExecutions(sources, target));
    if (path.size() == 3) return Answer(rest::DescribeExecution(sources, target, path[2]));
    if (path.size() == 4 && path[3] == "history") {
      return Answer(rest::ExecutionHistory(sources, target, path[2]));
    }
    if (path.size() == 4 && path[3] == "events") {
      auto stream =
          rest::ExecutionEvents(sources, target, path[2], ToStd(request["Last-Event-ID"]));
      if (!stream.ok()) return ErrorFromStatus(stream.status());
      return *std::move(stream);
    }
  } else if (collection == "functions") {
    if (path.size() == 2) return Answer(rest::ListFunctions(sources, target));
    if (path.size() == 3) return Answer(rest::DescribeFunction(sources, target, path[2]));
  } else if (collection == "workers" && path.size() == 2) {
    return Answer(rest::ListWorkers(sources, target));
  }
  return NoResource(target);
}

}  // namespace stepwise::api
