#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stepwise::dsl::internal {

// A StringMatches pattern: `*` matches any run of characters (also none), `\*` a literal star and
// `\\` a literal backslash; everything else matches itself. Parsed once at compile time.
//
// Matching needs no regex and cannot blow up: with `*` as the only wildcard, taking the leftmost
// occurrence of each literal piece between two stars is always right (a later occurrence only
// leaves less text for the pieces after it), so one left-to-right pass decides, in at most
// |text| x |pattern| character comparisons.
class GlobPattern {
 public:
  // `stray_backslash` is set when a backslash escapes neither `*` nor `\` (or ends the
  // pattern); such a backslash is kept as a literal character, which the compiler warns about.
  static GlobPattern Parse(std::string_view pattern, bool* stray_backslash = nullptr);

  bool Matches(std::string_view text) const;

 private:
  // The literal text around the unescaped stars: one piece more than there are stars, so a
  // pattern without stars is a single piece that must equal the whole text.
  std::vector<std::string> pieces_;
};

}  // namespace stepwise::dsl::internal
