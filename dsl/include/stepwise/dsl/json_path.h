#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace stepwise::dsl {

// A JSONPath expression as the States Language uses it, parsed once.
//
// Supported: `$` and `$$` (the context object), dot and bracket member access
// (`$.a.b`, `$['a b']`), array indexes (negative from the end), slices `[start:end:step]`,
// unions `[0,2]` / `['a','b']`, wildcards `.*` / `[*]`, recursive descent `..name` / `..*`,
// and filters `[?(@.price < 10 && @.tags)]` with ==, !=, <, <=, >, >=, &&, ||, !, parentheses,
// and string, number, boolean and null literals.
class JsonPath {
 public:
  enum class Kind {
    kPath,           // any path (InputPath, `.$` fields, ItemsPath, Choice Variable, ...)
    kReferencePath,  // a path that names a single node: only member access and array indexes
                     // (ResultPath, and the fields the spec calls Reference Paths)
  };

  // Parses `text`. The error message says what is wrong and where in the text, e.g.
  // "unexpected ']' at offset 4 in '$.a[]'".
  static absl::StatusOr<JsonPath> Parse(std::string_view text, Kind kind = Kind::kPath);

  const std::string& text() const;
  bool is_context() const;   // starts with `$$`: evaluate against the context object
  bool is_definite() const;  // selects at most one node (no wildcard, slice, union, filter, ..)

  // The value of the path in `root` (which is the input or the context object: the caller
  // chooses by `is_context()`). A definite path yields the node itself, or NOT_FOUND when it is
  // missing, with a message such as "Missing property in path $['a']". An indefinite path yields
  // an array of every match in document order (possibly empty).
  absl::StatusOr<nlohmann::json> Evaluate(const nlohmann::json& root) const;

  // Reference paths only: stores `value` at this path inside `target`, creating missing object
  // members on the way. `$` replaces `target` entirely. FAILED_PRECONDITION when a node on the
  // way is not an object (or an index is out of range), with a message saying which.
  absl::Status Assign(nlohmann::json& target, nlohmann::json value) const;

  JsonPath(const JsonPath&);
  JsonPath& operator=(const JsonPath&);
  JsonPath(JsonPath&&) noexcept;
  JsonPath& operator=(JsonPath&&) noexcept;
  ~JsonPath();

  struct Impl;  // the parsed segments; defined in json_path.cc

 private:
  explicit JsonPath(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;  // immutable, so copies share it
};

}  // namespace stepwise::dsl
