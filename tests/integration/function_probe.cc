// A function program for the function-worker integration tests, run by `stepwise worker`. It
// leaves evidence in a directory that the test reads afterwards:
//
//   function_probe concurrency DIR MILLIS
//       exec mode: counts the invocations running at once in DIR/counts ("running most"),
//       under an flock of DIR/lock since they are separate processes, holds for MILLIS so that
//       invocations can overlap, then echoes its input.
//   function_probe warm DIR MILLIS
//       warm mode: an instance that creates DIR/PID when it starts, answers each request line
//       after MILLIS with {"output": {"pid": PID}}, and exits at the end of its input.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>

namespace {

// An exclusive flock held for the object's lifetime.
class LockedFile {
 public:
  explicit LockedFile(const std::string& path) : fd_(open(path.c_str(), O_RDWR | O_CREAT, 0644)) {
    if (fd_ < 0 || flock(fd_, LOCK_EX) != 0) {
      std::perror(path.c_str());
      std::exit(2);
    }
  }
  ~LockedFile() { close(fd_); }  // closing releases the lock
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;

 private:
  int fd_;
};

// Adds `delta` to the running count in DIR/counts and raises the most ever seen to it.
void Count(const std::string& dir, int delta) {
  LockedFile lock(dir + "/lock");
  int running = 0;
  int most = 0;
  std::ifstream(dir + "/counts") >> running >> most;
  running += delta;
  if (running > most) most = running;
  std::ofstream(dir + "/counts", std::ios::trunc) << running << ' ' << most << '\n';
}

int Concurrency(const std::string& dir, std::chrono::milliseconds hold) {
  std::string input(std::istreambuf_iterator<char>(std::cin), {});
  Count(dir, +1);
  std::this_thread::sleep_for(hold);
  Count(dir, -1);
  std::cout << input;
  return 0;
}

int Warm(const std::string& dir, std::chrono::milliseconds serve) {
  std::string pid = std::to_string(getpid());
  std::ofstream(dir + "/" + pid).close();
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::this_thread::sleep_for(serve);
    std::cout << R"json({"output": {"pid": )json" << pid << "}}" << std::endl;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: function_probe concurrency|warm DIR MILLIS\n";
    return 2;
  }
  std::string mode = argv[1];
  std::chrono::milliseconds millis(std::atoi(argv[3]));
  if (mode == "concurrency") return Concurrency(argv[2], millis);
  if (mode == "warm") return Warm(argv[2], millis);
  std::cerr << "function_probe: unknown mode '" << mode << "'\n";
  return 2;
}
