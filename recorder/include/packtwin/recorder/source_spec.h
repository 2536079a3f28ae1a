// Capture sources as `packtwin record` will take them on the command line:
//   can0                       SocketCAN interface
//   slcan:/dev/ttyACM0@500000  Lawicel serial adapter, CAN bit rate in bit/s
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "packtwin/eventlog/text_cursor.h"

namespace packtwin::recorder {

enum class CanSourceKind { kSocketCan, kSlcan };

struct CanSourceSpec {
  CanSourceKind kind = CanSourceKind::kSocketCan;
  std::string device;              // interface name or serial device path
  uint32_t bitrate_bps = 500'000;  // Alfaspark buses run at 500 kbit/s
};

std::variant<CanSourceSpec, ParseError> ParseCanSourceSpec(std::string_view text);

}  // namespace packtwin::recorder
