// State machine definitions: storing new versions and deleting a machine.
#include <mutex>
#include <string>

#include "engine_impl.h"
#include "stepwise/dsl/compile.h"

namespace stepwise::engine {

absl::StatusOr<StoredDefinition> Engine::PutStateMachine(const std::string& name,
                                                         const std::string& definition) {
  dsl::CompileResult compiled = dsl::Compile(definition);
  if (!compiled.machine) {
    std::string message = "the definition of '" + name + "' has errors:";
    for (const dsl::Diagnostic& diagnostic : compiled.diagnostics) {
      if (diagnostic.severity == dsl::Severity::kError) {
        message += "\n" + dsl::FormatDiagnostic(diagnostic);
      }
    }
    return absl::InvalidArgumentError(message);
  }
  auto stored = impl_->store.PutDefinition(name, definition, NowMillis(impl_->clock));
  if (stored.ok()) impl_->NoteLatestVersion(name, stored->version);
  return stored;
}

absl::Status Engine::DeleteStateMachine(const std::string& name) {
  // No start can commit while this holds the guard, so the count below stays true until the
  // definitions are gone.
  std::unique_lock guard(impl_->definitions_guard);
  auto latest = impl_->store.GetDefinition(name, 0);
  if (!latest.ok()) return latest.status();
  ExecutionFilter running;
  running.machine_name = name;
  running.status = ExecutionStatus::kRunning;
  std::int64_t count = 0;
  std::string token;
  do {
    auto page = impl_->store.ListExecutions(running, token, 1000);
    if (!page.ok()) return page.status();
    count += static_cast<std::int64_t>(page->executions.size());
    token = page->next_page_token;
  } while (!token.empty());
  if (count > 0) {
    return absl::FailedPreconditionError(
        std::to_string(count) + " execution" + (count == 1 ? "" : "s") + " of '" + name + "' " +
        (count == 1 ? "is" : "are") + " still running; stop them or wait");
  }
  if (absl::Status deleted = impl_->store.DeleteDefinition(name); !deleted.ok()) return deleted;
  // A machine created again under this name starts at version 1: forget the compiled old ones.
  std::lock_guard lock(impl_->machines_mutex);
  auto it = impl_->machines.lower_bound({name, 0});
  while (it != impl_->machines.end() && it->first.first == name) it = impl_->machines.erase(it);
  if (auto latest = impl_->latest_versions.find(name); latest != impl_->latest_versions.end()) {
    impl_->latest_versions.erase(latest);
  }
  return absl::OkStatus();
}

}  // namespace stepwise::engine
