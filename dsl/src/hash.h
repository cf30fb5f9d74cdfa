#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stepwise::dsl::internal {

// The digests States.Hash offers. Written here rather than taken from OpenSSL because the dsl
// module may depend on nlohmann/json and abseil only; inputs are small (at most 10,000
// characters), so one-shot hashing of a whole string is all that is needed.
enum class HashAlgorithm { kMd5, kSha1, kSha256, kSha384, kSha512 };

// The algorithm called `name` as States.Hash spells it ("MD5", "SHA-1", "SHA-256", "SHA-384",
// "SHA-512"; case-sensitive), or nullopt.
std::optional<HashAlgorithm> HashAlgorithmNamed(std::string_view name);

// The names HashAlgorithmNamed accepts, for "did you mean" suggestions.
const std::vector<std::string_view>& HashAlgorithmNames();

// The digest of `data` as raw bytes (16, 20, 32, 48 or 64 of them).
std::string Digest(HashAlgorithm algorithm, std::string_view data);

// The digest as lowercase hexadecimal, which is what States.Hash returns.
std::string HexDigest(HashAlgorithm algorithm, std::string_view data);

}  // namespace stepwise::dsl::internal
