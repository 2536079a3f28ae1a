// Splits the bytes a listen-only tap sees on an RS-485 line into Modbus RTU
// frames. Frames end at 3.5 character times of silence, but USB adapters
// deliver bytes in chunks, so frames are also cut by the length their
// function code implies (rtu_shapes.h) and a valid CRC (back-to-back
// frames); a function with no length rule ends at silence only. A frame
// still short of its length is given more time before it is called truncated.
// Bytes that form no frame are reported as garbled, never dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace packtwin::recorder {

struct RtuFrame {
  std::string bytes;
  int64_t start_ns = 0;
  int64_t end_ns = 0;   // time of its last byte
  bool crc_ok = false;
  bool complete = false;  // its length matches what its function code implies
};

class RtuSplitter {
 public:
  // Silence that ends a frame: 3.5 characters of 10 bits (8N1) at `baud`.
  explicit RtuSplitter(uint32_t baud);

  // Bytes read at `now_ns` (a chunk shares one arrival time).
  std::vector<RtuFrame> Feed(const uint8_t* bytes, size_t len, int64_t now_ns);
  // Time passes with no bytes: frames ended by silence.
  std::vector<RtuFrame> Tick(int64_t now_ns);
  // The line is closed: whatever is buffered ends here.
  std::vector<RtuFrame> Flush();

  int64_t silence_ns() const { return silence_ns_; }

 private:
  void Extract(std::vector<RtuFrame>* out);
  size_t FindFrame(size_t* len) const;
  void Flush(std::vector<RtuFrame>* out);
  void Emit(size_t len, bool crc_ok, bool complete, std::vector<RtuFrame>* out);

  int64_t silence_ns_;
  std::string buffer_;
  int64_t start_ns_ = 0;
  int64_t last_ns_ = 0;
};

bool RtuCrcOk(std::string_view frame);
inline uint8_t RtuByte(std::string_view frame, size_t i) { return static_cast<uint8_t>(frame[i]); }

}  // namespace packtwin::recorder
