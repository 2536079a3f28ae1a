// Capture sources as `packtwin record` will take them on the command line:
//   can0                       SocketCAN interface
//   slcan:/dev/ttyACM0@500000  Lawicel serial adapter, CAN bit rate in bit/s
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "packtwin/base/text_cursor.h"

namespace packtwin::bus {

enum class CanBusKind { kSocketCan, kSlcan };

struct CanBusSpec {
  CanBusKind kind = CanBusKind::kSocketCan;
  std::string device;              // interface name or serial device path
  uint32_t bitrate_bps = 500'000;  // Alfaspark buses run at 500 kbit/s
};

std::variant<CanBusSpec, ParseError> ParseCanBusSpec(std::string_view text);

}  // namespace packtwin::bus
