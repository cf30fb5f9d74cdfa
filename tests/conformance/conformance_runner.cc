// conformance_runner DIR [--filter SUBSTRING] [--jobs N] [--verbose] [--all-categories]
//                        [--known FILE]
//
// Runs every ASL conformance case under DIR (format: ../shared/conformance/README.md) on the
// in-memory runner and prints one line per failing case, then `N passed, N failed`. Exits 1 if
// any case failed other than those listed in the --known file (one case file name per line, then
// the reason after '#'), 2 on bad usage.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "conformance/case_compare.h"
#include "conformance/case_runner.h"

namespace {

namespace fs = std::filesystem;
using stepwise::conformance::Verdict;

constexpr const char* kUsage =
    "usage: conformance_runner DIR [--filter SUBSTRING] [--jobs N] [--verbose] "
    "[--all-categories] [--known FILE]\n";

// Waits are real (scaled down): a 5 s Wait takes 250 ms.
constexpr double kTimeScale = 0.05;

struct Flags {
  fs::path dir;
  std::string filter;
  unsigned jobs = 0;
  bool verbose = false;
  bool all_categories = false;
  fs::path known;
};

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--verbose") {
      flags.verbose = true;
    } else if (arg == "--all-categories") {
      flags.all_categories = true;
    } else if ((arg == "--filter" || arg == "--jobs" || arg == "--known") && i + 1 < argc) {
      std::string value = argv[++i];
      if (arg == "--filter") {
        flags.filter = value;
      } else if (arg == "--known") {
        flags.known = value;
      } else {
        flags.jobs = static_cast<unsigned>(std::strtoul(value.c_str(), nullptr, 10));
        if (flags.jobs == 0) return false;
      }
    } else if (arg.starts_with("-") || !flags.dir.empty()) {
      return false;
    } else {
      flags.dir = arg;
    }
  }
  return !flags.dir.empty();
}

// The case files to run, sorted so that reports compare across runs.
std::vector<fs::path> FindCases(const Flags& flags) {
  std::vector<fs::path> cases;
  for (const auto& entry : fs::recursive_directory_iterator(flags.dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::string path = entry.path().generic_string();
    // JSONata and variables cases belong to a later issue.
    if (!flags.all_categories && path.find("/jsonpath/") == std::string::npos) continue;
    if (!flags.filter.empty() && path.find(flags.filter) == std::string::npos) continue;
    cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

// The upstream test a case comes from: its `source` up to the parameter list, so that the ~36
// cases of one Choice-operator test weigh as one.
std::string UpstreamTest(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  nlohmann::json data = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!data.is_object()) return file.string();
  std::string source = data.value("source", file.string());
  return source.substr(0, source.find('['));
}

// The cases whose expectation no interpreter can meet (see the file for each reason).
std::set<std::string> ReadKnownDifferences(const fs::path& file) {
  std::set<std::string> names;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    line.erase(0, line.find_first_not_of(" \t"));
    if (!line.empty()) names.insert(line);
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) {
    std::cerr << kUsage;
    return 2;
  }
  if (!fs::is_directory(flags.dir)) {
    std::cerr << "conformance_runner: " << flags.dir << " is not a directory\n";
    return 2;
  }
  if (!flags.known.empty() && !fs::is_regular_file(flags.known)) {
    std::cerr << "conformance_runner: no known-differences file " << flags.known << "\n";
    return 2;
  }
  std::set<std::string> known = ReadKnownDifferences(flags.known);
  std::vector<fs::path> cases = FindCases(flags);
  // Most of a case's time is spent in scaled-down Waits, so many more threads than cores pay.
  unsigned jobs =
      flags.jobs != 0 ? flags.jobs : std::max(1u, std::thread::hardware_concurrency()) * 4;
  jobs = std::min<unsigned>(jobs, std::max<std::size_t>(cases.size(), 1));

  std::vector<Verdict> verdicts(cases.size());
  std::vector<double> seconds(cases.size());
  std::atomic<std::size_t> next{0};
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < jobs; ++j) {
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < cases.size(); i = next++) {
        auto begin = std::chrono::steady_clock::now();
        verdicts[i] = stepwise::conformance::RunCase(cases[i], kTimeScale);
        seconds[i] =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int passed = 0, failed = 0, cause_only = 0, known_failed = 0;
  std::map<std::string, bool> upstream;  // upstream test -> every case of it passed
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Verdict& v = verdicts[i];
    std::string name = cases[i].filename().string();
    bool is_known = known.count(name) > 0;
    if (v.passed) {
      ++passed;
      if (flags.verbose) std::cout << "PASS " << name << " (" << seconds[i] << " s)\n";
      if (is_known) std::cout << "NOW PASSES (drop it from the known list) " << name << "\n";
    } else {
      ++failed;
      known_failed += is_known ? 1 : 0;
      cause_only += v.cause_only ? 1 : 0;
      std::cout << (is_known ? "KNOWN " : "FAIL ") << name << ": "
                << stepwise::conformance::Truncate(v.difference, 320) << "\n";
    }
    auto [it, inserted] = upstream.emplace(UpstreamTest(cases[i]), v.passed);
    if (!inserted) it->second = it->second && v.passed;
  }
  int upstream_passed = static_cast<int>(
      std::count_if(upstream.begin(), upstream.end(), [](const auto& u) { return u.second; }));
  if (flags.verbose) std::cout << "ran " << cases.size() << " cases in " << total << " s\n";
  std::cout << "by upstream test: " << upstream_passed << " of " << upstream.size() << " passed\n";
  std::cout << passed << " passed, " << failed << " failed (" << cause_only
            << " of them on the cause only; " << known_failed << " known differences)\n";
  return failed == known_failed ? 0 : 1;
}
