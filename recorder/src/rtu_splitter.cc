#include "packtwin/recorder/rtu_splitter.h"

#include <algorithm>

#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/recorder/rtu_shapes.h"

namespace packtwin::recorder {
namespace {

// A frame short of its length gets this long for the rest to arrive (USB
// adapters hold bytes up to their latency timer, often 16 ms).
constexpr int64_t kIncompleteGraceNs = 50'000'000;

// The length of a whole frame with a valid CRC at the start of `bytes`, or 0.
size_t FrameAt(std::string_view bytes) {
  for (const RtuShape& shape : RtuShapesOf(bytes).shapes) {
    if (shape.length <= bytes.size() && RtuCrcOk(bytes.substr(0, shape.length))) return shape.length;
  }
  return 0;
}

// Whether the bytes at the start are short of a length their function
// implies (a count still to come, or a count that says more follows).
bool ShortOfLength(std::string_view bytes) {
  const RtuShapes shapes = RtuShapesOf(bytes);
  if (shapes.need_more) return true;
  for (const RtuShape& shape : shapes.shapes) {
    if (shape.length > bytes.size() && shape.length <= kMaxRtuFrameBytes) return true;
  }
  return false;
}

// Whether the bytes at the start could still become a frame: short of a
// length, or of a function that only silence ends.
bool CanGrow(std::string_view bytes) {
  if (bytes.size() >= kMaxRtuFrameBytes) return false;
  return ShortOfLength(bytes) || RtuShapesOf(bytes).open_ended;
}

}  // namespace

bool RtuCrcOk(std::string_view frame) {
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
  const std::string_view buffer(buffer_);
  for (size_t offset = 0; offset + 4 <= buffer.size(); ++offset) {
    *len = FrameAt(buffer.substr(offset));
    if (*len != 0) return offset;
    if (offset == 0 && CanGrow(buffer)) return std::string::npos;
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
      if (buffer_.size() > kMaxRtuFrameBytes) Emit(1, false, false, out);
      return;
    }
    if (at > 0) Emit(at, false, false, out);  // garbled bytes before the frame (resync)
    Emit(len, true, true, out);
  }
}

// Silence: whatever is left is one frame (with a bad CRC if its length is
// right; with a good one if its function has no length rule), else frames
// with no length rule cut where a CRC holds, else frames found inside it
// after garbled bytes, else a truncated or garbled chunk.
void RtuSplitter::Flush(std::vector<RtuFrame>* out) {
  // Bounded: each pass emits at least one byte.
  while (!buffer_.empty()) {
    const std::string_view buffer(buffer_);
    const bool crc_ok = RtuCrcOk(buffer);
    const RtuShapes shapes = RtuShapesOf(buffer);
    bool fits = shapes.open_ended && crc_ok;
    for (const RtuShape& shape : shapes.shapes) fits = fits || shape.length == buffer.size();
    if (fits) {
      Emit(buffer.size(), crc_ok, true, out);
      return;
    }
    // Frames of a function with no length rule, back to back in one burst:
    // the shortest prefix with a valid CRC is one.
    size_t prefix = 0;
    for (size_t len = 4; shapes.open_ended && prefix == 0 && len + 4 <= buffer.size(); ++len) {
      if (RtuCrcOk(buffer.substr(0, len))) prefix = len;
    }
    if (prefix != 0) {
      Emit(prefix, true, true, out);
      continue;
    }
    size_t at = 1;
    size_t len = 0;
    for (; at + 4 <= buffer.size() && len == 0; ++at) len = FrameAt(buffer.substr(at));
    if (len == 0) {
      Emit(buffer.size(), false, false, out);
      return;
    }
    Emit(at - 1, false, false, out);
    Emit(len, true, true, out);
  }
}

std::vector<RtuFrame> RtuSplitter::Flush() {
  std::vector<RtuFrame> out;
  Flush(&out);
  return out;
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
  const int64_t needed_ns = ShortOfLength(buffer_) ? std::max(silence_ns_, kIncompleteGraceNs) : silence_ns_;
  if (quiet_ns >= needed_ns) Flush(&out);
  return out;
}

}  // namespace packtwin::recorder
