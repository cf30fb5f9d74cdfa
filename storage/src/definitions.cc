// State machine definitions, one key per version.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "keys.h"
#include "prefix_iterator.h"
#include "record_encoding.h"
#include "rocksdb_store_impl.h"

namespace stepwise::storage {
namespace {

absl::StatusOr<engine::StoredDefinition> Decoded(std::string_view bytes, const std::string& name) {
  auto definition = DecodeDefinition(bytes);
  if (!definition.ok()) {
    return absl::DataLossError("state machine '" + name +
                               "': " + std::string(definition.status().message()));
  }
  return definition;
}

}  // namespace

absl::StatusOr<engine::StoredDefinition> RocksStore::PutDefinition(const std::string& name,
                                                                   const std::string& definition,
                                                                   std::int64_t now) {
  if (name.empty()) return absl::InvalidArgumentError("a state machine needs a name");
  // Reading the latest version and writing the next must not interleave with another Put.
  std::lock_guard lock(definitions_mutex_);
  std::int64_t latest = 0;
  auto current = GetDefinition(name, 0);
  if (current.ok()) {
    latest = current->version;
  } else if (!absl::IsNotFound(current.status())) {
    return current.status();
  }
  engine::StoredDefinition stored{name, latest + 1, definition, now};
  rocksdb::WriteBatch batch;
  batch.Put(families_.definitions, keys::Definition(name, stored.version),
            EncodeDefinition(stored));
  if (absl::Status written = Write(batch); !written.ok()) return written;
  return stored;
}

absl::StatusOr<engine::StoredDefinition> RocksStore::GetDefinition(const std::string& name,
                                                                   std::int64_t version) {
  if (version < 0) {
    return absl::InvalidArgumentError("version " + std::to_string(version) + " of state machine '" +
                                      name +
                                      "' does not exist; versions start at 1 (0: the latest)");
  }
  if (version > 0) {
    auto bytes = Get(families_.definitions, keys::Definition(name, version));
    if (!bytes.ok()) return bytes.status();
    if (!*bytes) {
      return absl::NotFoundError("state machine '" + name + "' has no version " +
                                 std::to_string(version));
    }
    return Decoded(**bytes, name);
  }
  PrefixIterator it(*db_, families_.definitions, keys::Definitions(name));
  it.SeekToLast();
  if (it.Valid()) return Decoded(it.value(), name);
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  return absl::NotFoundError("state machine '" + name + "' does not exist");
}

absl::Status RocksStore::DeleteDefinition(const std::string& name) {
  // Not racing a Put of the same name: a version written after the check would survive.
  std::lock_guard lock(definitions_mutex_);
  auto latest = GetDefinition(name, 0);
  if (!latest.ok()) return latest.status();
  std::string prefix = keys::Definitions(name);
  rocksdb::WriteBatch batch;
  batch.DeleteRange(families_.definitions, prefix, keys::PrefixEnd(prefix));
  return Write(batch);
}

absl::StatusOr<std::vector<engine::StoredDefinition>> RocksStore::ListDefinitions() {
  // Versions of one name are adjacent and ascending: the last of each run is the latest.
  PrefixIterator it(*db_, families_.definitions, "");
  std::vector<engine::StoredDefinition> latest;
  std::string previous_name;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::string name;
    std::int64_t version = 0;
    if (!keys::ParseDefinition(it.key(), name, version)) {
      return absl::DataLossError("a definition key is malformed");
    }
    auto definition = Decoded(it.value(), name);
    if (!definition.ok()) return definition.status();
    if (!latest.empty() && name == previous_name) {
      latest.back() = *std::move(definition);
    } else {
      latest.push_back(*std::move(definition));
    }
    previous_name = std::move(name);
  }
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  // Keys put shorter names first (their length comes first); callers expect names in order.
  std::sort(latest.begin(), latest.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return latest;
}

}  // namespace stepwise::storage
