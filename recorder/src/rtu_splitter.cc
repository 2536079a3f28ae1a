#include "packtwin/recorder/rtu_splitter.h"

#include <algorithm>

#include "packtwin/firmware/modbus_rtu.h"

namespace packtwin::recorder {
namespace {

constexpr size_t kMaxRtuFrame = 256;
// A frame short of its length gets this long for the rest to arrive (USB
// adapters hold bytes up to their latency timer, often 16 ms).
constexpr int64_t kIncompleteGraceNs = 50'000'000;

}  // namespace

std::vector<size_t> RtuCandidateLengths(const std::string& head) {
  std::vector<size_t> lengths;
  if (head.size() < 2) return lengths;
  const uint8_t function = RtuByte(head, 1);
  if ((function & 0x80) != 0) {
    lengths.push_back(5);  // exception reply
    return lengths;
  }
  switch (function) {
    case 0x01: case 0x02: case 0x03: case 0x04:
      lengths.push_back(8);                                     // request
      if (head.size() >= 3) lengths.push_back(5 + RtuByte(head, 2));  // reply: byte count
      break;
    case 0x05: case 0x06:
      lengths.push_back(8);  // request and echo reply
      break;
    case 0x0F: case 0x10:
      lengths.push_back(8);                                     // reply
      if (head.size() >= 7) lengths.push_back(9 + RtuByte(head, 6));  // request: byte count
      break;
    default:
      break;
  }
  return lengths;
}

bool RtuCrcOk(const std::string& frame) {
  if (frame.size() < 4) return false;
  const auto* bytes = reinterpret_cast<const uint8_t*>(frame.data());
  const uint16_t crc = firmware::Crc16Modbus(bytes, frame.size() - 2);
  return bytes[frame.size() - 2] == (crc & 0xFF) && bytes[frame.size() - 1] == (crc >> 8);
}

RtuSplitter::RtuSplitter(uint32_t baud)
    : silence_ns_(static_cast<int64_t>(35) * 1'000'000'000 / static_cast<int64_t>(baud == 0 ? 9600 : baud)) {}

void RtuSplitter::Emit(size_t len, bool crc_ok, bool complete, std::vector<RtuFrame>* out) {
  RtuFrame frame;
  frame.bytes = buffer_.substr(0, len);
  frame.start_ns = start_ns_;
  frame.end_ns = last_ns_;
  frame.crc_ok = crc_ok;
  frame.complete = complete;
  out->push_back(std::move(frame));
  buffer_.erase(0, len);
}

// Where the first whole frame with a valid CRC starts (and its length);
// npos when none. Later offsets are searched only when the start of the
// buffer cannot become a frame any more, so a frame still arriving is never
// cut by a chance CRC match inside it.
size_t RtuSplitter::FindFrame(size_t* len) const {
  bool start_can_grow = false;
  for (size_t offset = 0; offset + 4 <= buffer_.size(); ++offset) {
    const std::string head = buffer_.substr(offset);
    for (size_t candidate : RtuCandidateLengths(head)) {
      if (candidate > head.size()) {
        if (offset == 0) start_can_grow = true;
        continue;
      }
      if (RtuCrcOk(head.substr(0, candidate))) {
        *len = candidate;
        return offset;
      }
    }
    if (offset == 0 && start_can_grow) return std::string::npos;
  }
  return std::string::npos;
}

void RtuSplitter::Extract(std::vector<RtuFrame>* out) {
  // Bounded: each pass removes bytes from the buffer or returns.
  while (buffer_.size() >= 4) {
    size_t len = 0;
    const size_t at = FindFrame(&len);
    if (at == std::string::npos) {
      // Far too long for any frame: shed the oldest byte as garbage.
      if (buffer_.size() > kMaxRtuFrame) Emit(1, false, false, out);
      return;
    }
    if (at > 0) Emit(at, false, false, out);  // garbled bytes before the frame (resync)
    Emit(len, true, true, out);
  }
}

// Silence: whatever is left is one frame with a bad CRC (if its length is
// right) or a truncated/garbled chunk.
void RtuSplitter::Flush(std::vector<RtuFrame>* out) {
  if (buffer_.empty()) return;
  const auto lengths = RtuCandidateLengths(buffer_);
  const bool complete = std::find(lengths.begin(), lengths.end(), buffer_.size()) != lengths.end();
  Emit(buffer_.size(), RtuCrcOk(buffer_), complete, out);
}

std::vector<RtuFrame> RtuSplitter::Feed(const uint8_t* bytes, size_t len, int64_t now_ns) {
  std::vector<RtuFrame> out = Tick(now_ns);
  for (size_t i = 0; i < len; ++i) {
    if (buffer_.empty()) start_ns_ = now_ns;
    buffer_.push_back(static_cast<char>(bytes[i]));
    last_ns_ = now_ns;
    Extract(&out);
  }
  return out;
}

std::vector<RtuFrame> RtuSplitter::Tick(int64_t now_ns) {
  std::vector<RtuFrame> out;
  if (buffer_.empty()) return out;
  const int64_t quiet_ns = now_ns - last_ns_;
  bool short_of_length = false;
  for (size_t len : RtuCandidateLengths(buffer_)) short_of_length = short_of_length || buffer_.size() < len;
  const int64_t needed_ns = short_of_length ? std::max(silence_ns_, kIncompleteGraceNs) : silence_ns_;
  if (quiet_ns >= needed_ns) Flush(&out);
  return out;
}

}  // namespace packtwin::recorder
