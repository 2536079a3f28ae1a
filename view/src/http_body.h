// Response bodies of the view's server. Debian's cpp-httplib compresses every
// text, JavaScript and JSON answer with brotli at its densest setting when the
// browser accepts it: 0.4 s for Chart.js and 0.7 s for a day's plots on this
// machine, most of the page's wait. Bodies are gzipped here instead (level 1:
// a day's plots in a few ms, about 1/20 of their size) and sent with a type
// httplib leaves alone (its test is an exact match: a charset parameter passes).
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>

namespace packtwin::view {

// A body in both forms, for what is sent many times (the page's script).
struct Body {
  std::string plain;
  std::string gzipped;  // empty when gzip did not make it smaller
  std::string type;
};

Body MakeBody(std::string plain, std::string_view type);

// Sends `body`, gzipped when the request accepts gzip and that is smaller.
void Send(const httplib::Request& request, httplib::Response& response, const Body& body);
void SendJson(const httplib::Request& request, httplib::Response& response, std::string json);

}  // namespace packtwin::view
