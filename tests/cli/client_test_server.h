#pragma once

// A real `stepwise server` subprocess (temp data dir, free 127.0.0.1 ports) for the client
// command tests, which then drive the real `stepwise` binary against it.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/stepwise_process.h"
#include "integration/child_process.h"

namespace stepwise::testing {

constexpr const char* kListeningPrefix = "stepwise server listening: ";

// `stepwise server` on ports chosen by the kernel; stopped with SIGTERM by Stop() or on
// destruction.
class ServerProcess {
 public:
  ServerProcess(const std::string& data_dir, const std::vector<std::string>& extra_args) {
    std::vector<std::string> argv = {STEPWISE_BINARY, "server",      "--data", data_dir,
                                     "--grpc",        "127.0.0.1:0", "--http", "127.0.0.1:0"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    child_ = std::make_unique<ChildProcess>(argv, ChildProcess::Options{});
    if (!child_->ok()) {
      error_ = child_->error();
      return;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::optional<std::string> line = child_->ReadLineStartingWith(kListeningPrefix, deadline);
    if (!line) {
      error_ = "the server printed no '" + std::string(kListeningPrefix) + "' line (" +
               (child_->eof() ? "it exited" : "timed out") + ")";
      return;
    }
    // "... grpc 127.0.0.1:PORT http 127.0.0.1:PORT"
    std::size_t grpc = line->find("grpc ");
    if (grpc == std::string::npos) {
      error_ = "no gRPC address in '" + *line + "'";
      return;
    }
    std::size_t start = grpc + 5;
    grpc_address_ = line->substr(start, line->find(' ', start) - start);
  }

  ~ServerProcess() { Stop(); }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& grpc_address() const { return grpc_address_; }

  // SIGTERM (a graceful shutdown), then the wait status.
  int Stop() {
    if (!child_ || child_->pid() <= 0) return stopped_status_;
    ::kill(child_->pid(), SIGTERM);
    stopped_status_ = child_->Wait();
    return stopped_status_;
  }

 private:
  std::unique_ptr<ChildProcess> child_;
  std::string error_;
  std::string grpc_address_;
  int stopped_status_ = 0;
};

// A server for each test, and STEPWISE_SERVER pointing at it so that every `stepwise` command
// the test runs finds it (the --server flag is tested on its own).
class ClientCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "stepwise-client-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ::unsetenv("STEPWISE_TOKEN");
    StartServer({});
  }

  void TearDown() override {
    if (server_) {
      int status = server_->Stop();
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << "the server did not shut down cleanly: " << ChildProcess::Describe(status);
    }
    ::unsetenv("STEPWISE_SERVER");
    ::unsetenv("STEPWISE_TOKEN");
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void StartServer(const std::vector<std::string>& extra_args) {
    server_.reset();
    server_ = std::make_unique<ServerProcess>((dir_ / "data").string(), extra_args);
    ASSERT_TRUE(server_->ok()) << server_->error();
    ::setenv("STEPWISE_SERVER", server_->grpc_address().c_str(), 1);
  }

  // Writes `content` to a file in the test's directory and returns its path, shell-quoted.
  std::string File(const std::string& name, const std::string& content) {
    std::filesystem::path path = dir_ / name;
    std::ofstream(path) << content;
    return ShellQuote(path.string());
  }

  // `stepwise machine create NAME` with `definition`, expected to succeed.
  void CreateMachine(const std::string& name, const std::string& definition) {
    StepwiseResult created =
        RunStepwise("machine create " + name + " " + File(name + ".asl.json", definition));
    ASSERT_EQ(created.exit_code, 0) << created.err;
  }

  // `stepwise ARGS --json`, its stdout parsed (null, and a test failure, when it is not JSON).
  nlohmann::json Json(const std::string& args) {
    StepwiseResult result = RunStepwise(args + " --json");
    EXPECT_EQ(result.exit_code, 0) << args << ": " << result.err;
    nlohmann::json parsed = nlohmann::json::parse(result.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << args << " printed no JSON: " << result.out;
    return parsed.is_discarded() ? nlohmann::json() : parsed;
  }

  const std::string& address() const { return server_->grpc_address(); }

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
};

constexpr const char* kPassMachine = R"json({"StartAt": "Greet", "States": {
  "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hi {}', $.who)"},
            "End": true}}})json";

constexpr const char* kFailMachine = R"json({"StartAt": "Boom", "States": {
  "Boom": {"Type": "Fail", "Error": "Custom.Boom", "Cause": "on purpose"}}})json";

// A Task no built-in worker serves: the test plays the worker with `stepwise task`.
constexpr const char* kEchoMachine = R"json({"StartAt": "Echo", "States": {
  "Echo": {"Type": "Task", "Resource": "function:echo", "End": true}}})json";

// Two errors: a StartAt and a Next naming states that do not exist.
constexpr const char* kBadMachine = R"json({"StartAt": "Missing", "States": {
  "A": {"Type": "Pass", "Next": "Nowhere"}}})json";

}  // namespace stepwise::testing
