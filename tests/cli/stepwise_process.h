#pragma once

// Runs the real `stepwise` binary (STEPWISE_BINARY, set by tests/CMakeLists.txt) through the
// shell and captures what it printed on stdout and on stderr, apart.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace stepwise::testing {

struct StepwiseResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline StepwiseResult RunStepwise(const std::string& args) {
  static int counter = 0;
  std::filesystem::path err_file =
      std::filesystem::temp_directory_path() /
      ("stepwise-stderr-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  std::string command = std::string(STEPWISE_BINARY) + " " + args + " 2>" + err_file.string();
  StepwiseResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::stringstream err;
  err << std::ifstream(err_file).rdbuf();
  result.err = err.str();
  std::filesystem::remove(err_file);
  return result;
}

// Quotes `text` as one shell word.
inline std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace stepwise::testing
