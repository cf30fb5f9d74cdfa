// Functions' registered limits, one key each in the default family, so that a registration
// outlives the server process.
#include <string>
#include <vector>

#include "keys.h"
#include "prefix_iterator.h"
#include "record_encoding.h"
#include "rocksdb_store_impl.h"

namespace stepwise::storage {

absl::Status RocksStore::PutFunction(const engine::FunctionLimits& limits) {
  if (limits.name.empty()) return absl::InvalidArgumentError("a function needs a name");
  rocksdb::WriteBatch batch;
  batch.Put(families_.meta, keys::kFunctionsPrefix + limits.name, EncodeFunction(limits));
  return Write(batch);
}

absl::StatusOr<std::vector<engine::FunctionLimits>> RocksStore::ListFunctions() {
  PrefixIterator it(*db_, families_.meta, keys::kFunctionsPrefix);
  std::vector<engine::FunctionLimits> functions;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    auto limits = DecodeFunction(it.value());
    if (!limits.ok()) {
      return absl::DataLossError("function '" + std::string(it.rest()) +
                                 "': " + std::string(limits.status().message()));
    }
    functions.push_back(*std::move(limits));
  }
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  return functions;
}

}  // namespace stepwise::storage
