#include "api/grpc/execution_links.h"

#include <string>

#include "api/grpc/proto_convert.h"

namespace stepwise::api {

absl::Status DescribeWithLinks(engine::Store& store, const engine::ExecutionSummary& summary,
                               v1::Execution& out) {
  ToProto(summary, out);
  engine::ExecutionFilter children;
  children.parent_execution_id = summary.info.execution_id;
  std::string token;
  do {
    auto page = store.ListExecutions(children, token, 1000);
    if (!page.ok()) return page.status();
    for (const engine::ExecutionSummary& child : page->executions) {
      out.add_child_execution_ids(child.info.execution_id);
    }
    token = page->next_page_token;
  } while (!token.empty());
  return absl::OkStatus();
}

}  // namespace stepwise::api
