#include "stepwise/dsl/intrinsics.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "closest_match.h"
#include "intrinsic_functions.h"
#include "intrinsic_parser.h"
#include "stepwise/dsl/json_path.h"

namespace stepwise::dsl {
namespace {

using internal::FunctionSpec;
using internal::IntrinsicArgSyntax;
using internal::IntrinsicCallSyntax;
using nlohmann::json;

struct CallNode;

// A path argument, compiled once.
struct PathNode {
  std::string text;
  JsonPath path;
};

// An argument after binding: a constant (a literal, or a call on literals computed at parse
// time), a path, or a call that must be evaluated each time.
using ArgNode = std::variant<json, PathNode, std::shared_ptr<const CallNode>>;

struct CallNode {
  const FunctionSpec* function = nullptr;
  std::vector<ArgNode> args;
  // States.Format with a literal template: the template split at its placeholders.
  std::optional<std::vector<std::string>> template_pieces;
};

absl::StatusOr<json> EvaluateCall(const CallNode& call, const EvalScope& scope);

absl::StatusOr<json> EvaluateArg(const CallNode& call, size_t index, const EvalScope& scope) {
  const ArgNode& arg = call.args[index];
  if (const auto* constant = std::get_if<json>(&arg)) return *constant;
  if (const auto* path = std::get_if<PathNode>(&arg)) {
    auto value = path->path.Evaluate(path->path.is_context() ? scope.context : scope.input);
    if (value.ok()) return value;
    // Keep the code (NOT_FOUND for a path that matches nothing) and JsonPath's message; say
    // which argument it was.
    return absl::Status(value.status().code(), internal::ArgumentName(call.function->name, index) +
                                                   " (" + path->text +
                                                   "): " + std::string(value.status().message()));
  }
  return EvaluateCall(*std::get<std::shared_ptr<const CallNode>>(arg), scope);
}

absl::StatusOr<json> EvaluateCall(const CallNode& call, const EvalScope& scope) {
  internal::Invocation invocation{
      .function = call.function->name,
      .args = {},
      .scope = scope,
      .template_pieces = call.template_pieces ? &*call.template_pieces : nullptr};
  invocation.args.reserve(call.args.size());
  for (size_t i = 0; i < call.args.size(); ++i) {
    auto value = EvaluateArg(call, i, scope);
    if (!value.ok()) return value.status();
    if (auto status = internal::CheckArgument(*call.function, i, *value); !status.ok()) {
      return status;
    }
    invocation.args.push_back(*std::move(value));
  }
  return call.function->body(invocation);
}

// Turns syntax into a CallNode: looks the function up, checks the argument count, every literal
// argument against the function's rules, and every path.
absl::StatusOr<std::shared_ptr<const CallNode>> Bind(const IntrinsicCallSyntax& syntax) {
  auto call = std::make_shared<CallNode>();
  call->function = internal::FindIntrinsic(syntax.name);
  if (call->function == nullptr) {
    return absl::InvalidArgumentError(
        "unknown intrinsic function '" + syntax.name + "'" +
        internal::DidYouMean(syntax.name, internal::IntrinsicNames()));
  }
  const FunctionSpec& function = *call->function;
  if (auto status = internal::CheckArgumentCount(function, syntax.args.size()); !status.ok()) {
    return status;
  }

  for (size_t i = 0; i < syntax.args.size(); ++i) {
    const IntrinsicArgSyntax& arg = syntax.args[i];
    switch (arg.kind) {
      case IntrinsicArgSyntax::Kind::kLiteral: {
        if (auto status = internal::CheckArgument(function, i, arg.literal); !status.ok()) {
          return status;
        }
        call->args.emplace_back(arg.literal);
        break;
      }
      case IntrinsicArgSyntax::Kind::kPath: {
        auto path = JsonPath::Parse(arg.path);
        if (!path.ok()) {
          return absl::InvalidArgumentError(internal::ArgumentName(function.name, i) + ": " +
                                            std::string(path.status().message()));
        }
        call->args.emplace_back(PathNode{arg.path, *std::move(path)});
        break;
      }
      case IntrinsicArgSyntax::Kind::kCall: {
        auto nested = Bind(*arg.call);
        if (!nested.ok()) return nested.status();
        call->args.emplace_back(*std::move(nested));
        break;
      }
    }
  }

  // A literal template is split by the parser, which alone knows which braces were escaped.
  if (function.body == &internal::EvaluateFormat &&
      syntax.args[0].kind == IntrinsicArgSyntax::Kind::kLiteral) {
    call->template_pieces = syntax.args[0].pieces;
    if (auto status = internal::CheckFormatPlaceholders(call->template_pieces->size() - 1,
                                                        syntax.args.size() - 1);
        !status.ok()) {
      return status;
    }
  }
  return call;
}

// Replaces calls on constants by their value, innermost first, so that evaluation does not redo
// them and `States.ArrayRange(1, 5000, 1)` fails when the state machine is compiled rather than
// when it runs. Only pure functions qualify: States.UUID and States.MathRandom vary by design.
absl::StatusOr<ArgNode> Fold(std::shared_ptr<const CallNode> call) {
  auto folded = std::make_shared<CallNode>(*call);
  bool all_constant = true;
  for (ArgNode& arg : folded->args) {
    if (auto* nested = std::get_if<std::shared_ptr<const CallNode>>(&arg)) {
      auto value = Fold(*nested);
      if (!value.ok()) return value.status();
      arg = *std::move(value);
    }
    if (!std::holds_alternative<json>(arg)) all_constant = false;
  }
  if (!all_constant || !folded->function->pure) return std::shared_ptr<const CallNode>(folded);
  static const json kNothing;
  auto value = EvaluateCall(*folded, EvalScope{kNothing, kNothing, {}});
  if (!value.ok()) return value.status();
  return *std::move(value);
}

}  // namespace

struct IntrinsicCall::Impl {
  ArgNode root;  // a CallNode, or the value of a call on constants
};

IntrinsicCall::IntrinsicCall(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

bool IntrinsicCall::LooksLikeCall(std::string_view text) { return text.starts_with("States."); }

absl::StatusOr<IntrinsicCall> IntrinsicCall::Parse(std::string_view text) {
  auto syntax = internal::ParseIntrinsicSyntax(text);
  if (!syntax.ok()) return syntax.status();
  auto bound = Bind(*syntax);
  if (!bound.ok()) return bound.status();
  auto root = Fold(*std::move(bound));
  if (!root.ok()) return root.status();
  return IntrinsicCall(std::make_shared<const Impl>(Impl{*std::move(root)}));
}

absl::StatusOr<json> IntrinsicCall::Evaluate(const EvalScope& scope) const {
  if (const auto* constant = std::get_if<json>(&impl_->root)) return *constant;
  return EvaluateCall(*std::get<std::shared_ptr<const CallNode>>(impl_->root), scope);
}

}  // namespace stepwise::dsl
