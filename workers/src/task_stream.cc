#include "task_stream.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace stepwise::workers::internal {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kWorkedFor{5};

// One call of Tasks.Connect, driven by the connector thread, which runs the call's completion
// queue until the call has ended: the thread that waits on the socket is the one that handles
// what came. (gRPC's callback API runs callbacks on two threads of its own, which hand polling
// back and forth, a wake-up each time: in dispatch_bench, 8 workers used 56 us of CPU per task
// on it and 44 us this way.) Writes start on whichever thread has something to send; their
// completions come back here. The flags are the stream's, under its mutex.
class TaskStream::Call {
 public:
  Call(TaskStream& stream, std::unique_ptr<grpc::ClientContext> context)
      : stream_(stream), context_(std::move(context)) {}

  // Runs the call, which says `hello` first, until it has ended; returns how it ended.
  grpc::Status Run(v1::Tasks::Stub& stub, v1::WorkerMessage hello) {
    rpc_ = stub.PrepareAsyncConnect(context_.get(), &queue_);
    write_ = std::move(hello);
    rpc_->StartCall(Tag(kStarted));
    void* tag = nullptr;
    bool ok = false;
    while (!finished_ && queue_.Next(&tag, &ok)) {
      switch (static_cast<Op>(reinterpret_cast<std::intptr_t>(tag))) {
        case kStarted:
          if (!ok) {  // the hello was never written
            {
              std::lock_guard lock(stream_.mutex_);
              writing = false;
            }
            ReadsEnded();
            break;
          }
          rpc_->Write(write_, Tag(kWritten));  // the hello; `writing` starts out true
          rpc_->Read(&read_, Tag(kRead));
          break;
        case kRead:
          if (!ok) {
            ReadsEnded();
            break;
          }
          stream_.Received(read_);
          read_.Clear();
          rpc_->Read(&read_, Tag(kRead));
          break;
        case kWritten:
          Written(ok);
          break;
        case kFinished:
          finished_ = true;
          break;
      }
    }
    queue_.Shutdown();
    while (queue_.Next(&tag, &ok)) {
    }
    return status_;
  }

  void Cancel() { context_->TryCancel(); }

  // Starts writing `message` (nullopt: half-closes); the caller has set `writing` under the
  // stream's mutex. Any thread.
  void Write(std::optional<v1::WorkerMessage> message) {
    if (!message) return rpc_->WritesDone(Tag(kWritten));
    write_ = *std::move(message);
    rpc_->Write(write_, Tag(kWritten));
  }

  // Under the stream's mutex:
  bool writing = true;  // the hello is the first write
  bool writes_done = false;
  bool ending = false;  // the server's side has ended or the call broke: no more writes
  bool heard = false;   // a message came: the connection works

 private:
  enum Op : std::intptr_t { kStarted = 1, kRead, kWritten, kFinished };
  static void* Tag(Op op) { return reinterpret_cast<void*>(static_cast<std::intptr_t>(op)); }

  // No more messages will come. The call's status is asked for once no write is in flight
  // either (gRPC wants no operation pending on a finished call).
  void ReadsEnded() {
    bool idle;
    {
      std::lock_guard lock(stream_.mutex_);
      ending = true;
      reads_ended_ = true;
      idle = !writing;
    }
    if (idle) FinishOnce();
  }

  void Written(bool ok) {
    bool finish;
    {
      std::lock_guard lock(stream_.mutex_);
      writing = false;
      if (!ok) ending = true;  // broken: the pending read fails too
      finish = reads_ended_;
    }
    if (finish) return FinishOnce();
    if (ok) stream_.WriteIfIdle();
  }

  // Only on the queue's thread.
  void FinishOnce() {
    if (std::exchange(finishing_, true)) return;
    rpc_->Finish(&status_, Tag(kFinished));
  }

  TaskStream& stream_;
  std::unique_ptr<grpc::ClientContext> context_;
  grpc::CompletionQueue queue_;
  std::unique_ptr<grpc::ClientAsyncReaderWriter<v1::WorkerMessage, v1::ServerMessage>> rpc_;
  v1::WorkerMessage write_;
  v1::ServerMessage read_;
  bool reads_ended_ = false;  // under the stream's mutex
  bool finishing_ = false;    // the queue thread's only
  bool finished_ = false;     // the queue thread's only
  grpc::Status status_;
};

TaskStream::TaskStream(TaskClient& client, std::function<std::vector<std::string>()> functions,
                       int slots, const Log& log, std::chrono::milliseconds first_backoff,
                       std::chrono::milliseconds max_backoff)
    : client_(client),
      functions_(std::move(functions)),
      slots_(slots),
      log_(log),
      backoff_(first_backoff, max_backoff) {
  connector_ = std::thread([this] { Connect(); });
}

TaskStream::~TaskStream() {
  std::shared_ptr<Call> call;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    call = call_;
  }
  changed_.notify_all();
  task_ready_.notify_all();
  if (call) call->Cancel();
  connector_.join();
}

std::optional<v1::Task> TaskStream::Next() {
  std::unique_lock lock(mutex_);
  task_ready_.wait(lock, [this] { return !tasks_.empty() || closed_; });
  // Tasks that came after Close are not run: their results would have no stream to go on, and
  // the server hands them out again after their timeout.
  if (closed_) return std::nullopt;
  v1::Task task = std::move(tasks_.front());
  tasks_.pop_front();
  return task;
}

void TaskStream::Send(const std::string& token, const Outcome& outcome, bool frees_slot,
                      Acked acked) {
  {
    std::lock_guard lock(mutex_);
    std::int64_t id = next_id_++;
    Pending& pending = unacked_[id];
    v1::TaskResult& result = pending.result;
    result.set_id(id);
    result.set_token(token);
    result.set_cold_start(outcome.cold_start);
    if (outcome.succeeded) {
      result.set_output(outcome.output);
    } else {
      result.set_failed(true);
      result.set_error(outcome.error);
      result.set_cause(outcome.cause);
    }
    pending.acked = std::move(acked);
    to_send_.push_back(id);
    if (frees_slot) FreeSlot();
  }
  WriteIfIdle();
}

void TaskStream::Release() {
  {
    std::lock_guard lock(mutex_);
    FreeSlot();
  }
  WriteIfIdle();
}

void TaskStream::FreeSlot() {
  --held_;
  if (!draining_) ++credits_to_grant_;
}

void TaskStream::Drain() {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
    credits_to_grant_ = 0;
  }
  WriteIfIdle();
}

void TaskStream::Renew() {
  std::shared_ptr<Call> call;
  {
    std::lock_guard lock(mutex_);
    call = call_;
    renewing_ = call != nullptr;
  }
  if (call) call->Cancel();
}

void TaskStream::Close(Clock::time_point deadline) {
  {
    std::unique_lock lock(mutex_);
    closing_ = true;
    changed_.wait_until(lock, deadline, [this] { return unacked_.empty() || closed_; });
  }
  WriteIfIdle();  // half-closes, when every result is in
  std::vector<Acked> unanswered;
  std::shared_ptr<Call> call;
  {
    std::unique_lock lock(mutex_);
    if (call_ == nullptr) closed_ = true;  // between calls: nothing to end
    changed_.notify_all();
    changed_.wait_until(lock, deadline, [this] { return closed_; });
    closed_ = true;
    for (auto& [id, pending] : unacked_) unanswered.push_back(std::move(pending.acked));
    unacked_.clear();
    to_send_.clear();
    call = call_;
  }
  changed_.notify_all();
  task_ready_.notify_all();
  if (call) call->Cancel();
  for (Acked& acked : unanswered) {
    acked(absl::UnavailableError("no answer from the server before the worker shut down"));
  }
}

std::optional<v1::WorkerMessage> TaskStream::TakeMessage() {
  if (credits_to_grant_ == 0 && to_send_.empty() && draining_ == draining_sent_) {
    return std::nullopt;
  }
  v1::WorkerMessage message;
  message.set_credits(credits_to_grant_);
  credits_to_grant_ = 0;
  message.set_draining(draining_);
  draining_sent_ = draining_;
  // About a megabyte of outputs to a message, so that no message nears gRPC's 4 MB limit.
  constexpr std::size_t kMessageBytes = 1 << 20;
  std::size_t bytes = 0;
  std::size_t taken = 0;
  for (; taken < to_send_.size() && (taken == 0 || bytes < kMessageBytes); ++taken) {
    auto found = unacked_.find(to_send_[taken]);
    if (found == unacked_.end()) continue;
    *message.add_results() = found->second.result;
    bytes += found->second.result.output().size() + found->second.result.cause().size();
  }
  to_send_.erase(to_send_.begin(), to_send_.begin() + static_cast<std::ptrdiff_t>(taken));
  return message;
}

void TaskStream::WriteIfIdle() {
  std::shared_ptr<Call> call;
  std::optional<v1::WorkerMessage> message;
  {
    std::lock_guard lock(mutex_);
    call = call_;
    if (!call || call->writing || call->ending || call->writes_done) return;
    message = TakeMessage();
    if (!message) {
      if (!closing_ || !unacked_.empty()) return;
      call->writes_done = true;  // every result is in: end the stream
    }
    call->writing = true;
  }
  call->Write(std::move(message));
}

void TaskStream::Received(v1::ServerMessage& message) {
  std::vector<std::pair<Acked, absl::Status>> answers;
  int tasks = message.tasks_size();
  bool closing;
  {
    std::lock_guard lock(mutex_);
    closing = closing_;
    if (call_) call_->heard = true;
    for (v1::Task& task : *message.mutable_tasks()) {
      tasks_.push_back(std::move(task));
      ++held_;
    }
    for (const v1::ResultAck& ack : message.acks()) {
      auto found = unacked_.find(ack.id());
      if (found == unacked_.end()) continue;  // answered on an earlier call already
      answers.emplace_back(std::move(found->second.acked),
                           absl::Status(static_cast<absl::StatusCode>(ack.code()), ack.message()));
      unacked_.erase(found);
    }
  }
  // One slot per task: waking them all would put all but one back to sleep, a context switch
  // each on a busy machine.
  for (int i = 0; i < tasks; ++i) task_ready_.notify_one();
  if (closing) changed_.notify_all();  // Close waits for the answers
  for (auto& [acked, status] : answers) {
    if (acked) acked(std::move(status));
  }
  WriteIfIdle();  // a half-close may have waited for these answers
}

void TaskStream::Connect() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
    }
    auto call = std::make_shared<Call>(*this, client_.StreamContext());
    v1::WorkerMessage hello;
    v1::WorkerHello& who = *hello.mutable_hello();
    for (const std::string& function : functions_()) who.add_functions(function);
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      who.set_worker(client_.identity());
      who.set_host(client_.host());
      hello.set_credits(draining_ ? 0 : std::max(0, slots_ - held_));
      credits_to_grant_ = 0;
      hello.set_draining(draining_);
      draining_sent_ = draining_;
      // Results the last call did not get answered go again: completions are idempotent.
      to_send_.clear();
      for (const auto& [id, pending] : unacked_) to_send_.push_back(id);
      call_ = call;
    }
    Clock::time_point began = Clock::now();
    grpc::Status status = call->Run(client_.stub(), std::move(hello));
    bool heard;
    bool closing;
    {
      std::lock_guard lock(mutex_);
      call_.reset();
      if (std::exchange(renewing_, false) && !closed_) continue;
      heard = call->heard;
      closing = closing_;
      if (closing && status.ok()) closed_ = true;  // the server ended it after our half-close
      if (closed_) {
        changed_.notify_all();
        task_ready_.notify_all();
        return;
      }
    }
    // A call that worked for a while ends a run of failures, whether or not tasks came on it.
    if (heard || Clock::now() - began > kWorkedFor) backoff_.Reset();
    std::chrono::milliseconds pause = backoff_.Next();
    std::string why = status.ok() ? "the server ended the task stream (shutting down?)"
                                  : std::string(client_.ToStatus(status, "Connect").message());
    log_(LogLevel::kWarning, why + "; polling again in " + DescribePause(pause));
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, pause, [this] { return closed_; });
  }
}

}  // namespace stepwise::workers::internal
