#pragma once

#include <memory>

#include "api/grpc/worker_registry.h"
#include "api/proto/stepwise.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "stepwise/engine/deadline_queue.h"
#include "stepwise/engine/engine.h"

namespace stepwise::api {

// One worker's Tasks.Connect stream. Each credit the worker grants parks one engine poll over
// the functions of its hello; the leases those polls bring and the acknowledgements of the
// worker's results go down the stream batched: whatever became ready while a write was in
// flight goes together in the next message.
//
// Engine callbacks come on any thread, at any time (also after the stream ended), so they hold
// the session's shared Core, never the reactor. The reactor deletes itself in OnDone.
class WorkerSession final : public grpc::ServerBidiReactor<v1::WorkerMessage, v1::ServerMessage> {
 public:
  // Finishes at once with `allowed` (the call guard's verdict) when it is not OK.
  // `delayed` runs the flushes of acknowledgements that wait for a task to go with them.
  WorkerSession(engine::Engine& engine, WorkerRegistry& workers, engine::DeadlineQueue& delayed,
                const grpc::CallbackServerContext& context, const grpc::Status& allowed);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  class Core;

  void ReadNext();

  std::shared_ptr<Core> core_;
  v1::WorkerMessage incoming_;  // where the read in flight lands
};

}  // namespace stepwise::api
