#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "api/proto/stepwise.grpc.pb.h"
#include "worker_backoff.h"
#include "worker_client.h"
#include "worker_log.h"
#include "worker_outcome.h"

namespace stepwise::workers::internal {

// A worker's session with the server (Tasks.Connect): tasks come down into a queue that the
// slots take from, and results go up, several to a message when several are ready, each
// acknowledged once its completion is committed. One stream replaces a poll and a completion
// call per task: no call set-up, and fewer wake-ups and writes when the worker is busy.
//
// Credits keep the worker's promise to hold no more tasks than it has slots: the server sends a
// task only against a credit, the stream grants one per free slot, and a result that frees its
// slot carries the slot's next credit with it. When the stream breaks it connects again with
// backoff, granting the slots then free, and sends again the results not yet acknowledged
// (completions are idempotent by token). Tasks in transit on a broken stream are the server's
// to retry after their timeout, as with a lost poll answer. Thread-safe.
class TaskStream {
 public:
  using Acked = std::function<void(absl::Status)>;

  // `functions` says what the worker serves; it is asked at each connection.
  TaskStream(TaskClient& client, std::function<std::vector<std::string>()> functions, int slots,
             const Log& log, std::chrono::milliseconds first_backoff,
             std::chrono::milliseconds max_backoff);
  // Ends the stream (at once: Close first for a graceful end) and waits for its threads.
  ~TaskStream();
  TaskStream(const TaskStream&) = delete;
  TaskStream& operator=(const TaskStream&) = delete;

  // Blocks until a task comes (it holds a slot until Send or Release frees it), or the stream
  // is closed: nullopt, also when tasks are still queued.
  std::optional<v1::Task> Next();
  // Sends the outcome of the task `token` names; `acked` runs once, on a stream thread, with
  // what SucceedTask or FailTask would have answered (Unavailable when no answer came before
  // Close's deadline). `frees_slot`: the outcome is that of a task Next() handed out.
  void Send(const std::string& token, const Outcome& outcome, bool frees_slot, Acked acked);
  // Frees a slot whose task's outcome went another way.
  void Release();
  // No more tasks: tells the server, which withdraws the credits it holds. Tasks already on
  // their way still come through Next().
  void Drain();
  // Connects again at once, so that the server hears what `functions` says now. Tasks in
  // transit on the call it ends are retried by the server after their timeout.
  void Renew();
  // Waits until every result sent is acknowledged or `deadline` passes, then ends the stream
  // and wakes every Next().
  void Close(std::chrono::steady_clock::time_point deadline);

 private:
  class Call;
  struct Pending {
    v1::TaskResult result;
    Acked acked;
  };

  void Connect();  // the connector thread: one call after another until closed
  // What the next message says, or nullopt when there is nothing to send; under mutex_.
  std::optional<v1::WorkerMessage> TakeMessage();
  void Received(v1::ServerMessage& message);  // from the live call
  void WriteIfIdle();                         // starts the live call's next write, if any
  // A slot came free: one held task fewer, and a credit to grant unless draining. Under mutex_.
  void FreeSlot();

  TaskClient& client_;
  const std::function<std::vector<std::string>()> functions_;
  const int slots_;
  const Log& log_;
  Backoff backoff_;  // the connector's only

  std::mutex mutex_;
  std::condition_variable changed_;     // answers came (for Close), closed_
  std::condition_variable task_ready_;  // tasks_ grew, or closed_ (for Next)
  std::deque<v1::Task> tasks_;          // received, not yet taken by Next()
  int held_ = 0;                        // tasks received and not yet freed (queued or running)
  int credits_to_grant_ = 0;            // slots freed since the last message
  std::int64_t next_id_ = 1;
  std::map<std::int64_t, Pending> unacked_;  // sent (or to send) and not yet acknowledged
  std::vector<std::int64_t> to_send_;        // ids of unacked_ not yet written on the live call
  bool draining_ = false;
  bool draining_sent_ = false;
  bool closing_ = false;        // Close: half-close once every result is acknowledged
  bool closed_ = false;         // no more calls; Next() returns nullopt
  bool renewing_ = false;       // the live call was ended by Renew: connect again at once
  std::shared_ptr<Call> call_;  // the live call, if any
  std::thread connector_;
};

}  // namespace stepwise::workers::internal
