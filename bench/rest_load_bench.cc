// rest_load_bench: what serving the REST API costs the engine (issue 8). Executions run start to
// finish from 64 gRPC clients in windows that alternate between quiet ones and ones in which an
// HTTP client reads `/v1/executions?limit=100` and `/metrics` in a loop, as a console and a
// Prometheus scraping too often would. See bench/README.md.
//
//   rest_load_bench [--dir DIR] [--quick] [--seconds S] [--rounds N] [--keep]

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "bench_report.h"
#include "grpc_bench_support.h"

// GCC 12 with -fsanitize=address,undefined wrongly reports -Wmaybe-uninitialized on a
// boost::optional inside Beast's response parser, which only clients instantiate.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

namespace stepwise::bench {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;

constexpr int kClients = 64;

constexpr const char* kUsage =
    "usage: rest_load_bench [--dir DIR] [--quick] [--seconds S] [--rounds N] [--keep]\n"
    "  --dir DIR    where the database goes (default: a new directory under the build tree)\n"
    "  --quick      a smoke run: one round of 0.5 s windows\n"
    "  --seconds S  length of each measuring window (default 3)\n"
    "  --rounds N   windows of each kind, interleaved (default 3)\n"
    "  --keep       keep the database afterwards\n";

// One HTTP client reading the REST API in a loop on a thread of its own, over one keep-alive
// connection, until stopped: the load.
class RestReader {
 public:
  explicit RestReader(int port) : port_(port) {}

  void Start() {
    stop_ = false;
    thread_ = std::thread([this] { Loop(); });
  }
  void Stop() {
    stop_ = true;
    thread_.join();
  }
  std::int64_t requests() const { return requests_; }
  const std::string& error() const { return error_; }

 private:
  void Loop() {
    try {
      net::io_context io;
      boost::beast::tcp_stream stream(io);
      stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                            static_cast<unsigned short>(port_)));
      timeval timeout{.tv_sec = 10, .tv_usec = 0};
      setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout,
                 sizeof timeout);
      boost::beast::flat_buffer buffer;
      for (std::int64_t n = 0; !stop_; ++n) {
        http::request<http::empty_body> request(
            http::verb::get, n % 2 == 0 ? "/v1/executions?limit=100" : "/metrics", 11);
        request.set(http::field::host, "127.0.0.1");
        http::write(stream, request);
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        if (response.result() != http::status::ok) {
          error_ = std::string(request.target()) + " answered " +
                   std::to_string(response.result_int()) + ": " + response.body();
          return;
        }
        ++requests_;
      }
    } catch (const std::exception& failure) {
      error_ = failure.what();
    }
  }

  const int port_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> requests_{0};
  std::string error_;
  std::thread thread_;
};

int Run(const BenchFlags& flags) {
  Report report;
  auto server = StartBenchServer("rest_load_bench", flags, report);
  if (!server.ok()) {
    std::fprintf(stderr, "rest_load_bench: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::string address = GrpcAddress(**server);
  if (grpc::Status created = CreateMachine(address, "short", kShortWorkflow); !created.ok()) {
    std::fprintf(stderr, "rest_load_bench: %s\n", created.error_message().c_str());
    return 1;
  }
  Clients clients(address, kClients);
  RestReader reader((*server)->http_port());
  Progress("warming up");
  CallFigures warmup;
  Drive(kClients, 0.5, RunShort(clients, "warm"), warmup);

  CallFigures quiet, loaded;
  double read_seconds = 0;
  std::int64_t tag = 0;
  for (int round = 0; round < flags.rounds; ++round) {
    Progress(Format("round %d of %d", round + 1, flags.rounds));
    Drive(kClients, flags.seconds, RunShort(clients, "q" + std::to_string(tag++)), quiet);
    auto began = SteadyClock::now();
    reader.Start();
    Drive(kClients, flags.seconds, RunShort(clients, "l" + std::to_string(tag++)), loaded);
    reader.Stop();
    read_seconds += std::chrono::duration<double>(SteadyClock::now() - began).count();
    if (!reader.error().empty()) {
      std::fprintf(stderr, "rest_load_bench: the REST client failed: %s\n", reader.error().c_str());
      return 1;
    }
  }

  report.Note(
      "executions: 3 Pass states each, run start to finish with StartSyncExecution by 64 gRPC "
      "clients; the REST client reads /v1/executions?limit=100 and /metrics alternately, one "
      "request at a time over one keep-alive connection; all on this machine's cores");
  report.Row("1 executions/s, quiet", Describe(quiet));
  report.Row("2 executions/s, while the REST client reads", Describe(loaded));
  report.Row("2   REST requests answered",
             Format("%.0f/s", read_seconds > 0 ? reader.requests() / read_seconds : 0));
  double loss = quiet.PerSecond() > 0 ? 1 - loaded.PerSecond() / quiet.PerSecond() : 1;
  report.Check(
      "3 engine throughput lost to the REST client",
      Format("%.1f%%  (%.0f/s of %.0f/s)", loss * 100, loaded.PerSecond(), quiet.PerSecond()),
      "< 10%", loss < 0.10);
  FinishBench(*std::move(server), report, flags);
  return 0;
}

}  // namespace
}  // namespace stepwise::bench

int main(int argc, char** argv) {
  using namespace stepwise::bench;
  BenchFlags flags;
  if (!ParseBenchFlags(argc, argv, "rest-load-bench", kUsage, {"rest"}, flags)) return 2;
  return Run(flags);
}
