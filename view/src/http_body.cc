#include "http_body.h"

#include <zlib.h>

#include <limits>

namespace packtwin::view {
namespace {

// Below this a body goes plain: gzip's header and the work are not worth it.
constexpr size_t kMinGzipBytes = 1024;

// gzip (RFC 1952) at level 1; empty when it fails or does not shrink the body.
std::string Gzip(std::string_view plain) {
  if (plain.size() < kMinGzipBytes || plain.size() > std::numeric_limits<uInt>::max()) return {};
  z_stream stream{};
  constexpr int kGzipWindowBits = 15 + 16;  // 16: a gzip wrapper, not zlib's
  if (deflateInit2(&stream, 1, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&stream, static_cast<uLong>(plain.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int finished = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (finished != Z_STREAM_END || out.size() >= plain.size()) return {};
  return out;
}

bool AcceptsGzip(const httplib::Request& request) {
  return request.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
}

}  // namespace

Body MakeBody(std::string plain, std::string_view type) {
  Body body{std::move(plain), {}, std::string(type)};
  body.gzipped = Gzip(body.plain);
  return body;
}

void Send(const httplib::Request& request, httplib::Response& response, const Body& body) {
  if (!body.gzipped.empty() && AcceptsGzip(request)) {
    response.set_header("Content-Encoding", "gzip");
    response.set_content(body.gzipped, body.type.c_str());
  } else {
    response.set_content(body.plain, body.type.c_str());
  }
}

void SendJson(const httplib::Request& request, httplib::Response& response, std::string json) {
  if (!AcceptsGzip(request)) return response.set_content(std::move(json), "application/json; charset=utf-8");
  Send(request, response, MakeBody(std::move(json), "application/json; charset=utf-8"));
}

}  // namespace packtwin::view
