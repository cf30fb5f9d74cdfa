#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stepwise::dsl::internal {

// The candidate closest to `word` by edit distance, if it is close enough to be a plausible typo
// ("Nxet" -> "Next"). Used to turn "unknown field" into "did you mean ...?".
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string_view>& candidates);

// " (did you mean 'X'?)" or "".
std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace stepwise::dsl::internal
