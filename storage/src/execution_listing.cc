// Listing executions through the listing indexes: newest first, filtered, a page at a time.
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

absl::StatusOr<engine::ExecutionPage> RocksStore::ListExecutions(
    const engine::ExecutionFilter& filter, const std::string& page_token, int limit) {
  if (limit <= 0) return absl::InvalidArgumentError("the page size must be positive");
  std::string prefix = keys::ListingPrefix(filter.machine_name, filter.status);
  std::optional<std::string> after;
  if (!page_token.empty()) {
    after = FromToken(page_token);
    if (!after || !keys::ParseListingId(*after, prefix)) {
      return absl::InvalidArgumentError(
          "the page token does not belong to this listing; pass the next_page_token of the "
          "previous page, with the same filter");
    }
  }
  rocksdb::ManagedSnapshot snapshot(db_.get());
  PrefixIterator it(*db_, families_.indexes, prefix, snapshot.snapshot());
  if (after) {
    it.Seek(*after);
    if (it.Valid() && it.key() == *after) it.Next();
  } else {
    it.SeekToFirst();
  }
  engine::ExecutionPage page;
  std::string last;
  for (; it.Valid() && static_cast<int>(page.executions.size()) < limit; it.Next()) {
    std::optional<std::string> id = keys::ParseListingId(it.key(), prefix);
    if (!id) return absl::DataLossError("a listing index key is malformed");
    auto summary = Summarize(*id, snapshot.snapshot());
    if (!summary.ok()) return summary.status();
    page.executions.push_back(*std::move(summary));
    last = it.key();
  }
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  if (it.Valid()) page.next_page_token = ToToken(last);
  return page;
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
