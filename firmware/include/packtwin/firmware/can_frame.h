// A classical CAN frame as the firmware sends and receives it.
#pragma once

#include <cstdint>

namespace packtwin::firmware {

inline constexpr uint8_t kCanMaxLen = 8;

struct CanFrame {
  uint32_t id = 0;
  bool extended = false;
  bool remote = false;
  bool error = false;
  uint8_t len = 0;  // 0..8 payload bytes
  uint8_t data[kCanMaxLen] = {};
};

}  // namespace packtwin::firmware
