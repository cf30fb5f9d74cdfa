#include "api/grpc/worker_session.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/grpc/proto_convert.h"
#include "api/grpc/status_mapping.h"

namespace stepwise::api {
namespace {

using nlohmann::json;
using SteadyTime = std::chrono::steady_clock::time_point;

// The wait of each parked poll; one that passes is parked again, so it only bounds how long
// the engine keeps a poll of a silent worker.
constexpr std::chrono::milliseconds kPollWait(60'000);
// Each credit holds a parked poll on the server: a worker may not hold more.
constexpr std::int64_t kMaxCredits = 10'000;
// Task inputs per message, beyond the first task: the rest waits for the next write.
constexpr std::size_t kMaxBatchInputBytes = 1 << 20;
// How long acknowledgements may wait for a task to go with them. Nothing waits for them (a
// result frees its slot as it is sent), and on a busy worker the next task comes within
// milliseconds: riding along saves a message each way.
constexpr std::chrono::milliseconds kAckDelay(2);

}  // namespace

// What the session knows, shared by the reactor and the engine callbacks. Every method is
// called without mutex_ held: engine calls may answer on the calling thread, and gRPC may run
// a reaction inside StartWrite or Finish.
class WorkerSession::Core : public std::enable_shared_from_this<Core> {
 public:
  Core(engine::Engine& engine, WorkerRegistry& workers, engine::DeadlineQueue& delayed,
       WorkerSession& session, std::string peer)
      : engine_(engine),
        workers_(workers),
        delayed_(delayed),
        session_(session),
        peer_(std::move(peer)) {}

  // A message of the worker; an error (INVALID_ARGUMENT) is for Break.
  grpc::Status Handle(const v1::WorkerMessage& message);
  // Around a StartRead: false when the session finished (no read then).
  bool BeginRead();
  void ReadStarted();
  // The worker half-closed: no more polls; finish (OK) once every result is acknowledged.
  void ReadsEnded();
  // The stream is over (cancelled, a write failed, a protocol error): finish with `status` as
  // soon as no write is in flight, dropping what was not written.
  void Break(const grpc::Status& status);
  void WriteDone(bool ok);
  // Starts the next write, or Finish, when one is due.
  void Pump();

 private:
  struct Poll {
    engine::PollId id = 0;
    bool parked = false;  // id is known (PollTaskAsync returned)
  };

  // Keeps Pump from writing or finishing while a reaction is half-way (it pumps at the end):
  // tasks that come at once for a grant then go in one message, and no Finish slips in
  // between the decision to read and the StartRead.
  class Hold {
   public:
    explicit Hold(Core& core);
    ~Hold();

   private:
    Core& core_;
  };

  void Submit(const v1::TaskResult& result);
  void Acknowledge(std::int64_t id, const absl::Status& status);
  void Park(std::int64_t count);
  void Answered(std::uint64_t slot, SteadyTime parked_at, std::optional<engine::TaskLease> lease);
  void WithdrawPolls();
  bool Polling() const;  // under mutex_
  void FillBatch();      // under mutex_

  engine::Engine& engine_;
  WorkerRegistry& workers_;
  engine::DeadlineQueue& delayed_;
  // Valid until Finish: used only by whoever set writing_ or finished_.
  WorkerSession& session_;
  const std::string peer_;
  // Set by the hello, then fixed (read without the mutex once hello_ is set).
  std::string worker_;
  std::string host_;
  std::vector<std::string> functions_;

  std::mutex mutex_;
  bool hello_ = false;
  bool draining_ = false;     // the worker asked for no more tasks
  bool reads_ended_ = false;  // the worker half-closed
  bool released_ = false;     // the engine released its polls: the server is shutting down
  std::optional<grpc::Status> broken_;
  bool writing_ = false;
  bool finished_ = false;
  int holds_ = 0;
  std::int64_t credits_ = 0;  // granted and not used up by a task
  int pending_ = 0;           // results in the engine, not acknowledged yet
  std::uint64_t next_slot_ = 0;
  std::map<std::uint64_t, Poll> polls_;  // by slot: the session's own key, known before the id
  std::deque<v1::Task> tasks_;
  std::vector<v1::ResultAck> acks_;
  SteadyTime acks_since_;       // when the oldest of acks_ came
  bool flush_pending_ = false;  // a delayed Pump is on its way for acks_
  v1::ServerMessage batch_;     // the write in flight
};

WorkerSession::Core::Hold::Hold(Core& core) : core_(core) {
  std::lock_guard lock(core_.mutex_);
  ++core_.holds_;
}

WorkerSession::Core::Hold::~Hold() {
  std::lock_guard lock(core_.mutex_);
  --core_.holds_;
}

grpc::Status WorkerSession::Core::Handle(const v1::WorkerMessage& message) {
  Hold hold(*this);
  std::int64_t granted = 0;
  {
    std::lock_guard lock(mutex_);
    if (!hello_) {
      if (!message.has_hello() || message.hello().functions().empty()) {
        return InvalidArgument(
            "the first message must carry a hello naming at least one function (or activity) "
            "to serve");
      }
      const v1::WorkerHello& hello = message.hello();
      worker_ = hello.worker().empty() ? peer_ : hello.worker();
      host_ = hello.host();
      functions_.assign(hello.functions().begin(), hello.functions().end());
      hello_ = true;
    } else if (message.has_hello()) {
      return InvalidArgument("send hello once, in the first message only");
    }
    if (message.credits() < 0) {
      return InvalidArgument("credits must be positive: the number of free slots added");
    }
    if (credits_ + message.credits() > kMaxCredits) {
      return InvalidArgument("credits would reach " + std::to_string(credits_ + message.credits()) +
                             "; a worker holds at most " + std::to_string(kMaxCredits));
    }
    // Draining withdraws the credits held, and those of this message too.
    if (message.draining()) draining_ = true;
    if (Polling()) {
      granted = message.credits();
      credits_ += granted;
    }
  }
  if (!message.results().empty()) workers_.Contact(worker_, NowMillis());
  for (const v1::TaskResult& result : message.results()) Submit(result);
  if (message.draining()) WithdrawPolls();
  Park(granted);
  return grpc::Status::OK;
}

bool WorkerSession::Core::BeginRead() {
  std::lock_guard lock(mutex_);
  if (finished_) return false;
  ++holds_;
  return true;
}

void WorkerSession::Core::ReadStarted() {
  {
    std::lock_guard lock(mutex_);
    --holds_;
  }
  Pump();
}

void WorkerSession::Core::ReadsEnded() {
  {
    std::lock_guard lock(mutex_);
    reads_ended_ = true;
  }
  WithdrawPolls();
  Pump();
}

void WorkerSession::Core::Break(const grpc::Status& status) {
  {
    std::lock_guard lock(mutex_);
    if (!broken_) broken_ = status;
  }
  WithdrawPolls();
  Pump();
}

void WorkerSession::Core::WriteDone(bool ok) {
  {
    std::lock_guard lock(mutex_);
    writing_ = false;
    if (!ok && !broken_) broken_ = grpc::Status(grpc::StatusCode::CANCELLED, "the stream broke");
  }
  if (!ok) WithdrawPolls();
  Pump();
}

void WorkerSession::Core::Pump() {
  enum class Next { kNothing, kWrite, kFinish } next = Next::kNothing;
  grpc::Status status;
  std::optional<SteadyTime> flush_at;
  {
    std::lock_guard lock(mutex_);
    if (finished_ || writing_ || holds_ > 0) return;
    SteadyTime now = std::chrono::steady_clock::now();
    if (broken_) {
      next = Next::kFinish;
      status = *broken_;
    } else if (tasks_.empty() && !acks_.empty() && Polling() && now < acks_since_ + kAckDelay) {
      // Only acknowledgements to send: they wait a moment for a task (a stopping worker waits
      // for them, so then they go at once).
      if (!flush_pending_) flush_at = acks_since_ + kAckDelay;
      flush_pending_ = true;
    } else if (!tasks_.empty() || !acks_.empty()) {
      next = Next::kWrite;
      FillBatch();
    } else if ((reads_ended_ || released_) && pending_ == 0 && polls_.empty()) {
      // Every lease and acknowledgement is written. A session the server ends (shutdown) says
      // so, for the worker to connect again.
      next = Next::kFinish;
      if (!reads_ended_) {
        status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                              "the server is shutting down: connect again");
      }
    }
    writing_ = next == Next::kWrite;
    finished_ = next == Next::kFinish;
  }
  if (next == Next::kWrite) session_.StartWrite(&batch_);
  if (next == Next::kFinish) session_.Finish(status);
  if (flush_at) {
    delayed_.Schedule(*flush_at, [weak = weak_from_this()] {
      std::shared_ptr<Core> self = weak.lock();
      if (!self) return;
      {
        std::lock_guard lock(self->mutex_);
        self->flush_pending_ = false;
      }
      self->Pump();
    });
  }
}

void WorkerSession::Core::FillBatch() {
  batch_.Clear();
  for (v1::ResultAck& ack : acks_) *batch_.add_acks() = std::move(ack);
  acks_.clear();
  std::size_t bytes = 0;
  while (!tasks_.empty()) {
    std::size_t size = tasks_.front().input().size();
    if (batch_.tasks_size() > 0 && bytes + size > kMaxBatchInputBytes) break;
    bytes += size;
    *batch_.add_tasks() = std::move(tasks_.front());
    tasks_.pop_front();
  }
}

// As SucceedTask and FailTask do; the answer comes back as an acknowledgement.
void WorkerSession::Core::Submit(const v1::TaskResult& result) {
  {
    std::lock_guard lock(mutex_);
    ++pending_;
  }
  std::int64_t id = result.id();
  auto acknowledge = [self = shared_from_this(), id](absl::Status status) {
    self->Acknowledge(id, status);
  };
  if (result.failed()) {
    std::string error = result.error().empty() ? "States.TaskFailed" : result.error();
    if (result.cold_start()) engine_.NoteColdStart(result.token());
    engine_.FailTaskAsync(result.token(), error, result.cause(), std::move(acknowledge));
    return;
  }
  auto output = ParseJsonField("output", result.output(), json::object());
  if (!output.ok()) return Acknowledge(id, output.status());
  if (result.cold_start()) engine_.NoteColdStart(result.token());
  engine_.CompleteTaskAsync(result.token(), *std::move(output), std::move(acknowledge));
}

void WorkerSession::Core::Acknowledge(std::int64_t id, const absl::Status& status) {
  grpc::Status answer = ToGrpcStatus(status);
  {
    std::lock_guard lock(mutex_);
    --pending_;
    if (!broken_ && !finished_) {
      if (acks_.empty()) acks_since_ = std::chrono::steady_clock::now();
      v1::ResultAck& ack = acks_.emplace_back();
      ack.set_id(id);
      ack.set_code(answer.error_code());
      ack.set_message(answer.error_message());
    }
  }
  Pump();
}

void WorkerSession::Core::Park(std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) {
    std::uint64_t slot = 0;
    {
      std::lock_guard lock(mutex_);
      if (!Polling()) return;
      slot = next_slot_++;
      polls_.emplace(slot, Poll{});
    }
    workers_.PollStarted(worker_, host_, functions_, NowMillis());
    SteadyTime parked_at = std::chrono::steady_clock::now();
    engine::PollId id = engine_.PollTaskAsync(
        functions_, kPollWait,
        [self = shared_from_this(), slot, parked_at](std::optional<engine::TaskLease> lease) {
          self->Answered(slot, parked_at, std::move(lease));
        });
    bool withdrawn = false;
    {
      std::lock_guard lock(mutex_);
      auto poll = polls_.find(slot);
      if (poll != polls_.end()) {  // not answered yet
        poll->second = Poll{id, true};
        // WithdrawPolls ran before the id was known: cancelling it is ours to do.
        withdrawn = !Polling();
      }
    }
    if (withdrawn) engine_.CancelPoll(id);
  }
}

void WorkerSession::Core::Answered(std::uint64_t slot, SteadyTime parked_at,
                                   std::optional<engine::TaskLease> lease) {
  // Noted before the task can be written: a worker that has it sees it counted.
  workers_.PollEnded(worker_, lease.has_value(), NowMillis());
  std::optional<v1::Task> task;
  if (lease) ToProto(*lease, task.emplace());
  bool again = false;
  bool released = false;
  {
    std::lock_guard lock(mutex_);
    polls_.erase(slot);
    if (task) {
      credits_ = std::max<std::int64_t>(credits_ - 1, 0);
      // On a broken stream the lease is dropped: it counts as delivered, and the engine hands
      // the task out again when its timeout passes.
      if (!broken_ && !finished_) tasks_.push_back(*std::move(task));
    } else if (Polling()) {
      // A wait that passed keeps the credit. Any other empty answer we did not ask for (by
      // CancelPoll) is the engine releasing its polls for a shutdown.
      if (std::chrono::steady_clock::now() - parked_at >= kPollWait) {
        again = true;
      } else {
        released = released_ = true;
      }
    }
  }
  if (again) Park(1);
  if (released) WithdrawPolls();
  Pump();
}

// Cancels every parked poll. Called once Polling() is false, so that none is parked after.
void WorkerSession::Core::WithdrawPolls() {
  std::vector<engine::PollId> parked;
  {
    std::lock_guard lock(mutex_);
    credits_ = 0;
    for (const auto& [slot, poll] : polls_) {
      if (poll.parked) parked.push_back(poll.id);
    }
  }
  // A poll answered meanwhile is not cancelled (its lease still goes to the worker).
  for (engine::PollId id : parked) engine_.CancelPoll(id);
}

bool WorkerSession::Core::Polling() const {
  return hello_ && !draining_ && !reads_ended_ && !released_ && !broken_ && !finished_;
}

WorkerSession::WorkerSession(engine::Engine& engine, WorkerRegistry& workers,
                             engine::DeadlineQueue& delayed,
                             const grpc::CallbackServerContext& context,
                             const grpc::Status& allowed)
    : core_(std::make_shared<Core>(engine, workers, delayed, *this, context.peer())) {
  if (allowed.ok()) {
    ReadNext();
  } else {
    core_->Break(allowed);
  }
}

void WorkerSession::ReadNext() {
  if (!core_->BeginRead()) return;
  StartRead(&incoming_);
  core_->ReadStarted();
}

void WorkerSession::OnReadDone(bool ok) {
  if (!ok) return core_->ReadsEnded();
  grpc::Status handled = core_->Handle(incoming_);
  if (!handled.ok()) return core_->Break(handled);
  ReadNext();
}

void WorkerSession::OnWriteDone(bool ok) { core_->WriteDone(ok); }

void WorkerSession::OnCancel() {
  core_->Break(grpc::Status(grpc::StatusCode::CANCELLED, "the worker went away"));
}

void WorkerSession::OnDone() { delete this; }

}  // namespace stepwise::api
