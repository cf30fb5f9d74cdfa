#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <string>
#include <variant>

namespace stepwise::api {

// The REST API's requests and responses: whole bodies held in memory (they are small JSON).
using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// A response written as it is produced (server-sent events): the head, then chunks of the body
// until the producer says the last one came; the connection closes after it.
struct StreamingResponse {
  // Hands the connection the next chunk; `last` ends the response. Callable from any thread,
  // once per `pull`; returns at once.
  using Next = std::function<void(std::string chunk, bool last)>;

  HttpResponse head;  // status and headers; its body is not sent
  // Called once the head is written and again each time the previous chunk is written (never
  // once the client is gone): produce the next chunk, now or later, by calling `next`.
  std::function<void(Next next)> pull;
};

using HttpReply = std::variant<HttpResponse, StreamingResponse>;

}  // namespace stepwise::api
