#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepwise/dsl/diagnostic.h"
#include "stepwise/dsl/json_path.h"
#include "stepwise/dsl/state_machine.h"

namespace stepwise::dsl::internal {

// Reads the members of one JSON object of a definition, reporting every wrong type, bad number
// or bad path to the diagnostics with the member's pointer. Accessors return nullopt when the
// member is absent or invalid (the difference is in the diagnostics).
class FieldReader {
 public:
  FieldReader(const nlohmann::json& object, std::string pointer, Diagnostics& diagnostics);

  // Reports every member not in `allowed`, naming `what` ("a Pass state") and suggesting the
  // closest allowed name. Members in `not_supported` get a "not supported yet" message instead.
  void CheckKnownFields(const std::vector<std::string_view>& allowed, std::string_view what,
                        const std::vector<std::string_view>& not_supported = {});

  bool Has(std::string_view key) const;
  const nlohmann::json* Get(std::string_view key) const;
  std::string PointerTo(std::string_view key) const;
  const std::string& pointer() const { return pointer_; }
  Diagnostics& diagnostics() { return diagnostics_; }

  void Error(std::string_view key, std::string message);

  std::optional<std::string> String(std::string_view key, bool required = false);
  std::optional<std::string> NonEmptyString(std::string_view key, bool required = false);
  // An integer in [min, max]; floats with a fractional part are rejected.
  std::optional<std::int64_t> Integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<double> Number(std::string_view key, double min, double max);
  std::optional<bool> Boolean(std::string_view key);
  // A path member, parsed as `kind`.
  std::optional<JsonPath> Path(std::string_view key, JsonPath::Kind kind);
  // Paths that default to `$` when absent and may be null (InputPath, OutputPath, ResultPath).
  std::optional<JsonPath> PathOrDefault(std::string_view key, JsonPath::Kind kind);

  // `Key` or `KeyPath`, never both.
  LiteralOrPath<std::int64_t> IntegerOrPath(std::string_view key, std::int64_t min,
                                            std::int64_t max);
  LiteralOrPath<double> NumberOrPath(std::string_view key, double min, double max);

 private:
  const nlohmann::json& object_;
  std::string pointer_;
  Diagnostics& diagnostics_;
};

// The JSON type name a user would recognise ("a string", "an array", ...), for messages.
std::string DescribeType(const nlohmann::json& value);

// `$` as a compiled path, the default of InputPath, OutputPath, ResultPath and ItemsPath.
const JsonPath& RootPath();

}  // namespace stepwise::dsl::internal
