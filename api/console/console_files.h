#pragma once

#include <span>
#include <string_view>

namespace stepwise::api {

// One file of the web console, embedded in the binary at build time (cmake/EmbedFiles.cmake).
struct EmbeddedFile {
  std::string_view path;     // relative to api/console/static, with '/' separators
  std::string_view content;  // the file's bytes
};

// Every file under api/console/static, sorted by path. Defined in the generated
// console_assets.cc.
std::span<const EmbeddedFile> ConsoleFiles();

}  // namespace stepwise::api
