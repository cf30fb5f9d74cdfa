#include "api/rest/routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace stepwise::api {
namespace {

namespace http = boost::beast::http;

HttpResponse Get(const std::string& target) {
  return Route(HttpRequest(http::verb::get, target, 11));
}

TEST(RouteTest, HealthzIgnoresTheQueryString) {
  HttpResponse response = Get("/healthz?verbose=1");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response.body(), R"({"status":"ok"})");
}

TEST(RouteTest, NotFoundNamesThePath) {
  HttpResponse response = Get("/healthz/extra");
  EXPECT_EQ(response.result(), http::status::not_found);
  EXPECT_EQ(nlohmann::json::parse(response.body()),
            nlohmann::json({{"error", "NotFound"}, {"message", "no resource at /healthz/extra"}}));
}

TEST(RouteTest, BytesThatAreNotUtf8InThePathDoNotBreakTheJson) {
  HttpResponse response = Get("/\xff\xfe");
  EXPECT_EQ(response.result(), http::status::not_found);
  EXPECT_NO_THROW(nlohmann::json::parse(response.body()));
}

TEST(RouteTest, SetsContentLength) {
  HttpResponse response = Get("/healthz");
  EXPECT_EQ(response[http::field::content_length], std::to_string(response.body().size()));
}

}  // namespace
}  // namespace stepwise::api
