#include "json_text.h"

#include <set>
#include <string>
#include <vector>

namespace stepwise::dsl::internal {
namespace {

using nlohmann::json;

// Where the parser is: one frame per open object or array, holding the position of the child
// being parsed, so that a duplicate key can be reported with its JSON Pointer.
class PositionTracker {
 public:
  explicit PositionTracker(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  bool OnEvent(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        frames_.push_back(Frame{true, {}, "", 0});
        break;
      case json::parse_event_t::array_start:
        frames_.push_back(Frame{false, {}, "", 0});
        break;
      case json::parse_event_t::key: {
        Frame& frame = frames_.back();
        frame.key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.key).second) {
          diagnostics_.Error(CurrentPointer(),
                             "the key '" + frame.key + "' appears more than once in this object");
        }
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        ChildDone();
        break;
      case json::parse_event_t::value:
        ChildDone();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_object;
    std::set<std::string> keys;
    std::string key;
    size_t index;
  };

  void ChildDone() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }

  std::string CurrentPointer() const {
    std::string pointer;
    for (const Frame& frame : frames_) {
      pointer =
          frame.is_object ? JoinPointer(pointer, frame.key) : JoinPointer(pointer, frame.index);
    }
    return pointer;
  }

  Diagnostics& diagnostics_;
  std::vector<Frame> frames_;
};

}  // namespace

std::optional<json> ParseJsonText(std::string_view text, Diagnostics& diagnostics) {
  PositionTracker tracker(diagnostics);
  try {
    return json::parse(
        text.begin(), text.end(),
        [&tracker](int, json::parse_event_t event, json& parsed) {
          return tracker.OnEvent(event, parsed);
        },
        /*allow_exceptions=*/true);
  } catch (const json::parse_error& error) {
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1, ...";
    // keep the part after the last ": " that names what was expected.
    std::string what = error.what();
    size_t detail = what.rfind("; ");
    std::string reason = detail == std::string::npos ? what : what.substr(detail + 2);
    diagnostics.Error("", "the definition is not valid JSON: " + reason + " at " +
                              dsl::LineAndColumn(text, error.byte));
  } catch (const json::exception& error) {
    diagnostics.Error("", std::string("the definition is not valid JSON: ") + error.what());
  }
  return std::nullopt;
}

}  // namespace stepwise::dsl::internal

namespace stepwise::dsl {

std::string LineAndColumn(std::string_view text, size_t byte) {
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace stepwise::dsl
