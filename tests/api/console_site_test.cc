// The web console's files, served by a real server over real HTTP: the page at /, its scripts
// and styles under /console/, cache revalidation, and no token needed for files that hold no
// data. What the page shows is tested in a browser (tests/console/browser_test.mjs).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api_test_server.h"
#include "http_test_client.h"

namespace stepwise::api::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace http = boost::beast::http;

class ConsoleSiteTest : public ApiTest {
 protected:
  HttpTestClient::Response Get(
      const std::string& target,
      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return HttpTestClient(server_->http_port()).Get(target, headers);
  }
};

// Every local file a text refers to: src="/console/...", href="/console/..." and
// `from './x.js'` / `import('./x.js')` relative to `base`.
std::set<std::string> References(const std::string& text, const std::string& base) {
  std::set<std::string> found;
  static const std::regex kAttribute(R"re((?:src|href)="(/console/[^"]+)")re");
  for (std::sregex_iterator it(text.begin(), text.end(), kAttribute), end; it != end; ++it) {
    found.insert((*it)[1]);
  }
  static const std::regex kImport(R"re((?:from|import\()\s*'(\.{1,2}/[^']+)')re");
  for (std::sregex_iterator it(text.begin(), text.end(), kImport), end; it != end; ++it) {
    std::string path = base + std::string((*it)[1]);
    // Resolve "./" and "dir/../" the way a browser does.
    for (size_t at; (at = path.find("/./")) != std::string::npos;) path.erase(at, 2);
    for (size_t at; (at = path.find("/../")) != std::string::npos;) {
      size_t parent = path.rfind('/', at - 1);
      path.erase(parent, at + 3 - parent);
    }
    found.insert(path);
  }
  return found;
}

TEST_F(ConsoleSiteTest, ThePageAndEveryFileItLoadsAreServedFromTheBinary) {
  HttpTestClient::Response page = Get("/");
  ASSERT_EQ(page.result_int(), 200);
  EXPECT_EQ(page[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_THAT(page.body(), HasSubstr("<title>Stepwise</title>"));

  // Follow every reference from the page, transitively: each must be served, with its type,
  // and none may point off this server (the console works offline).
  std::set<std::string> seen;
  std::vector<std::string> pending(1, "/");
  std::map<std::string, std::string> bodies{{"/", page.body()}};
  while (!pending.empty()) {
    std::string target = pending.back();
    pending.pop_back();
    const std::string& body = bodies[target];
    // XML namespaces are names, not addresses: nothing is fetched from them.
    std::string addresses =
        std::regex_replace(body, std::regex("http://www.w3.org/[0-9a-z/]+"), "");
    EXPECT_THAT(addresses, ::testing::Not(HasSubstr("https://"))) << target;
    EXPECT_THAT(addresses, ::testing::Not(HasSubstr("http://"))) << target;
    std::string base = target.substr(0, target.rfind('/') + 1);
    for (const std::string& reference : References(body, base)) {
      if (!seen.insert(reference).second) continue;
      HttpTestClient::Response file = Get(reference);
      ASSERT_EQ(file.result_int(), 200) << reference << " referred to by " << target;
      std::string type(file[http::field::content_type]);
      std::string expected_type = reference.ends_with(".js")    ? "text/javascript; charset=utf-8"
                                  : reference.ends_with(".css") ? "text/css; charset=utf-8"
                                                                : type;
      EXPECT_EQ(type, expected_type) << reference;
      bodies[reference] = file.body();
      pending.push_back(reference);
    }
  }
  EXPECT_TRUE(seen.count("/console/js/app.js"));
  EXPECT_TRUE(seen.count("/console/js/graph_view.js"));
  EXPECT_TRUE(seen.count("/console/graph.css"));
}

TEST_F(ConsoleSiteTest, AnUnchangedFileIsRevalidatedWithoutItsBody) {
  HttpTestClient::Response first = Get("/console/js/app.js");
  ASSERT_EQ(first.result_int(), 200);
  std::string tag(first[http::field::etag]);
  EXPECT_THAT(tag, StartsWith("\""));
  EXPECT_EQ(first[http::field::cache_control], "no-cache");
  EXPECT_EQ(first["X-Content-Type-Options"], "nosniff");
  EXPECT_THAT(std::string(first["Content-Security-Policy"]), HasSubstr("default-src 'self'"));

  HttpTestClient::Response again = Get("/console/js/app.js", {{"If-None-Match", tag}});
  EXPECT_EQ(again.result_int(), 304);
  EXPECT_TRUE(again.body().empty());
  EXPECT_EQ(Get("/console/js/app.js", {{"If-None-Match", "\"other\""}}).result_int(), 200);
  // Different files, different tags.
  EXPECT_NE(std::string(Get("/console/console.css")[http::field::etag]), tag);
}

TEST_F(ConsoleSiteTest, UnknownFilesAre404AndFilesNeverReachTheDisk) {
  for (const std::string target : {"/console/nope.js", "/console/", "/console/../CMakeLists.txt",
                                   "/console/%2e%2e/api", "/index.html/x", "/console/js"}) {
    HttpTestClient::Response response = Get(target);
    EXPECT_EQ(response.result_int(), 404) << target;
    EXPECT_EQ(response[http::field::content_type], "application/json") << target;
  }
  EXPECT_EQ(Get("/console/index.html").result_int(), 200);
}

TEST_F(ConsoleSiteTest, TheFilesNeedNoTokenButTheDataDoes) {
  StopServer();
  ServerOptions options;
  options.auth_token = "s3cret";
  StartServer(options);
  EXPECT_EQ(Get("/").result_int(), 200);
  EXPECT_EQ(Get("/console/js/api.js").result_int(), 200);
  EXPECT_EQ(Get("/v1/executions").result_int(), 401);
  EXPECT_EQ(Get("/v1/executions", {{"Authorization", "Bearer s3cret"}}).result_int(), 200);
}

}  // namespace
}  // namespace stepwise::api::testing
