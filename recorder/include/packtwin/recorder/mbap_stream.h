// Splits one direction of a Modbus TCP connection into MBAP frames:
//   transaction id u16, protocol id u16 (0), length u16 (unit id + PDU), unit id, PDU
// Bounded: a header announcing more than 254 PDU bytes, or a non-zero
// protocol id, is malformed; the rest of that stream is then unparseable
// and is reported once as such.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace packtwin::recorder {

inline constexpr size_t kMbapHeaderLen = 7;
inline constexpr size_t kMaxMbapLen = kMbapHeaderLen + 253;

struct MbapFrame {
  uint16_t transaction_id = 0;
  std::string bytes;  // the whole ADU
  bool malformed = false;
  std::string reason;
};

class MbapStream {
 public:
  // Appends bytes; returns the frames they complete.
  std::vector<MbapFrame> Feed(const uint8_t* bytes, size_t len);
  bool lost_sync() const { return lost_sync_; }

 private:
  std::string buffer_;
  bool lost_sync_ = false;
};

}  // namespace packtwin::recorder
