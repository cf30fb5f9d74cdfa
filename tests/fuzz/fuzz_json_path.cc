// libFuzzer target: JsonPath::Parse must turn ANY text into a path or an INVALID_ARGUMENT error,
// and a path must evaluate and assign without a crash, hang, exception or sanitizer report.
// Beyond not crashing, it checks the promises callers rely on (see the traps below).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "stepwise/dsl/json_path.h"

namespace {

using nlohmann::json;
using stepwise::dsl::JsonPath;

// A bit of everything, so that paths find values of every type at several depths.
const json& Document() {
  static const json* const document = new json(json::parse(R"({
    "a": {"b": {"c": [1, 2, {"d": "e"}]}, "n": null, "f": false},
    "list": [0, 1.5, -2, "s", true, null, [], {}, [[3, 4], [5]], {"k": "v", "x": 9}],
    "store": {"book": [{"price": 8.95, "tags": ["x"]}, {"price": 22.99, "isbn": "1"}],
              "bicycle": {"color": "red", "price": 19.95}},
    "a b": 1, "it's": 2, "Étoile": "☆", "foo-bar": {"": 0}, "big": 9007199254740993
  })"));
  return *document;
}

// Messages end up in JSON (diagnostics, history events): they must serialise.
void CheckMessage(const absl::Status& status) {
  if (status.message().empty()) __builtin_trap();
  (void)json(std::string(status.message())).dump();
}

void Exercise(const JsonPath& path) {
  for (const json* document : {&Document(), &Document()["list"], &Document()["a"]["n"]}) {
    auto value = path.Evaluate(*document);
    if (value.ok()) {
      if (!path.is_definite() && !value->is_array()) __builtin_trap();
      (void)value->dump();
    } else {
      // Only a definite path can fail, and only because the document lacks what it names.
      if (!path.is_definite() || value.status().code() != absl::StatusCode::kNotFound) {
        __builtin_trap();
      }
      CheckMessage(value.status());
    }
  }
  json target = Document();
  const absl::Status status = path.Assign(target, "assigned");
  if (status.ok()) {
    // What was stored is what the path now reads.
    auto back = path.Evaluate(target);
    if (!back.ok() || *back != "assigned") __builtin_trap();
  } else {
    if (status.code() != absl::StatusCode::kFailedPrecondition) __builtin_trap();
    CheckMessage(status);
    if (target != Document()) __builtin_trap();  // a failed assignment changes nothing
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto path = JsonPath::Parse(text, JsonPath::Kind::kPath);
  auto reference = JsonPath::Parse(text, JsonPath::Kind::kReferencePath);
  for (const auto* parsed : {&path, &reference}) {
    if (parsed->ok()) {
      if ((*parsed)->text() != text) __builtin_trap();
      Exercise(**parsed);
    } else {
      if (parsed->status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
      CheckMessage(parsed->status());
    }
  }
  // A reference path is a path with fewer kinds of steps.
  if (reference.ok() && (!path.ok() || !path->is_definite())) __builtin_trap();
  return 0;
}
