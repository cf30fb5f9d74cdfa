#pragma once

// The frame every gRPC client subcommand (`stepwise machine ...`, `exec ...`, `task ...`,
// `ping`) runs in: it parses the command line against the subcommand's flags plus the common
// connection flags, prints usage on bad input, and hands the subcommand an Invocation.
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace stepwise::cli::client {

// Exit codes shared by every subcommand (see commands.h).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// How to reach the server: the common flags, with their environment defaults applied.
struct ClientOptions {
  std::string server;  // --server, $STEPWISE_SERVER, else 127.0.0.1:7233
  std::string token;   // --token, $STEPWISE_TOKEN; empty: no authorization metadata
  std::string tls_ca;  // --tls-ca: a PEM root certificate; empty: plaintext
  bool json = false;   // --json: print responses in protobuf's JSON mapping
};

struct Flag {
  std::string_view name;  // "--name"
  bool takes_value;       // else a switch
};

class Invocation;

struct ClientCommand {
  std::string_view name;  // "machine create", as the usage and error messages name it
  // The positional arguments, all required: {"NAME", "FILE"}. A last name ending in "..."
  // ("FUNCTION...") takes one or more.
  std::vector<std::string_view> arg_names;
  std::vector<Flag> flags;
  // "usage: stepwise ..." and what the command does and its own flags; the connection flags'
  // usage is appended. Its first line is the synopsis the group's usage lists.
  std::string_view usage;
  std::function<int(const Invocation&)> run;
};

// One parsed command line of one subcommand.
class Invocation {
 public:
  Invocation(const ClientCommand& command, ClientOptions options, std::vector<std::string> args,
             std::map<std::string, std::string, std::less<>> flags)
      : command_(command),
        options_(std::move(options)),
        args_(std::move(args)),
        flags_(std::move(flags)) {}

  const ClientOptions& options() const { return options_; }
  std::string_view name() const { return command_.name; }
  // Positional arguments, in order.
  const std::vector<std::string>& args() const { return args_; }
  bool Has(std::string_view flag) const { return flags_.contains(flag); }
  // The value given to a flag that takes one; nullopt when it was not given.
  std::optional<std::string> Value(std::string_view flag) const;

  // For a problem the flag parser cannot see (a bad number, a missing companion flag): prints
  // "stepwise NAME: MESSAGE" and the usage on stderr, and returns kExitUsage.
  int UsageError(std::string_view message) const;
  // The same with the message of a value parser's error (see argument_values.h).
  int UsageError(const absl::Status& status) const;

 private:
  const ClientCommand& command_;
  ClientOptions options_;
  std::vector<std::string> args_;
  std::map<std::string, std::string, std::less<>> flags_;
};

// Runs `stepwise GROUP SUBCOMMAND ARGS...`: args[0] names one of `commands` (whose names all
// start with "GROUP "). Unknown or missing subcommands print the group's synopsis.
int RunGroup(std::string_view group, std::span<const ClientCommand> commands,
             const std::vector<std::string>& args);

// Runs one command with `args` (everything after its name).
int RunCommand(const ClientCommand& command, const std::vector<std::string>& args);

}  // namespace stepwise::cli::client
