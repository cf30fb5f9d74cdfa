// Listing executions through the listing indexes: newest first, filtered, a page at a time.
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "keys.h"
#include "prefix_iterator.h"
#include "rocksdb/snapshot.h"
#include "rocksdb_store_impl.h"

namespace stepwise::storage {
namespace {

// A page token is the index key of the last execution listed, in hex: opaque to callers, and
// still valid after executions are added or removed (the next page resumes after that key).
std::string ToToken(std::string_view key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string token;
  for (char c : key) {
    auto byte = static_cast<unsigned char>(c);
    token.push_back(kDigits[byte >> 4]);
    token.push_back(kDigits[byte & 0xF]);
  }
  return token;
}

std::optional<std::string> FromToken(std::string_view token) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (token.size() % 2 != 0) return std::nullopt;
  std::string key;
  for (std::size_t i = 0; i < token.size(); i += 2) {
    int high = nibble(token[i]);
    int low = nibble(token[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    key.push_back(static_cast<char>(high << 4 | low));
  }
  return key;
}

}  // namespace

namespace {

// Whether a listed execution passes the filter's parts that its index does not apply.
bool Matches(const engine::ExecutionFilter& filter, const engine::ExecutionSummary& summary) {
  if (!filter.machine_name.empty() && summary.info.state_machine_name != filter.machine_name) {
    return false;
  }
  return !filter.status || summary.status == *filter.status;
}

}  // namespace

// One index serves each listing: by parent when the filter names one (a parent's children are
// few: machine and status are checked on each), else the index of the machine and status
// filter. Start times are in every index key, newest first, so the time range is where the
// scan starts and stops.
absl::StatusOr<engine::ExecutionPage> RocksStore::ListExecutions(
    const engine::ExecutionFilter& filter, const std::string& page_token, int limit) {
  if (limit <= 0) return absl::InvalidArgumentError("the page size must be positive");
  bool by_parent = !filter.parent_execution_id.empty();
  std::string prefix = by_parent ? keys::ParentPrefix(filter.parent_execution_id)
                                 : keys::ListingPrefix(filter.machine_name, filter.status);
  std::optional<std::string> after;
  if (!page_token.empty()) {
    after = FromToken(page_token);
    if (!after || !keys::ParseListingId(*after, prefix)) {
      return absl::InvalidArgumentError(
          "the page token does not belong to this listing; pass the next_page_token of the "
          "previous page, with the same filter");
    }
  }
  engine::ExecutionPage page;
  if (filter.started_before && *filter.started_before == std::numeric_limits<std::int64_t>::min()) {
    return page;  // nothing starts before the beginning of time
  }
  rocksdb::ManagedSnapshot snapshot(db_.get());
  PrefixIterator it(*db_, families_.indexes, prefix, snapshot.snapshot());
  if (after) {
    it.Seek(*after);
    if (it.Valid() && it.key() == *after) it.Next();
  } else if (filter.started_before) {
    it.Seek(keys::ListingFrom(prefix, *filter.started_before - 1));
  } else {
    it.SeekToFirst();
  }
  std::string last;
  bool more = false;
  for (; it.Valid(); it.Next()) {
    std::int64_t start_time = 0;
    std::optional<std::string> id = keys::ParseListingKey(it.key(), prefix, start_time);
    if (!id) return absl::DataLossError("a listing index key is malformed");
    if (filter.started_after && start_time < *filter.started_after) break;  // older ones follow
    if (static_cast<int>(page.executions.size()) == limit) {
      more = true;
      break;
    }
    auto summary = Summarize(*id, snapshot.snapshot());
    if (!summary.ok()) return summary.status();
    if (by_parent && !Matches(filter, *summary)) continue;
    page.executions.push_back(*std::move(summary));
    last = it.key();
  }
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  if (more) page.next_page_token = ToToken(last);
  return page;
}

absl::StatusOr<std::int64_t> RocksStore::CountExecutions(const std::string& machine,
                                                         engine::ExecutionStatus status,
                                                         std::int64_t limit) {
  PrefixIterator it(*db_, families_.indexes, keys::ListingPrefix(machine, status));
  std::int64_t count = 0;
  for (it.SeekToFirst(); it.Valid() && count < limit; it.Next()) ++count;
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  return count;
}

absl::StatusOr<std::vector<std::string>> RocksStore::ListUnfinished() {
  std::string prefix = keys::ListingPrefix("", engine::ExecutionStatus::kRunning);
  PrefixIterator it(*db_, families_.indexes, prefix);
  std::vector<std::string> ids;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::optional<std::string> id = keys::ParseListingId(it.key(), prefix);
    if (!id) return absl::DataLossError("a listing index key is malformed");
    ids.push_back(*std::move(id));
  }
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  return ids;
}

}  // namespace stepwise::storage
