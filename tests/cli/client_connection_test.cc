// The client commands' connection flags, usage errors and unreachable servers.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/client_test_server.h"

namespace stepwise::testing {
namespace {

using nlohmann::json;
using ClientConnection = ClientCommandsTest;

// A loopback port nothing listens on: bound by the kernel's choice, then released.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return 1;
  }
  close(fd);
  return ntohs(address.sin_port);
}

TEST_F(ClientConnection, PingPrintsTheServerVersion) {
  StepwiseResult pinged = RunStepwise("ping");
  ASSERT_EQ(pinged.exit_code, 0) << pinged.err;
  EXPECT_NE(pinged.out.find("stepwise server "), std::string::npos) << pinged.out;
  EXPECT_NE(pinged.out.find(address()), std::string::npos) << pinged.out;
  EXPECT_FALSE(Json("ping")["version"].get<std::string>().empty());
}

TEST_F(ClientConnection, ServerFlagOverridesTheEnvironment) {
  ::setenv("STEPWISE_SERVER", ("127.0.0.1:" + std::to_string(ClosedPort())).c_str(), 1);
  EXPECT_EQ(RunStepwise("ping").exit_code, 1);
  StepwiseResult pinged = RunStepwise("ping --server " + address());
  EXPECT_EQ(pinged.exit_code, 0) << pinged.err;
  EXPECT_EQ(RunStepwise("ping --server=" + address()).exit_code, 0);
}

TEST_F(ClientConnection, UnreachableServerIsNamedWithAHint) {
  std::string nowhere = "127.0.0.1:" + std::to_string(ClosedPort());
  for (std::string command :
       {"ping", "machine list", "exec list", "exec watch some-id", "task poll echo"}) {
    StepwiseResult result = RunStepwise(command + " --server " + nowhere);
    EXPECT_EQ(result.exit_code, 1) << command;
    EXPECT_NE(result.err.find("cannot reach the Stepwise server at " + nowhere +
                              " (is `stepwise server` running? set --server or STEPWISE_SERVER)"),
              std::string::npos)
        << command << ": " << result.err;
  }
}

TEST_F(ClientConnection, BadUsageExitsTwoWithTheCommandsUsage) {
  struct Case {
    const char* args;
    const char* says;
  };
  for (const Case& bad : {
           Case{"machine create onlyname", "missing FILE"},
           Case{"server --http-cpu-share 0", "--http-cpu-share takes a number more than 0"},
           Case{"server --http-cpu-share lots", "at most 1, not 'lots'"},
           Case{"machine list extra", "unexpected argument 'extra'"},
           Case{"machine describe m --version x", "--version 'x'"},
           Case{"machine describe m --bogus", "unknown option '--bogus'"},
           Case{"exec start m --timeout 5", "--timeout applies to --sync only"},
           Case{"exec start m --input {} --input-file f", "give the input once"},
           Case{"exec start m --sync --timeout soon", "--timeout 'soon'"},
           Case{"exec list --status LOST", "--status 'LOST'"},
           Case{"exec list --started-after yesterday", "--started-after 'yesterday'"},
           Case{"exec list --limit 0", "--limit '0'"},
           Case{"exec history id --after -1", "--after '-1'"},
           Case{"exec history", "missing ID"},
           Case{"exec start m --json=yes", "--json takes no value"},
           Case{"exec start m --name", "--name needs a value"},
           Case{"task poll", "missing FUNCTION..."},
           Case{"task succeed tok", "--output JSON is required"},
           Case{"task poll f --wait -3", "--wait '-3'"},
           Case{"exec", "name a command"},
           Case{"exec launch", "unknown command 'launch'"},
       }) {
    StepwiseResult result = RunStepwise(bad.args);
    EXPECT_EQ(result.exit_code, 2) << bad.args << ": " << result.err;
    EXPECT_NE(result.err.find(bad.says), std::string::npos) << bad.args << ": " << result.err;
    EXPECT_NE(result.err.find("usage:"), std::string::npos) << bad.args << ": " << result.err;
  }
}

TEST_F(ClientConnection, HelpPrintsTheFlagsAndExitsZero) {
  StepwiseResult help = RunStepwise("exec list --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--started-after"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--server ADDR"), std::string::npos) << help.out;
  StepwiseResult group = RunStepwise("task --help");
  EXPECT_EQ(group.exit_code, 0);
  EXPECT_NE(group.out.find("stepwise task heartbeat TOKEN"), std::string::npos) << group.out;
}

TEST_F(ClientConnection, TokenIsSentAsABearerToken) {
  StartServer({"--token", "s3cret"});
  StepwiseResult anonymous = RunStepwise("ping");
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_NE(anonymous.err.find("stepwise: ping: UNAUTHENTICATED: "), std::string::npos)
      << anonymous.err;
  EXPECT_EQ(RunStepwise("ping --token wrong").exit_code, 1);
  StepwiseResult flagged = RunStepwise("machine list --token s3cret");
  EXPECT_EQ(flagged.exit_code, 0) << flagged.err;
  ::setenv("STEPWISE_TOKEN", "s3cret", 1);
  StepwiseResult from_env = RunStepwise("ping");
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
}

TEST_F(ClientConnection, TlsWithTheServersCertificate) {
  std::string key = (dir_ / "key.pem").string();
  std::string cert = (dir_ / "cert.pem").string();
  std::string openssl =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
      "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(openssl.c_str()) != 0) GTEST_SKIP() << "openssl cannot make a certificate";
  StartServer({"--tls-cert", cert, "--tls-key", key});

  StepwiseResult secure = RunStepwise("ping --tls-ca " + cert);
  EXPECT_EQ(secure.exit_code, 0) << secure.err;
  StepwiseResult plaintext = RunStepwise("ping");
  EXPECT_EQ(plaintext.exit_code, 1) << "a plaintext client cannot talk to a TLS port";
  StepwiseResult unreadable = RunStepwise("ping --tls-ca " + (dir_ / "none.pem").string());
  EXPECT_EQ(unreadable.exit_code, 2);
  EXPECT_NE(unreadable.err.find("cannot read --tls-ca"), std::string::npos) << unreadable.err;
}

}  // namespace
}  // namespace stepwise::testing
