#pragma once

#include <atomic>
#include <string>

#include "api/grpc/worker_registry.h"
#include "api/rest/http_message.h"
#include "api/rest/request_target.h"
#include "stepwise/engine/engine.h"
#include "stepwise/engine/store.h"

namespace stepwise::api {

// The read-only REST API of docs/rest.md: state machines, executions and their history,
// functions and workers under /v1, /metrics for Prometheus, and /healthz and /readyz. Answers whole
// JSON responses without I/O of its own, so HttpServer can call it on any thread; thread-safe.
//
// Errors are {"error": NAME, "message": what to fix} with 400 (a bad parameter), 401 (no or a
// wrong bearer token, when the server has one), 404 (no such resource), 405 (not GET), 409 (a
// stored execution that does not fit its definition), 503 (the store cannot be read) and 500.
class RestApi {
 public:
  // With a non-empty `auth_token`, every /v1 and /metrics request must carry "Authorization:
  // Bearer <auth_token>"; /healthz and /readyz never need it (probes carry no secrets).
  RestApi(engine::Engine& engine, engine::Store& store, WorkerRegistry& workers,
          std::string auth_token);

  HttpReply Handle(const HttpRequest& request);

  // /readyz answers 503 once this is false: the server is shutting down.
  void SetReady(bool ready) { ready_.store(ready); }

 private:
  HttpResponse Metrics(const RequestTarget& target);

  engine::Engine& engine_;
  engine::Store& store_;
  WorkerRegistry& workers_;
  const std::string auth_token_;
  std::atomic<bool> ready_{true};
};

}  // namespace stepwise::api
