#include "api/console/console_site.h"

#include <boost/beast/http/field.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "api/console/console_files.h"

namespace stepwise::api {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPagePath = "index.html";

std::string_view ContentTypeOf(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) { return path.ends_with(suffix); };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js") || ends_with(".mjs")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".json")) return "application/json";
  if (ends_with(".png")) return "image/png";
  return "application/octet-stream";
}

// A strong validator from the content, so a browser revalidates with If-None-Match and gets 304
// until the server is rebuilt with other files. FNV-1a: stable, and collisions do no harm here.
std::string EntityTag(std::string_view content) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char byte : content) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) tag += kHex[(hash >> shift) & 0xf];
  return tag + "\"";
}

struct ServedFile {
  std::string_view content;
  std::string_view content_type;
  std::string etag;
};

const std::map<std::string, ServedFile, std::less<>>& FilesByPath() {
  static const std::map<std::string, ServedFile, std::less<>> files = [] {
    std::map<std::string, ServedFile, std::less<>> by_path;
    for (const EmbeddedFile& file : ConsoleFiles()) {
      by_path.emplace(std::string(file.path),
                      ServedFile{file.content, ContentTypeOf(file.path), EntityTag(file.content)});
    }
    return by_path;
  }();
  return files;
}

std::string ConsolePath(const RequestTarget& target) {
  if (target.segments.empty()) return std::string(kPagePath);
  std::string path;
  for (size_t i = 1; i < target.segments.size(); ++i) {
    if (i > 1) path += '/';
    path += target.segments[i];
  }
  return path;
}

}  // namespace

std::optional<HttpResponse> ServeConsole(const HttpRequest& request, const RequestTarget& target) {
  bool console = target.segments.empty() || target.segments[0] == "console";
  if (!console) return std::nullopt;
  const auto& files = FilesByPath();
  auto found = files.find(ConsolePath(target));
  if (found == files.end()) return std::nullopt;
  const ServedFile& file = found->second;
  HttpResponse response(http::status::ok, request.version());
  response.set(http::field::etag, file.etag);
  // Revalidate every time: a rebuilt server must never run yesterday's script.
  response.set(http::field::cache_control, "no-cache");
  response.set("X-Content-Type-Options", "nosniff");
  // The console talks only to this server, and is never framed by another site.
  response.set("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
               "frame-ancestors 'none'");
  if (request[http::field::if_none_match] == file.etag) {
    response.result(http::status::not_modified);
    return response;
  }
  response.set(http::field::content_type,
               boost::beast::string_view(file.content_type.data(), file.content_type.size()));
  response.body().assign(file.content);
  response.prepare_payload();
  return response;
}

}  // namespace stepwise::api
