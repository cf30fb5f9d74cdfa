#include "stepwise/dsl/payload_template.h"

#include <algorithm>
#include <utility>
#include <variant>
#include <vector>

#include "stepwise/dsl/intrinsics.h"
#include "stepwise/dsl/json_path.h"

namespace stepwise::dsl {

using nlohmann::json;

struct DynamicValue::Impl {
  std::string text;
  std::variant<JsonPath, IntrinsicCall> expression;
};

DynamicValue::DynamicValue(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<DynamicValue> DynamicValue::Parse(std::string_view text) {
  if (IntrinsicCall::LooksLikeCall(text)) {
    auto call = IntrinsicCall::Parse(text);
    if (!call.ok()) return call.status();
    return DynamicValue(std::make_shared<Impl>(Impl{std::string(text), *std::move(call)}));
  }
  if (text.empty() || text.front() != '$') {
    return absl::InvalidArgumentError("'" + std::string(text) +
                                      "' must be a path starting with '$' or an intrinsic "
                                      "function call such as States.Format(...)");
  }
  auto path = JsonPath::Parse(text);
  if (!path.ok()) return path.status();
  return DynamicValue(std::make_shared<Impl>(Impl{std::string(text), *std::move(path)}));
}

const std::string& DynamicValue::text() const { return impl_->text; }

Outcome<json> DynamicValue::Evaluate(const EvalScope& scope, std::string_view field) const {
  if (const auto* path = std::get_if<JsonPath>(&impl_->expression)) {
    const json& root = path->is_context() ? scope.context : scope.input;
    auto value = path->Evaluate(root);
    if (value.ok()) return *std::move(value);
    return StatesError{"States.Runtime", "The JSONPath '" + impl_->text +
                                             "' specified for the field '" + std::string(field) +
                                             "' could not be found in the input '" +
                                             root.dump() + "'"};
  }
  auto value = std::get<IntrinsicCall>(impl_->expression).Evaluate(scope);
  if (value.ok()) return *std::move(value);
  return StatesError{"States.IntrinsicFailure",
                     "The value of the field '" + std::string(field) + "' could not be computed: " +
                         std::string(value.status().message())};
}

// A template is a tree that mirrors the JSON it produces. Subtrees without any `.$` key are kept
// as one literal value, so that evaluation copies them in one go instead of walking them.
struct PayloadTemplate::Node {
  struct Member {
    std::string key;        // the output key (`.$` stripped)
    std::string field;      // the key as written, for error messages
    std::shared_ptr<const Node> node;
  };
  std::optional<json> literal;
  std::optional<DynamicValue> dynamic;
  std::vector<Member> object_members;
  std::vector<std::shared_ptr<const Node>> array_items;
  bool is_array = false;
};

namespace {

using Node = PayloadTemplate::Node;

bool HasDynamicKey(const json& value) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      if (key.size() >= 2 && key.ends_with(".$")) return true;
      if (HasDynamicKey(member)) return true;
    }
  } else if (value.is_array()) {
    for (const auto& item : value) {
      if (HasDynamicKey(item)) return true;
    }
  }
  return false;
}

std::shared_ptr<const Node> CompileNode(const json& value, const std::string& pointer,
                                        Diagnostics& diagnostics) {
  auto node = std::make_shared<Node>();
  if (!HasDynamicKey(value)) {
    node->literal = value;
    return node;
  }
  if (value.is_array()) {
    node->is_array = true;
    for (size_t i = 0; i < value.size(); ++i) {
      node->array_items.push_back(CompileNode(value[i], JoinPointer(pointer, i), diagnostics));
    }
    return node;
  }
  std::vector<std::string> output_keys;
  for (const auto& [key, member] : value.items()) {
    std::string member_pointer = JoinPointer(pointer, key);
    bool dynamic = key.size() >= 2 && key.ends_with(".$");
    std::string output_key = dynamic ? key.substr(0, key.size() - 2) : key;
    if (std::find(output_keys.begin(), output_keys.end(), output_key) != output_keys.end()) {
      diagnostics.Error(member_pointer, "'" + key + "' and another field both produce the key '" +
                                            output_key + "'; keep only one of them");
      continue;
    }
    output_keys.push_back(output_key);
    if (!dynamic) {
      node->object_members.push_back({output_key, key, CompileNode(member, member_pointer,
                                                                   diagnostics)});
      continue;
    }
    if (!member.is_string()) {
      diagnostics.Error(member_pointer, "the value of '" + key +
                                            "' must be a string holding a path or an intrinsic "
                                            "function call, because the key ends with '.$'");
      continue;
    }
    auto dynamic_value = DynamicValue::Parse(member.get<std::string>());
    if (!dynamic_value.ok()) {
      diagnostics.Error(member_pointer, std::string(dynamic_value.status().message()));
      continue;
    }
    auto leaf = std::make_shared<Node>();
    leaf->dynamic = *std::move(dynamic_value);
    node->object_members.push_back({output_key, key, std::move(leaf)});
  }
  return node;
}

Outcome<json> EvaluateNode(const Node& node, const EvalScope& scope, std::string_view field) {
  if (node.literal) return *node.literal;
  if (node.dynamic) return node.dynamic->Evaluate(scope, field);
  if (node.is_array) {
    json out = json::array();
    for (const auto& item : node.array_items) {
      auto value = EvaluateNode(*item, scope, field);
      if (!value.ok()) return value.error();
      out.push_back(std::move(value).value());
    }
    return out;
  }
  json out = json::object();
  for (const auto& member : node.object_members) {
    auto value = EvaluateNode(*member.node, scope, member.field);
    if (!value.ok()) return value.error();
    out[member.key] = std::move(value).value();
  }
  return out;
}

}  // namespace

PayloadTemplate::PayloadTemplate(std::shared_ptr<const Node> root) : root_(std::move(root)) {}

std::optional<PayloadTemplate> PayloadTemplate::Compile(const json& tmpl,
                                                        const std::string& pointer,
                                                        Diagnostics& diagnostics) {
  int errors_before = diagnostics.error_count();
  auto root = CompileNode(tmpl, pointer, diagnostics);
  if (diagnostics.error_count() != errors_before) return std::nullopt;
  return PayloadTemplate(std::move(root));
}

Outcome<json> PayloadTemplate::Evaluate(const EvalScope& scope) const {
  return EvaluateNode(*root_, scope, "");
}

}  // namespace stepwise::dsl
