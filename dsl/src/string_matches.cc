#include "string_matches.h"

namespace stepwise::dsl::internal {

GlobPattern GlobPattern::Parse(std::string_view pattern, bool* stray_backslash) {
  GlobPattern result;
  result.pieces_.emplace_back();
  bool stray = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '*') {
      result.pieces_.emplace_back();
    } else if (c == '\\' && i + 1 < pattern.size() &&
               (pattern[i + 1] == '*' || pattern[i + 1] == '\\')) {
      result.pieces_.back().push_back(pattern[++i]);
    } else {
      stray = stray || c == '\\';
      result.pieces_.back().push_back(c);
    }
  }
  if (stray_backslash != nullptr) *stray_backslash = stray;
  return result;
}

bool GlobPattern::Matches(std::string_view text) const {
  if (pieces_.size() == 1) return text == pieces_.front();
  // The first piece is anchored at the start and the last at the end; they must not overlap.
  const std::string& head = pieces_.front();
  const std::string& tail = pieces_.back();
  if (text.size() < head.size() + tail.size()) return false;
  if (!text.starts_with(head) || !text.ends_with(tail)) return false;
  std::string_view middle = text.substr(head.size(), text.size() - head.size() - tail.size());
  for (size_t i = 1; i + 1 < pieces_.size(); ++i) {
    size_t at = middle.find(pieces_[i]);
    if (at == std::string_view::npos) return false;
    middle.remove_prefix(at + pieces_[i].size());
  }
  return true;
}

}  // namespace stepwise::dsl::internal
