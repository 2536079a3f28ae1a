// The slcan (Lawicel ASCII) protocol of CANable/USBtin-style adapters, both
// directions: bytes from the serial port -> frames, acknowledgements and
// errors; setup commands and transmit lines -> bytes for the adapter. Lines end with CR; an adapter answers a command with CR (ok) or BEL
// (error). Frames:
//   tIIILDD..[TTTT]        standard data frame, L = 0..8, TTTT = ms timestamp (Z1)
//   TIIIIIIIILDD..[TTTT]   extended data frame
//   rIIIL[TTTT] / RIIIIIIIIL[TTTT]   remote frames
// Bounded: a line longer than any valid one is reported malformed and dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "packtwin/v1/event.pb.h"

namespace packtwin::bus {

struct SlcanFrame {
  v1::CanFrame frame;  // channel left empty for the caller
  bool has_timestamp = false;
  uint16_t timestamp_ms = 0;  // the adapter's clock, 0..59999
};
struct SlcanAck {};    // CR alone: the last command succeeded
struct SlcanError {};  // BEL: the last command failed
struct SlcanOther {    // a reply we do not interpret (version, serial, status)
  std::string text;
};
struct SlcanMalformed {
  std::string text;   // the offending line, shortened and escaped
  std::string reason;
};

using SlcanItem = std::variant<SlcanFrame, SlcanAck, SlcanError, SlcanOther, SlcanMalformed>;

class SlcanParser {
 public:
  static constexpr size_t kMaxLineBytes = 32;  // 'T' + 8 + 1 + 16 + 4 = 30

  // Feeds bytes; calls emit(item) for each complete item, in order.
  template <typename Emit>
  void Feed(const uint8_t* bytes, size_t len, Emit&& emit) {
    for (size_t i = 0; i < len; ++i) {
      if (auto item = Push(bytes[i])) emit(*item);
    }
  }

  // One byte; an item when it completes one.
  std::optional<SlcanItem> Push(uint8_t byte);

 private:
  std::string line_;
  bool overflowed_ = false;
};

// Parses one line without its CR (exposed for tests).
SlcanItem ParseSlcanLine(const std::string& line);

// Setup commands, each sent followed by CR; the adapter answers CR or BEL.
inline constexpr char kSlcanClose[] = "C";
inline constexpr char kSlcanOpen[] = "O";
inline constexpr char kSlcanTimestampsOn[] = "Z1";

// The command that sets a bit rate ("S6" for 500000), or empty if none.
std::string SlcanBitrateCommand(uint32_t bitrate_bps);

// The transmit line for `frame` (t/T/r/R, without CR); empty for a frame slcan
// cannot carry (CAN FD, error frames). The inverse of ParseSlcanLine.
std::string SlcanTransmitLine(const v1::CanFrame& frame);

}  // namespace packtwin::bus
