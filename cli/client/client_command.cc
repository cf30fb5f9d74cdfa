#include "client/client_command.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <utility>

namespace stepwise::cli::client {
namespace {

constexpr const char* kDefaultServer = "127.0.0.1:7233";

constexpr Flag kConnectionFlags[] = {
    {"--server", true}, {"--token", true}, {"--tls-ca", true}, {"--json", false}};

constexpr std::string_view kConnectionUsage = R"(
connection options (every client command):
  --server ADDR   the server's gRPC address (default $STEPWISE_SERVER, else 127.0.0.1:7233)
  --token TOKEN   send 'authorization: Bearer TOKEN' with each call (default $STEPWISE_TOKEN)
  --tls-ca FILE   connect over TLS, trusting the PEM root certificate(s) in FILE
                  (default: plaintext)
  --json          print the response in protobuf's JSON mapping (streams: one object per line)
)";

struct ParsedLine {
  ClientOptions options;
  std::vector<std::string> args;
  std::map<std::string, std::string, std::less<>> flags;
  bool help = false;
};

std::string Usage(const ClientCommand& command) {
  return std::string(command.usage) + std::string(kConnectionUsage);
}

const Flag* FindFlag(const ClientCommand& command, std::string_view name) {
  for (const Flag& flag : command.flags) {
    if (flag.name == name) return &flag;
  }
  for (const Flag& flag : kConnectionFlags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

ClientOptions DefaultOptions() {
  ClientOptions options;
  const char* server = std::getenv("STEPWISE_SERVER");
  options.server = server != nullptr && *server != '\0' ? server : kDefaultServer;
  if (const char* token = std::getenv("STEPWISE_TOKEN")) options.token = token;
  return options;
}

// Moves the connection flags out of `flags` into `options`.
std::optional<std::string> ApplyConnectionFlags(ParsedLine& line) {
  auto take = [&](std::string_view name, std::string& into) {
    auto it = line.flags.find(name);
    if (it == line.flags.end()) return;
    into = std::move(it->second);
    line.flags.erase(it);
  };
  take("--server", line.options.server);
  take("--token", line.options.token);
  take("--tls-ca", line.options.tls_ca);
  if (auto it = line.flags.find("--json"); it != line.flags.end()) {
    line.options.json = true;
    line.flags.erase(it);
  }
  if (line.options.server.empty()) return "--server needs an address, such as 127.0.0.1:7233";
  return std::nullopt;
}

std::optional<std::string> CheckArgCount(const ClientCommand& command,
                                         const std::vector<std::string>& args) {
  const std::vector<std::string_view>& names = command.arg_names;
  bool variadic = !names.empty() && names.back().ends_with("...");
  if (args.size() < names.size()) return "missing " + std::string(names[args.size()]);
  if (!variadic && args.size() > names.size()) {
    return "unexpected argument '" + args[names.size()] + "'";
  }
  return std::nullopt;
}

// Options take their value as the next argument or after '='; "--" ends the options, for a
// positional argument that starts with '-'.
std::optional<std::string> ParseLine(const ClientCommand& command,
                                     const std::vector<std::string>& args, ParsedLine& line) {
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg.size() < 2 || arg[0] != '-') {
      line.args.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      line.help = true;
      continue;
    }
    std::size_t equals = arg.find('=');
    std::string name = arg.substr(0, equals);
    const Flag* flag = FindFlag(command, name);
    if (flag == nullptr) return "unknown option '" + name + "'";
    if (line.flags.contains(name)) return name + " is given twice";
    if (!flag->takes_value) {
      if (equals != std::string::npos) return name + " takes no value";
      line.flags[name] = "";
    } else if (equals != std::string::npos) {
      line.flags[name] = arg.substr(equals + 1);
    } else if (i + 1 < args.size()) {
      line.flags[name] = args[++i];
    } else {
      return name + " needs a value";
    }
  }
  if (line.help) return std::nullopt;
  if (auto problem = ApplyConnectionFlags(line)) return problem;
  return CheckArgCount(command, line.args);
}

// A command's synopsis as its group's usage lists it: the "usage: ..." paragraph, indented by
// two spaces instead of "usage: ", its continuation lines moved left to stay aligned.
std::string Synopsis(std::string_view usage) {
  constexpr std::string_view kPrefix = "usage: ";
  constexpr std::size_t kShift = kPrefix.size() - 2;
  std::string_view paragraph = usage.substr(0, usage.find("\n\n"));
  if (paragraph.starts_with(kPrefix)) paragraph.remove_prefix(kPrefix.size());
  std::string synopsis;
  for (std::size_t start = 0; start != std::string_view::npos;) {
    std::size_t newline = paragraph.find('\n', start);
    std::string_view line = paragraph.substr(start, newline - start);
    if (start == 0) {
      synopsis += "  ";
    } else {
      line.remove_prefix(std::min(kShift, line.find_first_not_of(' ')));
    }
    synopsis += std::string(line) + "\n";
    start = newline == std::string_view::npos ? newline : newline + 1;
  }
  return synopsis;
}

}  // namespace

std::optional<std::string> Invocation::Value(std::string_view flag) const {
  auto it = flags_.find(flag);
  if (it == flags_.end()) return std::nullopt;
  return it->second;
}

int Invocation::UsageError(std::string_view message) const {
  std::cerr << "stepwise " << command_.name << ": " << message << "\n\n" << Usage(command_);
  return kExitUsage;
}

int Invocation::UsageError(const absl::Status& status) const {
  return UsageError(std::string(status.message()));
}

int RunCommand(const ClientCommand& command, const std::vector<std::string>& args) {
  ParsedLine line;
  line.options = DefaultOptions();
  std::optional<std::string> problem = ParseLine(command, args, line);
  if (line.help) {
    std::cout << Usage(command);
    return kExitOk;
  }
  if (problem) {
    std::cerr << "stepwise " << command.name << ": " << *problem << "\n\n" << Usage(command);
    return kExitUsage;
  }
  Invocation invocation(command, std::move(line.options), std::move(line.args),
                        std::move(line.flags));
  return command.run(invocation);
}

int RunGroup(std::string_view group, std::span<const ClientCommand> commands,
             const std::vector<std::string>& args) {
  std::string synopsis = "usage:\n";
  for (const ClientCommand& command : commands) synopsis += Synopsis(command.usage);
  synopsis += "\nRun 'stepwise " + std::string(group) + " <command> --help' for its options.\n";
  if (args.empty()) {
    std::cerr << "stepwise " << group << ": name a command\n\n" << synopsis;
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    std::cout << synopsis;
    return kExitOk;
  }
  std::string full_name = std::string(group) + " " + args[0];
  for (const ClientCommand& command : commands) {
    if (command.name == full_name) {
      return RunCommand(command, std::vector<std::string>(args.begin() + 1, args.end()));
    }
  }
  std::cerr << "stepwise " << group << ": unknown command '" << args[0] << "'\n\n" << synopsis;
  return kExitUsage;
}

}  // namespace stepwise::cli::client
