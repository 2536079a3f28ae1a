#include "packtwin/recorder/mbap_stream.h"

#include <fmt/format.h>

namespace packtwin::recorder {
namespace {
uint16_t BigEndian(const std::string& s, size_t pos) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[pos]) << 8) | static_cast<uint8_t>(s[pos + 1]));
}
}  // namespace

std::vector<MbapFrame> MbapStream::Feed(const uint8_t* bytes, size_t len) {
  std::vector<MbapFrame> frames;
  if (lost_sync_) return frames;
  buffer_.append(reinterpret_cast<const char*>(bytes), len);
  // Bounded: each pass consumes one whole frame or stops.
  while (buffer_.size() >= kMbapHeaderLen) {
    const uint16_t protocol = BigEndian(buffer_, 2);
    const uint16_t length = BigEndian(buffer_, 4);
    if (protocol != 0 || length < 2 || length > kMaxMbapLen - 6) {
      MbapFrame bad;
      bad.transaction_id = BigEndian(buffer_, 0);
      bad.bytes = buffer_.substr(0, kMaxMbapLen);
      bad.malformed = true;
      bad.reason = fmt::format("MBAP header with protocol id {} and length {}: not Modbus TCP; the rest of this "
                               "connection is forwarded but not parsed",
                               protocol, length);
      frames.push_back(std::move(bad));
      buffer_.clear();
      lost_sync_ = true;
      return frames;
    }
    const size_t total = 6 + static_cast<size_t>(length);
    if (buffer_.size() < total) break;
    MbapFrame frame;
    frame.transaction_id = BigEndian(buffer_, 0);
    frame.bytes = buffer_.substr(0, total);
    frames.push_back(std::move(frame));
    buffer_.erase(0, total);
  }
  return frames;
}

}  // namespace packtwin::recorder
