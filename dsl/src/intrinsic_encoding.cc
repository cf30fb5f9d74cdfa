// States.Base64Encode, States.Base64Decode and States.Hash. All three work on the UTF-8 bytes of
// their string argument.

#include "base64.h"
#include "hash.h"
#include "intrinsic_functions.h"
#include "utf8.h"

namespace stepwise::dsl::internal {

using nlohmann::json;

absl::StatusOr<json> EvaluateBase64Encode(const Invocation& call) {
  return Base64Encode(call.args[0].get_ref<const std::string&>());
}

absl::StatusOr<json> EvaluateBase64Decode(const Invocation& call) {
  auto bytes = Base64Decode(call.args[0].get_ref<const std::string&>());
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(ArgumentName(call.function, 0) + " is not valid Base64: " +
                                      std::string(bytes.status().message()));
  }
  // The result is a JSON string, which can only hold text: binary data has no faithful form.
  if (auto bad = FindInvalidUtf8(*bytes)) {
    return absl::InvalidArgumentError(ArgumentName(call.function, 0) +
                                      " decodes to bytes that are not UTF-8 text (at byte " +
                                      std::to_string(*bad) + "), and the result must be a string");
  }
  return *std::move(bytes);
}

absl::StatusOr<json> EvaluateHash(const Invocation& call) {
  // The algorithm name was checked against the same list.
  const auto algorithm = HashAlgorithmNamed(call.args[1].get_ref<const std::string&>());
  return HexDigest(algorithm.value_or(HashAlgorithm::kSha256),
                   call.args[0].get_ref<const std::string&>());
}

}  // namespace stepwise::dsl::internal
